/**
 * Circuit breakers against real sockets: Node http servers on 127.0.0.1. A down
 * host trips its breaker, is then left alone (the server counts every request
 * it gets), gets one trial after openMs, and closes again when it recovers;
 * another origin is never affected; retries stop at an open circuit.
 * The client runs on a FakeClock: open periods and backoff pass when the test
 * moves the clock, not by sleeping; the sockets are real.
 */
import axios from 'axios';
import type { AxiosError } from 'axios';
import { CircuitOpenError, ResilientClient } from '../../lib/index.js';
import type { ResilientClientConfig } from '../../lib/index.js';
import { rejection } from '../helpers/engine-harness.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { settleOnSockets } from '../helpers/real-io.js';
import { recordEvents } from '../helpers/record-events.js';
import { serversClosedAfterEach } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';

const FAST = { baseMs: 1, maxMs: 5 } as const;
const OPEN_MS = 500;

const serve = serversClosedAfterEach();
const clients: ResilientClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.dispose();
});

/** A server answering every request with the current `status` (mutable). */
async function backend(initial: number): Promise<{ server: TestServer; setStatus(s: number): void }> {
  let status = initial;
  const server = await serve((_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status }));
  });
  return { server, setStatus: (s) => (status = s) };
}

/** A client on a FakeClock (random pinned), recording breaker events, retries and failures; `call(p)` settles `p` on the sockets. */
function client(config: ResilientClientConfig) {
  const clock = new FakeClock();
  const c = new ResilientClient({ clock, random: () => 0.5, ...config });
  clients.push(c);
  const events = recordEvents(c, 'circuit-open', 'circuit-half-open', 'circuit-close', 'circuit-reject', 'retry', 'failure');
  const call = <T>(p: Promise<T>): Promise<T> => settleOnSockets(clock, c, p);
  return { client: c, clock, events, call };
}

