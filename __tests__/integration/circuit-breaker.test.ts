/**
 * Circuit breakers against real sockets: Node http servers on 127.0.0.1. A down
 * host trips its breaker, is then left alone (the server counts every request
 * it gets), gets one trial after openMs, and closes again when it recovers;
 * another origin is never affected; retries stop at an open circuit.
 */
import axios from 'axios';
import type { AxiosError } from 'axios';
import { CircuitOpenError, ResilientClient } from '../../lib/index.js';
import type {
  CircuitCloseEvent,
  CircuitHalfOpenEvent,
  CircuitOpenEvent,
  CircuitRejectEvent,
  FailureEvent,
  ResilientClientConfig,
  RetryEvent,
  WithResilience,
} from '../../lib/index.js';
import { startServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';

const FAST = { baseMs: 1, maxMs: 5 } as const;
const OPEN_MS = 500;

const servers: TestServer[] = [];
const clients: ResilientClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.dispose();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A server answering every request with the current `status` (mutable). */
async function backend(initial: number): Promise<{ server: TestServer; setStatus(s: number): void }> {
  let status = initial;
  const server = await startServer((_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status }));
  });
  servers.push(server);
  return { server, setStatus: (s) => (status = s) };
}

interface Recorded {
  log: string[];
  open: CircuitOpenEvent[];
  halfOpen: CircuitHalfOpenEvent[];
  close: CircuitCloseEvent[];
  reject: CircuitRejectEvent[];
  retry: RetryEvent[];
  failure: FailureEvent[];
}

function client(config: ResilientClientConfig): { client: ResilientClient; events: Recorded } {
  const c = new ResilientClient(config);
  clients.push(c);
  const events: Recorded = { log: [], open: [], halfOpen: [], close: [], reject: [], retry: [], failure: [] };
  c.on('circuit-open', (e) => {
    events.open.push(e);
    events.log.push('open');
  });
  c.on('circuit-half-open', (e) => {
    events.halfOpen.push(e);
    events.log.push('half-open');
  });
  c.on('circuit-close', (e) => {
    events.close.push(e);
    events.log.push('close');
  });
  c.on('circuit-reject', (e) => {
    events.reject.push(e);
    events.log.push('reject');
  });
  c.on('retry', (e) => events.retry.push(e));
  c.on('failure', (e) => events.failure.push(e));
  return { client: c, events };
}

