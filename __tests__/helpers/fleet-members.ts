/**
 * Clients in an in-memory fleet (see `memory-fleet.ts`) for the fleet tests:
 * each with its own adapter, all on one FakeClock, their breaker events logged.
 */
import type { FleetAdopt } from '../../lib/fleet/fleet-link.js';
import { ResilientClient } from '../../lib/resilient-client.js';
import type { ResilientClientConfig } from '../../lib/resilient-client.js';
import { controllableAdapter } from './engine-harness.js';
import type { Answer } from './engine-harness.js';
import { FakeClock } from './fake-clock.js';
import { MemoryHub } from './memory-fleet.js';

export const BASE = 'http://api.test';
export const KEY = 'http://api.test:80';
export const BREAKER = { trip: { type: 'consecutive', failures: 3 }, openMs: 1_000, openJitter: 0 } as const;

/** A member of the fleet: its client, what its adapter saw, and its breaker events in order. */
export function member(hub: MemoryHub, name: string, answer: () => Answer, adopt: FleetAdopt = 'verify', config: ResilientClientConfig = {}) {
  const { adapter, exchanges } = controllableAdapter(hub.clock, answer);
  const fleet = hub.link(name, adopt);
  const client = new ResilientClient({ baseURL: BASE, adapter, clock: hub.clock, retry: false, circuitBreaker: BREAKER, fleet, ...config });
  const log: string[] = [];
  client.on('circuit-open', (e) => log.push(`open ${e.failures}`));
  client.on('circuit-half-open', () => log.push('half-open'));
  client.on('circuit-close', () => log.push('close'));
  client.on('circuit-reject', (e) => log.push(`reject ${e.state}`));
  return { client, exchanges, fleet, log };
}

/** Sends calls one after the other; returns how each ended ('ok', or the failure's reason). */
export async function calls(client: ResilientClient, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    try {
      await client.get('/x');
      out.push('ok');
    } catch (err) {
      out.push((err as { resilience?: { reason: string } }).resilience?.reason ?? String(err));
    }
  }
  return out;
}

/** Two members, a and b, in front of one backend whose status the test sets. */
export function fleetOf(adopt: FleetAdopt, config: ResilientClientConfig = {}) {
  const clock = new FakeClock();
  const hub = new MemoryHub(clock);
  const backend = { status: 200 as Answer };
  const a = member(hub, 'a', () => backend.status, adopt, config);
  const b = member(hub, 'b', () => backend.status, adopt, config);
  return { clock, hub, backend, a, b };
}