describe('circuit breaker on real sockets', () => {
  test('a down host trips after 3 failed attempts, is left alone while OPEN, gets one trial after openMs, and closes when it recovers', async () => {
    const { server, setStatus } = await backend(503);
    const key = `http://127.0.0.1:${server.port}`;
    const { client: c, clock, events, call } = client({
      baseURL: server.url,
      retry: { maxAttempts: 3, backoff: FAST },
      circuitBreaker: { trip: { type: 'consecutive', failures: 3 }, openMs: OPEN_MS, maxOpenMs: OPEN_MS, openJitter: 0 },
    });

    // 1. Three attempts, all 503: the call is exhausted and the breaker opens on the 3rd.
    const first = await rejection(call(c.get('/orders')));
    expect(first.response?.status).toBe(503);
    expect(first.resilience).toMatchObject({ attempts: 3, reason: 'exhausted' });
    expect(server.requests).toHaveLength(3);
    expect(events['circuit-open']).toEqual([{ key, failures: 3 }]);
    expect(c.circuit()?.key).toBe(key);
    expect(c.circuit()?.state).toBe('OPEN');

    // 2. While OPEN: refused at once, nothing reaches the server.
    for (let i = 0; i < 5; i++) {
      const err = await rejection(c.get('/orders'));
      expect(err).toBeInstanceOf(CircuitOpenError);
      expect(axios.isAxiosError(err)).toBe(true);
      const open = err as unknown as CircuitOpenError;
      expect(open.code).toBe('ERR_CIRCUIT_OPEN');
      expect(open.key).toBe(key);
      // No time has passed on the client's clock since the breaker opened.
      expect(open.remainingMs).toBe(OPEN_MS);
      expect(err.resilience).toMatchObject({ attempts: 0, reason: 'circuit-open' });
    }
    expect(server.requests).toHaveLength(3);
    expect(events['circuit-reject']).toHaveLength(5);
    for (const e of events['circuit-reject']) {
      expect(e).toMatchObject({ key, method: 'GET', url: '/orders', state: 'OPEN', remainingMs: OPEN_MS });
    }

    // 3. One ms before openMs ends it still refuses; at openMs, still down: exactly one trial reaches
    // the server, fails, and the breaker reopens.
    await clock.advance(OPEN_MS - 1);
    expect(((await rejection(c.get('/orders'))) as unknown as CircuitOpenError).remainingMs).toBe(1);
    await clock.advance(1);
    const trial = await rejection(call(c.get('/orders')));
    expect(server.requests).toHaveLength(4);
    expect(trial).toBeInstanceOf(CircuitOpenError);
    expect(trial.resilience).toMatchObject({ attempts: 1, reason: 'circuit-open' });
    expect(events['circuit-open']).toEqual([{ key, failures: 3 }, { key, failures: 1 }]);
    expect(await rejection(c.get('/orders'))).toBeInstanceOf(CircuitOpenError);
    expect(server.requests).toHaveLength(4);

    // 4. The host recovers; after openMs the trial succeeds and closes the breaker.
    setStatus(200);
    await clock.advance(OPEN_MS);
    const ok = await call(c.get<{ status: number }>('/orders'));
    expect(ok.status).toBe(200);
    expect(ok.data).toEqual({ status: 200 });
    expect(events['circuit-half-open']).toEqual([{ key }, { key }]);
    expect(events['circuit-close']).toEqual([{ key }]);
    expect(c.circuit()?.state).toBe('CLOSED');

    // 5. Calls flow again.
    for (let i = 0; i < 3; i++) expect((await call(c.get('/orders'))).status).toBe(200);
    expect(server.requests).toHaveLength(8);
    expect(events.log.filter((name) => name.startsWith('circuit-'))).toEqual([
      'circuit-open', 'circuit-reject', 'circuit-reject', 'circuit-reject', 'circuit-reject', 'circuit-reject', 'circuit-reject',
      // the failed trial: its call stops at the reopened breaker (a reject), then one more refused call
      'circuit-half-open', 'circuit-open', 'circuit-reject', 'circuit-reject',
      'circuit-half-open', 'circuit-close',
    ]);
    expect(c.circuit()?.stats).toMatchObject({ state: 'CLOSED', calls: 8, failures: 4, successes: 4, rejections: 7 });
  });

  test('a second origin keeps working while the first is OPEN', async () => {
    const down = await backend(503);
    const up = await backend(200);
    const downKey = `http://127.0.0.1:${down.server.port}`;
    const upKey = `http://127.0.0.1:${up.server.port}`;
    const { client: c, events, call } = client({
      retry: { maxAttempts: 3, backoff: FAST },
      circuitBreaker: { trip: { type: 'consecutive', failures: 3 }, openMs: 10_000 },
    });

    await rejection(call(c.get(`${down.server.url}/x`)));
    expect(events['circuit-open']).toEqual([{ key: downKey, failures: 3 }]);
    expect(await rejection(c.get(`${down.server.url}/x`))).toBeInstanceOf(CircuitOpenError);

    for (let i = 0; i < 5; i++) expect((await call(c.get(`${up.server.url}/y`))).status).toBe(200);
    expect(await rejection(c.get(`${down.server.url}/x`))).toBeInstanceOf(CircuitOpenError);

    expect(down.server.requests).toHaveLength(3);
    expect(up.server.requests).toHaveLength(5);
    expect(Object.fromEntries(c.stats().breakers.map((b) => [b.key, b.state]))).toEqual({ [downKey]: 'OPEN', [upKey]: 'CLOSED' });
    expect(c.circuit(upKey)?.stats).toMatchObject({ calls: 5, successes: 5, failures: 0, rejections: 0 });
    expect(events['circuit-reject'].map((e) => e.key)).toEqual([downKey, downKey]);
  });

  test('retries stop at an open circuit: no wait, no attempt after the trip', async () => {
    const { server } = await backend(503);
    const key = `http://127.0.0.1:${server.port}`;
    // The wait after the 3rd attempt would be 2 s: the call must not sit it out.
    const { client: c, clock, events, call } = client({
      baseURL: server.url,
      retry: { maxAttempts: 5, backoff: { type: (attempt) => (attempt >= 3 ? 2_000 : 5) } },
      circuitBreaker: { trip: { type: 'consecutive', failures: 3 }, openMs: 10_000 },
    });

    const start = clock.now();
    const err = await rejection(call(c.get('/slowly-failing')));
    expect(err).toBeInstanceOf(CircuitOpenError);
    expect(err.code).toBe('ERR_CIRCUIT_OPEN');
    expect((err as unknown as CircuitOpenError).key).toBe(key);
    expect(err.resilience?.reason).toBe('circuit-open');
    expect(err.resilience?.attempts).toBe(3);
    // It waited 5 ms twice and never started the 2 s wait.
    expect(events.retry.map((e) => e.delayMs)).toEqual([5, 5]);
    expect(err.resilience?.elapsedMs).toBe(10);
    expect(clock.now() - start).toBe(10);
    expect(clock.sleeps).not.toContain(2_000);
    // The last attempt's 503 is the cause.
    expect((err.cause as AxiosError).response?.status).toBe(503);
    expect(server.requests).toHaveLength(3);
    expect(events['circuit-open']).toEqual([{ key, failures: 3 }]);
    // Two retries were scheduled (after attempts 1 and 2), none after the trip.
    expect(events.retry.map((e) => e.attempt)).toEqual([1, 2]);
    expect(events.failure).toHaveLength(1);
    expect(events.failure[0]).toMatchObject({ reason: 'circuit-open', attempts: 3, code: 'ERR_CIRCUIT_OPEN' });

    // Nothing more reaches the server.
    expect(await rejection(c.get('/slowly-failing'))).toBeInstanceOf(CircuitOpenError);
    expect(server.requests).toHaveLength(3);
    // No timer left: the client holds nothing while no call is in flight.
    expect(c.stats().inFlight).toBe(0);
  });
});