/** The rejection of `p`; fails the test if `p` resolves. */
async function rejection(p: Promise<unknown>): Promise<WithResilience> {
  try {
    await p;
  } catch (err) {
    return err as WithResilience;
  }
  throw new Error('expected the call to reject, it resolved');
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('circuit breaker on real sockets', () => {
  test('a down host trips after 3 failed attempts, is left alone while OPEN, gets one trial after openMs, and closes when it recovers', async () => {
    const { server, setStatus } = await backend(503);
    const key = `http://127.0.0.1:${server.port}`;
    const { client: c, events } = client({
      baseURL: server.url,
      retry: { maxAttempts: 3, backoff: FAST },
      circuitBreaker: { trip: { type: 'consecutive', failures: 3 }, openMs: OPEN_MS, maxOpenMs: OPEN_MS, openJitter: 0 },
    });

    // 1. Three attempts, all 503: the call is exhausted and the breaker opens on the 3rd.
    const first = await rejection(c.get('/orders'));
    expect(first.response?.status).toBe(503);
    expect(first.resilience).toMatchObject({ attempts: 3, reason: 'exhausted' });
    expect(server.requests).toHaveLength(3);
    expect(events.open).toEqual([{ key, failures: 3 }]);
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
      expect(open.remainingMs).toBeGreaterThan(0);
      expect(open.remainingMs).toBeLessThanOrEqual(OPEN_MS);
      expect(err.resilience).toMatchObject({ attempts: 0, reason: 'circuit-open' });
    }
    expect(server.requests).toHaveLength(3);
    expect(events.reject).toHaveLength(5);
    for (const e of events.reject) {
      expect(e).toMatchObject({ key, method: 'GET', url: '/orders', state: 'OPEN' });
      expect(e.remainingMs).toBeGreaterThan(0);
    }

    // 3. After openMs, still down: exactly one trial reaches the server, fails, and the breaker reopens.
    await sleep(OPEN_MS + 20);
    const trial = await rejection(c.get('/orders'));
    expect(server.requests).toHaveLength(4);
    expect(trial).toBeInstanceOf(CircuitOpenError);
    expect(trial.resilience).toMatchObject({ attempts: 1, reason: 'circuit-open' });
    expect(events.open).toEqual([{ key, failures: 3 }, { key, failures: 1 }]);
    expect(await rejection(c.get('/orders'))).toBeInstanceOf(CircuitOpenError);
    expect(server.requests).toHaveLength(4);

    // 4. The host recovers; after openMs the trial succeeds and closes the breaker.
    setStatus(200);
    await sleep(OPEN_MS + 20);
    const ok = await c.get<{ status: number }>('/orders');
    expect(ok.status).toBe(200);
    expect(ok.data).toEqual({ status: 200 });
    expect(events.halfOpen).toEqual([{ key }, { key }]);
    expect(events.close).toEqual([{ key }]);
    expect(c.circuit()?.state).toBe('CLOSED');

    // 5. Calls flow again.
    for (let i = 0; i < 3; i++) expect((await c.get('/orders')).status).toBe(200);
    expect(server.requests).toHaveLength(8);
    expect(events.log).toEqual([
      'open', 'reject', 'reject', 'reject', 'reject', 'reject',
      // the failed trial: its call stops at the reopened breaker (a reject), then one more refused call
      'half-open', 'open', 'reject', 'reject',
      'half-open', 'close',
    ]);
    expect(c.circuit()?.stats).toMatchObject({ state: 'CLOSED', calls: 8, failures: 4, successes: 4, rejections: 6 });
  });

  test('a second origin keeps working while the first is OPEN', async () => {
    const down = await backend(503);
    const up = await backend(200);
    const downKey = `http://127.0.0.1:${down.server.port}`;
    const upKey = `http://127.0.0.1:${up.server.port}`;
    const { client: c, events } = client({
      retry: { maxAttempts: 3, backoff: FAST },
      circuitBreaker: { trip: { type: 'consecutive', failures: 3 }, openMs: 10_000 },
    });

    await rejection(c.get(`${down.server.url}/x`));
    expect(events.open).toEqual([{ key: downKey, failures: 3 }]);
    expect(await rejection(c.get(`${down.server.url}/x`))).toBeInstanceOf(CircuitOpenError);

    for (let i = 0; i < 5; i++) expect((await c.get(`${up.server.url}/y`)).status).toBe(200);
    expect(await rejection(c.get(`${down.server.url}/x`))).toBeInstanceOf(CircuitOpenError);

    expect(down.server.requests).toHaveLength(3);
    expect(up.server.requests).toHaveLength(5);
    expect(Object.fromEntries(c.stats().breakers.map((b) => [b.key, b.state]))).toEqual({ [downKey]: 'OPEN', [upKey]: 'CLOSED' });
    expect(c.circuit(upKey)?.stats).toMatchObject({ calls: 5, successes: 5, failures: 0, rejections: 0 });
    expect(events.reject.map((e) => e.key)).toEqual([downKey, downKey]);
  });

  test('retries stop at an open circuit: no wait, no attempt after the trip', async () => {
    const { server } = await backend(503);
    const key = `http://127.0.0.1:${server.port}`;
    // The wait after the 3rd attempt would be 2 s: the call must not sit it out.
    const { client: c, events } = client({
      baseURL: server.url,
      retry: { maxAttempts: 5, backoff: { type: (attempt) => (attempt >= 3 ? 2_000 : 5) } },
      circuitBreaker: { trip: { type: 'consecutive', failures: 3 }, openMs: 10_000 },
    });

    const err = await rejection(c.get('/slowly-failing'));
    expect(err).toBeInstanceOf(CircuitOpenError);
    expect(err.code).toBe('ERR_CIRCUIT_OPEN');
    expect((err as unknown as CircuitOpenError).key).toBe(key);
    expect(err.resilience?.reason).toBe('circuit-open');
    expect(err.resilience?.attempts).toBe(3);
    // It did not wait out the 2 s backoff.
    expect(err.resilience?.elapsedMs).toBeLessThan(2_000);
    // The last attempt's 503 is the cause.
    expect((err.cause as AxiosError).response?.status).toBe(503);
    expect(server.requests).toHaveLength(3);
    expect(events.open).toEqual([{ key, failures: 3 }]);
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
