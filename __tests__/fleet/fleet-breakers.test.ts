/**
 * Breakers in a fleet, through real clients sharing an in-memory hub (the
 * Redis link's semantics, no Redis), a FakeClock and an adapter per client:
 * what is published and when (never on a healthy call), `adopt: 'verify'`
 * and `'trust'`, the trial lease, remote closes, and a hub that is down or
 * hangs (no call fails, a trial waits at most `opTimeoutMs`).
 */
import { CircuitOpenError } from '../../lib/report/errors.js';
import { rejection, settleChain } from '../helpers/engine-harness.js';
import { KEY, calls, fleetOf, member } from '../helpers/fleet-members.js';

describe('what a client tells the fleet', () => {
  test('healthy calls and failures that do not trip reach the fleet not at all', async () => {
    const { hub, backend, a } = fleetOf('verify');
    expect(await calls(a.client, 50)).toEqual(Array(50).fill('ok'));
    backend.status = 503;
    expect(await calls(a.client, 2)).toEqual(['not-retryable', 'not-retryable']);
    backend.status = 200;
    expect(await calls(a.client, 10)).toEqual(Array(10).fill('ok'));
    await settleChain();
    expect(hub.ops).toEqual([]);
  });

  test('an open is published once, with its remaining period and failures; the opener holds the fleet\u2019s next trial', async () => {
    const { clock, hub, backend, a } = fleetOf('verify');
    backend.status = 503;
    await calls(a.client, 3);
    expect(hub.ops).toEqual([{ op: 'publish', from: 'a', change: { type: 'open', key: KEY, remainingMs: 1_000, failures: 3 } }]);
    expect(hub.holder(KEY)).toBe('a');
    expect(await calls(a.client, 3)).toEqual(['circuit-open', 'circuit-open', 'circuit-open']);
    await clock.advance(999);
    expect(hub.holder(KEY)).toBe('a');
    expect(hub.ops).toHaveLength(1);
  });
});

describe("adopt: 'verify'", () => {
  test('a remote open moves a CLOSED breaker to HALF_OPEN; its own failed trial (one request) opens it for openMs', async () => {
    const { hub, backend, a, b } = fleetOf('verify');
    await calls(b.client, 1); // b has a breaker for the key
    backend.status = 503;
    await calls(a.client, 3);
    await settleChain();
    expect(b.log).toEqual(['half-open']);
    expect(b.client.circuit()?.state).toBe('HALF_OPEN');
    const before = b.exchanges.length;
    expect(await calls(b.client, 3)).toEqual(['not-retryable', 'circuit-open', 'circuit-open']);
    expect(b.exchanges.length - before).toBe(1);
    // The verification trial took no lease; its failure is an open like a trip (openMs, not doubled), published.
    expect(hub.ops.filter((o) => o.op === 'lease')).toEqual([]);
    expect(b.log).toEqual(['half-open', 'open 1', 'reject OPEN', 'reject OPEN']);
    expect(hub.ops.at(-1)).toEqual({ op: 'publish', from: 'b', change: { type: 'open', key: KEY, remainingMs: 1_000, failures: 1 } });
    expect(a.log).toEqual(['open 3']); // a was already OPEN: b's open changes nothing there
  });

  test('a process whose path is fine is not silenced: its trial succeeds, it closes, and tells no one', async () => {
    const { hub, a, b } = fleetOf('verify');
    const c = member(hub, 'c', () => 503);
    await calls(b.client, 1);
    await calls(c.client, 3); // c's own path is broken
    await settleChain();
    expect(b.log).toEqual(['half-open']);
    expect(await calls(b.client, 5)).toEqual(Array(5).fill('ok'));
    expect(b.log).toEqual(['half-open', 'close']);
    expect(hub.ops.map((o) => `${o.op} ${o.from}`)).toEqual(['publish c']);
    expect(a.log).toEqual([]); // a never used the key: no breaker is created for a remote open
    expect(a.client.circuit(KEY)).toBeUndefined();
  });
});

describe("adopt: 'trust'", () => {
  test('a remote open opens a CLOSED breaker until the sender\u2019s period ends; nothing reaches the backend meanwhile', async () => {
    const { clock, hub, backend, a, b } = fleetOf('trust');
    await calls(b.client, 1);
    backend.status = 503;
    await clock.advance(200);
    await calls(a.client, 3);
    await settleChain(); // the message arrives while a's period has 1000 ms left
    await clock.advance(300);
    const before = b.exchanges.length;
    expect(b.log).toEqual(['open 3']);
    expect(b.client.circuit()?.stats.state).toBe('OPEN');
    expect(await calls(b.client, 4)).toEqual(Array(4).fill('circuit-open'));
    expect(b.exchanges.length).toBe(before);
    const refused = await rejection(b.client.get('/x'));
    expect(refused).toBeInstanceOf(CircuitOpenError);
    expect((refused as unknown as CircuitOpenError).remainingMs).toBe(700); // b's period ends with a's
    await clock.advance(700);
    expect(b.client.circuit()?.state).toBe('HALF_OPEN');
    expect(hub.ops.map((o) => o.op)).toEqual(['publish']);
  });

  test('an OPEN breaker ignores a remote open', async () => {
    const { clock, backend, a, b } = fleetOf('trust');
    backend.status = 503;
    await calls(b.client, 3);
    await clock.advance(400);
    await calls(a.client, 3); // a had no breaker when b opened: it trips on its own, and tells b
    await settleChain();
    expect(a.log).toEqual(['open 3']);
    expect(b.log).toEqual(['open 3']);
    expect(b.client.circuit()?.stats.state).toBe('OPEN');
    await clock.advance(600); // b's own period, not a's later end
    expect(b.client.circuit()?.state).toBe('HALF_OPEN');
  });
});
