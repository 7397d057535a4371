/**
 * The client against the fault server (samples/support/fault-server.ts), real
 * sockets on 127.0.0.1 only: every fault the server can inject, for GET, PUT
 * and POST (with and without an idempotency key), counted on the server; many
 * concurrent calls on one client; a server killed and restarted mid-run.
 * Nothing is lost: every call settles once, with one `success` or `failure`.
 */
import axios from 'axios';
import type { AxiosResponse } from 'axios';
import { ResilientClient, isCircuitOpenError, isDeadlineExceededError, resilienceOf } from '../../lib/index.js';
import type { ResilientClientConfig, WithResilience } from '../../lib/index.js';
import { fault, seededRandom, startFaultServer } from '../../samples/support/fault-server.js';
import type { Fault, FaultServer, FaultServerOptions } from '../../samples/support/fault-server.js';
import { rejection } from '../helpers/engine-harness.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { settleOnSockets } from '../helpers/real-io.js';
import { recordEvents } from '../helpers/record-events.js';
import { serversClosedAfterEach } from '../helpers/server.js';

/** Small backoff so the suite stays fast. */
const FAST = { baseMs: 1, maxMs: 5 } as const;

const servers: FaultServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(options: FaultServerOptions): Promise<FaultServer> {
  const server = await startFaultServer(options);
  servers.push(server);
  return server;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Plain loopback servers (helpers/server.ts), closed after each test. */
const loopback = serversClosedAfterEach();

const OBSERVED = ['attempt', 'retry', 'success', 'failure', 'circuit-open', 'circuit-half-open', 'circuit-close'] as const;
type Observed = ReturnType<typeof recordEvents<(typeof OBSERVED)[number]>>;

function observe(config: ResilientClientConfig): { client: ResilientClient; seen: Observed } {
  const client = new ResilientClient(config);
  return { client, seen: recordEvents(client, ...OBSERVED) };
}

/** The breaker's transitions so far, as states. */
function transitions(seen: Observed): string[] {
  const state = { 'circuit-open': 'OPEN', 'circuit-half-open': 'HALF_OPEN', 'circuit-close': 'CLOSED' } as Record<string, string>;
  return seen.log.flatMap((name) => (state[name] === undefined ? [] : [state[name]]));
}

/** `observe` on a FakeClock (random pinned); `call(p)` settles `p` on the sockets, moving the clock through the client's waits. */
function observeOnFakeClock(config: ResilientClientConfig) {
  const clock = new FakeClock();
  const observed = observe({ clock, random: () => 0.5, ...config });
  const call = <T>(p: Promise<T>): Promise<T> => settleOnSockets(clock, observed.client, p);
  return { ...observed, clock, call };
}

/** What a rejection was, in one line (for assertion messages). */
function describeError(err: WithResilience): string {
  const info = resilienceOf(err);
  return `${err.code} "${err.message}" status=${err.response?.status} reason=${info?.reason} attempts=${info?.attempts}`;
}

/** Settles `p` into a value or its rejection. */
async function settle<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: WithResilience }> {
  try {
    return { ok: true, value: await p };
  } catch (error) {
    return { ok: false, error: error as WithResilience };
  }
}

// ---- the fault server itself ------------------------------------------------------

describe('fault server', () => {
  test('routes by exact path, then longest prefix, then the fallback; counts per route and per key', async () => {
    const server = await serve({
      routes: { '/a': fault.status(503), '/a/*': fault.status(404), '/a/b/*': fault.ok({ deep: true }) },
      fallback: fault.status(418),
    });
    const get = (path: string, key?: string): Promise<number> =>
      axios.get(server.url + path, { validateStatus: () => true, headers: key === undefined ? {} : { 'x-request-id': key } }).then((r) => r.status);
    expect(await get('/a')).toBe(503);
    expect(await get('/a/x', 'k1')).toBe(404);
    expect(await get('/a/b/c', 'k1')).toBe(200);
    expect(await get('/zzz', 'k2')).toBe(418);
    expect(server.count()).toBe(4);
    expect(server.count('/a/*')).toBe(1);
    expect(server.count('/a/b/anything')).toBe(1); // a path is matched to its pattern
    expect(server.counts()).toMatchObject({ '/a': { requests: 1, byStatus: { 503: 1 } }, '*': { requests: 1, byStatus: { 418: 1 } } });
    expect([...server.attemptsByKey()]).toEqual([['k1', 2], ['k2', 1]]);
  });

  test('the same seed gives the same sequence of faults', async () => {
    const statuses = async (seed: number): Promise<number[]> => {
      const server = await serve({ seed, routes: { '/x': fault.flaky(0.5) } });
      const out: number[] = [];
      for (let i = 0; i < 20; i++) out.push((await axios.get(`${server.url}/x`, { validateStatus: () => true })).status);
      return out;
    };
    const a = await statuses(7);
    expect(await statuses(7)).toEqual(a);
    expect(a).toContain(503);
    expect(a).toContain(200);
    const r = seededRandom(3);
    const s = seededRandom(3);
    expect([r(), r(), r()]).toEqual([s(), s(), s()]);
  });

  test('phases by request count and by elapsed time, named in the request log', async () => {
    const server = await serve({
      routes: {
        '/count': fault.phases([{ name: 'healthy', for: 2, fault: fault.ok() }, { name: 'outage', for: 2, fault: fault.status(503) }, { name: 'recovery', fault: fault.ok() }], 'requests'),
        '/time': fault.phases([{ name: 'outage', for: 150, fault: fault.status(503) }, { name: 'recovery', fault: fault.ok() }]),
      },
    });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await axios.get(`${server.url}/count`, { validateStatus: () => true })).status);
    expect(statuses).toEqual([200, 200, 503, 503, 200]);
    expect(server.requests.map((r) => r.phase)).toEqual(['healthy', 'healthy', 'outage', 'outage', 'recovery']);
    server.reset(); // restarts the clock
    expect(server.phaseOf('/time')).toBe('outage');
    expect((await axios.get(`${server.url}/time`, { validateStatus: () => true })).status).toBe(503);
    await sleep(170);
    expect(server.phaseOf('/time')).toBe('recovery');
    expect((await axios.get(`${server.url}/time`, { validateStatus: () => true })).status).toBe(200);
  });

  test('close() destroys a hanging connection: the caller gets a reset, not a hang', async () => {
    const server = await startFaultServer({ routes: { '/hang': fault.hang() } });
    const { client } = observe({ baseURL: server.url, retry: false, timeBudget: { totalMs: 10_000 } });
    const pending = rejection(client.get('/hang'));
    while (server.count() === 0) await sleep(5);
    const t0 = performance.now();
    await server.close();
    const err = await pending;
    expect(err.code).toBe('ECONNRESET');
    expect(performance.now() - t0).toBeLessThan(1_000);
  });
});

// ---- every fault, every method ---------------------------------------------------

interface FaultCase {
  readonly name: string;
  readonly first: Fault;
  /** What the failed attempt shows: a status or an error code. */
  readonly status?: number;
  /** The error code, or the codes axios may report for it (which one depends on socket timing). */
  readonly code?: string | readonly string[];
}

const FAULTS: readonly FaultCase[] = [
  { name: '503', first: fault.status(503), status: 503 },
  { name: '429 with Retry-After: 0', first: fault.retryAfter(429, 0), status: 429 },
  { name: 'a connection reset before the response', first: fault.reset(), code: 'ECONNRESET' },
  // axios reports ECONNRESET, or ERR_BAD_RESPONSE "stream has been aborted" when the response's
  // 'aborted' comes first (seen about 1 run in 4 on a loaded machine): a lost body either way.
  { name: 'a reset in the middle of the body', first: fault.resetMidBody(), code: ['ECONNRESET', 'ERR_BAD_RESPONSE'] },
  { name: 'no answer at all (cut by attemptMs)', first: fault.hang(), code: 'ETIMEDOUT' },
  { name: 'latency above attemptMs', first: fault.latency(800), code: 'ETIMEDOUT' },
];

interface MethodCase {
  readonly name: string;
  readonly send: (c: ResilientClient, path: string) => Promise<AxiosResponse>;
  /** The contract: retried (GET, PUT, POST with a key) or sent exactly once (POST without a key). */
  readonly retried: boolean;
  readonly keyed: boolean;
}

const METHODS: readonly MethodCase[] = [
  { name: 'GET', send: (c, p) => c.get(p), retried: true, keyed: false },
  { name: 'PUT', send: (c, p) => c.put(p, { qty: 1 }), retried: true, keyed: false },
  { name: 'POST without a key', send: (c, p) => c.post(p, { qty: 1 }), retried: false, keyed: false },
  { name: 'POST with an idempotency key', send: (c, p) => c.post(p, { qty: 1 }, { resilience: { idempotencyKey: true } }), retried: true, keyed: true },
];

describe.each(FAULTS)('first attempt gets $name, the second an answer', (f) => {
  test.each(METHODS)('$name', async (m) => {
    const server = await serve({ routes: { '/r': fault.script([f.first, fault.ok({ done: true })]) } });
    const { client, seen } = observe({ baseURL: server.url, retry: { maxAttempts: 3, backoff: FAST }, timeBudget: { totalMs: 3_000, attemptMs: 250 } });

    const result = await settle(m.send(client, '/r'));

    if (m.retried) {
      expect(result.ok ? 'resolved' : describeError(result.error)).toBe('resolved');
      expect(result.ok && result.value.data).toEqual({ done: true });
      expect(server.count()).toBe(2);
      expect(seen.retry).toHaveLength(1);
      const retry = seen.retry[0];
      if (f.status !== undefined) expect(retry.status).toBe(f.status);
      else expect([f.code].flat()).toContain(retry.code);
      expect(seen.success).toEqual([expect.objectContaining({ attempts: 2, status: 200 })]);
      expect(seen.failure).toEqual([]);
    } else {
      expect(result.ok).toBe(false);
      const err = (result as { error: WithResilience }).error;
      expect(server.count()).toBe(1); // sent exactly once, even though the next answer would have succeeded
      expect(resilienceOf(err)).toMatchObject({ attempts: 1, reason: 'not-retryable' });
      if (f.status !== undefined) expect(err.response?.status).toBe(f.status);
      else expect([f.code].flat()).toContain(err.code);
      expect(seen.retry).toEqual([]);
      expect(seen.failure).toEqual([expect.objectContaining({ attempts: 1, reason: 'not-retryable' })]);
    }
    const keys = server.requests.map((r) => r.headers['idempotency-key']);
    if (m.keyed) {
      expect(keys[0]).toEqual(expect.any(String));
      expect(keys).toEqual([keys[0], keys[0]]); // every attempt carries the same key
      expect([...server.attemptsByKey().values()]).toEqual([2]);
    } else {
      expect(keys.every((k) => k === undefined)).toBe(true);
    }
    expect(seen.attempt).toHaveLength(server.count());
  });
});

// ---- bodies cut short -------------------------------------------------------------

describe('a body cut short by a clean close (Content-Length larger than what is sent)', () => {
  test('axios reports ERR_BAD_RESPONSE "stream has been aborted", with the response (status 200) attached', async () => {
    const server = await serve({ routes: { '/t': fault.truncate({ sentBytes: 10, declaredBytes: 100 }) } });
    const { client } = observe({ baseURL: server.url, retry: false });
    const err = await rejection(client.get('/t'));
    expect(axios.isAxiosError(err)).toBe(true);
    expect(err.code).toBe('ERR_BAD_RESPONSE');
    expect(err.message).toBe('stream has been aborted');
    expect(err.response?.status).toBe(200);
    expect(server.count()).toBe(1);
  });

  test('a POST without a key is sent exactly once', async () => {
    const server = await serve({ routes: { '/t': fault.script([fault.truncate(), fault.ok()]) } });
    const { client, seen } = observe({ baseURL: server.url, retry: { backoff: FAST } });
    const err = await rejection(client.post('/t', { a: 1 }));
    expect(err.code).toBe('ERR_BAD_RESPONSE');
    expect(server.count()).toBe(1);
    expect(seen.failure).toHaveLength(1);
  });

  // Fails today (lib bug, reported with a patch): the engine sees `err.response` (200) and
  // treats the attempt as a 200 response: not retried, and recorded as a breaker *success*.
  test('a GET whose body was truncated is retried like a reset, and the breaker counts the cut attempt as a failure', async () => {
    const server = await serve({ routes: { '/t': fault.script([fault.truncate(), fault.ok({ whole: true })]) } });
    const { client, seen } = observe({ baseURL: server.url, retry: { backoff: FAST } });
    const result = await settle(client.get('/t'));
    expect({ ok: result.ok, requests: server.count(), retries: seen.retry.length }).toEqual({ ok: true, requests: 2, retries: 1 });
    expect(client.circuit()?.stats).toMatchObject({ failures: 1, successes: 1 });
  });
});

// ---- random 5xx at a rate -----------------------------------------------------------

describe('random 5xx at a rate (seeded)', () => {
  test('sequential GETs against 30% 503s: every call settles, retries absorb most failures, server counts match attempts', async () => {
    const run = async (): Promise<{ attempts: number[]; server: FaultServer; seen: Observed }> => {
      const server = await serve({ seed: 42, routes: { '/items/*': fault.flaky(0.3) } });
      const { client, seen } = observe({ baseURL: server.url, retry: { maxAttempts: 4, backoff: FAST }, circuitBreaker: false, random: seededRandom(1) });
      for (let i = 0; i < 40; i++) await settle(client.get(`/items/${i}`));
      return { attempts: [...seen.success, ...seen.failure].map((e) => e.attempts), server, seen };
    };
    const a = await run();
    const b = await run();
    expect(b.attempts).toEqual(a.attempts); // same seed, same arrival order: same faults

    const { server, seen } = a;
    expect(seen.success.length + seen.failure.length).toBe(40);
    expect(seen.retry.length).toBeGreaterThan(5);
    expect(seen.success.length).toBeGreaterThanOrEqual(38);
    const served503 = server.counts()['/items/*']?.byStatus[503] ?? 0;
    expect(server.count()).toBe(seen.attempt.length);
    expect(server.count()).toBe([...seen.success, ...seen.failure].reduce((n, e) => n + e.attempts, 0));
    expect(served503).toBe(seen.retry.length + seen.failure.length);
    for (const f of seen.failure) expect(f).toMatchObject({ reason: 'exhausted', attempts: 4, status: 503 });
  });
});

// ---- Retry-After ----------------------------------------------------------------------

describe('429 / 503 with Retry-After', () => {
  test('delta-seconds and HTTP-date forms are both waited out (concurrently, on two servers)', async () => {
    const run = async (f: Fault): Promise<{ server: FaultServer; seen: Observed; status: number; attemptsAt: number[] }> => {
      const server = await serve({ routes: { '/q': fault.script([f, fault.ok()]) } });
      const { client, clock, seen, call } = observeOnFakeClock({ baseURL: server.url, retry: { backoff: FAST } });
      const attemptsAt: number[] = [];
      client.on('attempt', () => attemptsAt.push(clock.now()));
      const res = await call(client.get('/q'));
      return { server, seen, status: res.status, attemptsAt };
    };
    const [delta, date] = await Promise.all([run(fault.retryAfter(429, 1, 'delta')), run(fault.retryAfter(503, 1, 'date'))]);
    for (const { server, seen, status, attemptsAt } of [delta, date]) {
      expect(status).toBe(200);
      expect(server.count()).toBe(2);
      // The server's value plus up to 10% of it, never less: random pinned at 0.5 gives 5%.
      expect(seen.retry).toEqual([expect.objectContaining({ retryAfterMs: 1000, delayMs: 1050 })]);
      // The second attempt went out after that wait on the client's clock, not before.
      expect(attemptsAt[1] - attemptsAt[0]).toBe(1050);
    }
    expect(delta.seen.retry[0]?.status).toBe(429);
    expect(date.seen.retry[0]?.status).toBe(503);
    expect(date.server.requests[0]?.outcome).toBe('retry-after');
  });

  test('a Retry-After longer than retryAfter.maxMs fails at once (retry-after-too-long), one request', async () => {
    const server = await serve({ routes: { '/q': fault.retryAfter(503, 120) } });
    const { client, clock, call } = observeOnFakeClock({ baseURL: server.url, retry: { retryAfter: { maxMs: 10_000 } } });
    const t0 = clock.now();
    const err = await rejection(call(client.get('/q')));
    expect(clock.now()).toBe(t0); // no wait of any length
    expect(resilienceOf(err)).toMatchObject({ attempts: 1, reason: 'retry-after-too-long' });
    expect(err.response?.status).toBe(503);
    expect(server.count()).toBe(1);
  });

  test('a Retry-After (HTTP-date) longer than the time left fails at once with DeadlineExceededError', async () => {
    const server = await serve({ routes: { '/q': fault.retryAfter(429, 2, 'date') } });
    const { client, clock, call } = observeOnFakeClock({ baseURL: server.url, timeBudget: { totalMs: 500 } });
    const t0 = clock.now();
    const err = await rejection(call(client.get('/q')));
    expect(clock.now()).toBe(t0); // no wait, not even the 500 ms left
    expect(isDeadlineExceededError(err)).toBe(true);
    expect(resilienceOf(err)).toMatchObject({ attempts: 1, reason: 'deadline', elapsedMs: 0 });
    expect(server.count()).toBe(1);
  });

  test('retryAfter.respect: false falls back to the backoff', async () => {
    const server = await serve({ routes: { '/q': fault.script([fault.retryAfter(429, 5), fault.ok()]) } });
    const { client, clock, seen, call } = observeOnFakeClock({ baseURL: server.url, retry: { backoff: FAST, retryAfter: { respect: false } } });
    const t0 = clock.now();
    expect((await call(client.get('/q'))).status).toBe(200);
    // The backoff's first wait (full jitter, random 0.5: 0.5 x 1 ms), not the server's 5 s.
    expect(seen.retry[0]?.retryAfterMs).toBeUndefined();
    expect(seen.retry[0]?.delayMs).toBe(0.5);
    expect(clock.now() - t0).toBe(0.5);
  });

  test('a POST with a key waits out Retry-After and keeps its key; without a key it is sent once', async () => {
    const server = await serve({ routes: { '/keyed': fault.script([fault.retryAfter(503, 0), fault.retryAfter(429, 0), fault.ok()]), '/plain': fault.retryAfter(503, 0) } });
    const { client } = observe({ baseURL: server.url, retry: { backoff: FAST, idempotencyKey: 'X-Request-Key' } });
    const { client: plain } = observe({ baseURL: server.url, retry: { backoff: FAST } });
    expect((await client.post('/keyed', { a: 1 })).status).toBe(200);
    const keys = server.requests.filter((r) => r.path === '/keyed').map((r) => r.headers['x-request-key']);
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);
    await rejection(plain.post('/plain', { a: 1 }));
    expect(server.count('/plain')).toBe(1);
  });
});

// ---- latency, hangs and time budgets --------------------------------------------------------

describe('latency and requests never answered, under time budgets', () => {
  test('fixed latency under attemptMs: one attempt, and the call takes at least the latency', async () => {
    const server = await serve({ routes: { '/slow': fault.latency(80) } });
    const { client, seen } = observe({ baseURL: server.url, timeBudget: { attemptMs: 300 } });
    const t0 = performance.now();
    expect((await client.get('/slow')).status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(75);
    expect(seen.attempt).toHaveLength(1);
  });

  test('random latency above attemptMs: every attempt is cut (ETIMEDOUT) until the deadline, which holds', async () => {
    const server = await serve({ seed: 5, routes: { '/slow': fault.latency([300, 600]) } });
    const { client, seen } = observe({ baseURL: server.url, retry: { maxAttempts: 10, backoff: FAST }, timeBudget: { totalMs: 450, attemptMs: 100 } });
    const t0 = performance.now();
    const err = await rejection(client.get('/slow'));
    const elapsed = performance.now() - t0;
    expect(isDeadlineExceededError(err)).toBe(true);
    // Real time: the deadline is never early; how late it may be under load is the benchmark's business (S6).
    expect(elapsed).toBeGreaterThanOrEqual(440);
    expect(elapsed).toBeLessThan(5_000);
    expect(seen.retry.length).toBeGreaterThanOrEqual(2);
    expect(seen.retry.every((r) => r.code === 'ETIMEDOUT')).toBe(true);
    // The last attempt may be cut by the deadline within a millisecond of being sent, before the
    // server has it in full: the server counts every attempt but, at most, that one.
    expect(server.count()).toBeLessThanOrEqual(seen.attempt.length);
    expect(server.count()).toBeGreaterThanOrEqual(seen.attempt.length - 1);
  });

  test('a server that never answers: totalMs holds (one attempt, no per-attempt limit)', async () => {
    const server = await serve({ routes: { '/hang': fault.hang() } });
    const { client, seen } = observe({ baseURL: server.url, timeBudget: { totalMs: 300, attemptMs: Infinity } });
    const t0 = performance.now();
    const err = await rejection(client.get('/hang'));
    const elapsed = performance.now() - t0;
    expect(isDeadlineExceededError(err)).toBe(true);
    // Real time: never early; generous above (lateness is measured by the benchmark, S6).
    expect(elapsed).toBeGreaterThanOrEqual(295);
    expect(elapsed).toBeLessThan(5_000);
    expect(seen.failure).toEqual([expect.objectContaining({ reason: 'deadline', attempts: 1 })]);
    expect(server.count()).toBe(1);
  });

  test('a server that never answers: attemptMs cuts each attempt, the call is exhausted with ETIMEDOUT; PUT and POST with a key too', async () => {
    const server = await serve({ routes: { '/hang': fault.hang() } });
    const { client, seen } = observe({ baseURL: server.url, retry: { maxAttempts: 3, backoff: FAST }, timeBudget: { totalMs: 5_000, attemptMs: 80 }, circuitBreaker: false });
    const errs = await Promise.all([
      rejection(client.get('/hang')),
      rejection(client.put('/hang', { a: 1 })),
      rejection(client.post('/hang', { a: 1 }, { resilience: { idempotencyKey: 'k-1' } })),
      rejection(client.post('/hang', { a: 1 })),
    ]);
    expect(errs.map((e) => [e.code, resilienceOf(e)?.reason, resilienceOf(e)?.attempts])).toEqual([
      ['ETIMEDOUT', 'exhausted', 3],
      ['ETIMEDOUT', 'exhausted', 3],
      ['ETIMEDOUT', 'exhausted', 3],
      ['ETIMEDOUT', 'not-retryable', 1],
    ]);
    expect(server.count()).toBe(10);
    expect(server.attemptsByKey().get('k-1')).toBe(3);
    expect(seen.failure).toHaveLength(4);
  });

  test('propagateHeader: the server sees the time left, shrinking on each attempt', async () => {
    const server = await serve({ routes: { '/p': fault.script([fault.status(503), fault.status(503), fault.ok()]) } });
    const { client } = observe({ baseURL: server.url, retry: { backoff: { type: 'constant', baseMs: 50, jitter: 'none' } }, timeBudget: { totalMs: 1_000, propagateHeader: 'x-deadline-ms' } });
    await client.get('/p');
    const left = server.requests.map((r) => Number(r.headers['x-deadline-ms']));
    expect(left).toHaveLength(3);
    expect(left[0]).toBeLessThanOrEqual(1000);
    expect(left[0]).toBeGreaterThan(left[1]);
    expect(left[1]).toBeGreaterThan(left[2]);
  });
});

// ---- phases and the circuit breaker -------------------------------------------------------

describe('healthy -> outage -> recovery, with a circuit breaker', () => {
  test('by request count: the breaker opens, refuses locally (nothing sent), probes, and closes after recovery', async () => {
    const server = await serve({
      routes: {
        '/b': fault.phases([{ name: 'healthy', for: 2, fault: fault.ok() }, { name: 'outage', for: 4, fault: fault.status(503) }, { name: 'recovery', fault: fault.ok() }], 'requests'),
      },
    });
    const { client, clock, seen } = observeOnFakeClock({ baseURL: server.url, retry: false, circuitBreaker: { trip: { type: 'consecutive', failures: 3 }, openMs: 100, maxOpenMs: 100, openJitter: 0 } });
    const outcomes: string[] = [];
    const call = async (): Promise<void> => {
      const r = await settle(client.get('/b'));
      outcomes.push(r.ok ? String(r.value.status) : isCircuitOpenError(r.error) ? 'refused' : String(r.error.response?.status));
    };
    for (let i = 0; i < 7; i++) await call(); // 2 ok, 3 x 503 (opens), then refused
    expect(outcomes).toEqual(['200', '200', '503', '503', '503', 'refused', 'refused']);
    expect(server.count()).toBe(5);
    await clock.advance(100);
    await call(); // trial, still in the outage: reopens
    await call();
    await clock.advance(100);
    await call(); // trial, recovered: closes
    await call();
    expect(outcomes.slice(7)).toEqual(['503', 'refused', '200', '200']);
    expect(transitions(seen)).toEqual(['OPEN', 'HALF_OPEN', 'OPEN', 'HALF_OPEN', 'CLOSED']);
    expect(server.count()).toBe(8);
    expect(seen.attempt).toHaveLength(8);
    expect(seen.success.length + seen.failure.length).toBe(11);
    expect(server.requests.map((r) => r.phase)).toEqual(['healthy', 'healthy', 'outage', 'outage', 'outage', 'outage', 'recovery', 'recovery']);
  });

  // The fault server's time phases run on real time. Here a loopback server's phases follow the
  // client's FakeClock instead, so the timeline is exact and nothing is slept; the sockets are real.
  test('by elapsed time, with retries and several callers: opens during the outage, closed after recovery, nothing sent while open', async () => {
    const clock = new FakeClock();
    const t0 = clock.now();
    const pick = seededRandom(9);
    const phases: string[] = [];
    const server = await loopback((req, res) => {
      const at = clock.now() - t0;
      const phase = at < 150 ? 'healthy' : at < 450 ? 'outage' : 'recovery';
      phases.push(phase);
      if (phase === 'outage' && pick() < 0.5) req.socket.destroy();
      else res.writeHead(phase === 'outage' ? 503 : 200).end();
    });
    const { client, seen } = observe({ clock, random: seededRandom(1), baseURL: server.url, retry: { maxAttempts: 3, backoff: FAST }, circuitBreaker: { trip: { type: 'consecutive', failures: 5 }, openMs: 80 } });
    let openAt: number | undefined;
    let closedAt: number | undefined;
    client.on('circuit-open', () => (openAt ??= clock.now() - t0));
    client.on('circuit-close', () => (closedAt = clock.now() - t0));
    let calls = 0;
    const caller = async (id: number): Promise<void> => {
      while (clock.now() - t0 < 800) {
        calls++;
        await settle(client.get(`/b/${id}`));
        await clock.sleep(10);
      }
    };
    await settleOnSockets(clock, client, Promise.all([caller(1), caller(2), caller(3)]), 30_000);
    expect(openAt).toBeGreaterThanOrEqual(150);
    expect(openAt).toBeLessThan(450);
    expect(closedAt).toBeGreaterThanOrEqual(450);
    expect(client.circuit()?.state).toBe('CLOSED');
    expect(seen.success.length + seen.failure.length).toBe(calls);
    expect(seen.failure.some((f) => f.reason === 'circuit-open' && f.attempts === 0)).toBe(true);
    expect(server.requests).toHaveLength(seen.attempt.length);
    expect(phases.filter((p) => p === 'outage').length).toBeGreaterThanOrEqual(5);
  });
});

// ---- many concurrent calls ------------------------------------------------------------------

describe('200 concurrent calls on one client against a flaky backend', () => {
  test.each([
    ['breaker off', false as const],
    ['default breaker', undefined],
  ])('%s: each call settles once, with one success or failure event, and the server saw exactly the attempts', async (_name, circuitBreaker) => {
    const server = await serve({ seed: 11, routes: { '/c/*': fault.latency([0, 20], fault.random(0.3, fault.random(0.7, fault.status(503), fault.reset()), fault.ok())) } });
    const config: ResilientClientConfig = { baseURL: server.url, retry: { maxAttempts: 4, backoff: { baseMs: 5, maxMs: 50 } } };
    const { client, seen } = observe(circuitBreaker === false ? { ...config, circuitBreaker: false } : config);
    const N = 200;
    let settledTwice = 0;
    const settled = new Array<number>(N).fill(0);
    const results = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        client
          .get(`/c/${i}`, { headers: { 'x-request-id': `call-${i}` } })
          .then(
            () => 'ok',
            (err: unknown) => resilienceOf(err)?.reason ?? 'unknown',
          )
          .finally(() => {
            settled[i] = (settled[i] ?? 0) + 1;
            if ((settled[i] ?? 0) > 1) settledTwice++;
          }),
      ),
    );
    await sleep(50); // nothing settles or emits late
    expect(settledTwice).toBe(0);
    expect(settled.every((n) => n === 1)).toBe(true);
    const events = [...seen.success, ...seen.failure];
    expect(events).toHaveLength(N);
    const byUrl = new Map(events.map((e) => [e.url, e]));
    expect(byUrl.size).toBe(N); // one event per call
    expect(results.filter((r) => r === 'ok')).toHaveLength(seen.success.length);
    for (const f of seen.failure) expect(['exhausted', 'retry-budget', 'circuit-open']).toContain(f.reason);

    expect(server.count()).toBe(seen.attempt.length);
    expect(server.count()).toBe(events.reduce((n, e) => n + e.attempts, 0));
    const perKey = server.attemptsByKey();
    for (let i = 0; i < N; i++) expect(perKey.get(`call-${i}`) ?? 0).toBe(byUrl.get(`/c/${i}`)?.attempts);
    if (circuitBreaker === false) expect(seen.success.length).toBeGreaterThan(N * 0.9);
  });
});

// ---- a server killed and restarted ----------------------------------------------------------

describe('a server killed and restarted mid-run on the same port', () => {
  test('calls during the gap get ECONNREFUSED and are retried or fail cleanly; later calls succeed; every call settles', async () => {
    const server = await serve({ routes: { '/w/*': fault.latency([2, 10]) } });
    const { client, seen } = observe({
      baseURL: server.url,
      retry: { maxAttempts: 6, backoff: { type: 'constant', baseMs: 60, jitter: 'none' } },
      timeBudget: { totalMs: 2_000, attemptMs: 500 },
      circuitBreaker: { trip: { type: 'consecutive', failures: 5 }, openMs: 150, maxOpenMs: 150 },
    });
    server.reset(); // the server's clock (ReceivedRequest.atMs) starts with t0
    const t0 = performance.now();
    const starts: number[] = [];
    const calls: Promise<{ ok: boolean; reason: string | undefined; code: string | undefined }>[] = [];
    let killedAt = Infinity; // when the server was down for sure
    let restartingAt = Infinity; // when it began listening again, at the earliest
    let restartedAt = Infinity;
    const lifecycle = (async () => {
      // Kill only once some requests got through (under load 150 ms may not be enough).
      await sleep(150);
      for (let i = 0; i < 200 && server.count() < 3; i++) await sleep(10);
      await server.kill();
      killedAt = performance.now() - t0;
      expect(server.listening).toBe(false);
      await sleep(300);
      restartingAt = performance.now() - t0;
      await server.restart();
      restartedAt = performance.now() - t0;
    })();
    for (let i = 0; i < 50; i++) {
      starts.push(performance.now() - t0);
      calls.push(
        client.get(`/w/${i}`).then(
          () => ({ ok: true, reason: undefined, code: undefined }),
          (err: unknown) => ({ ok: false, reason: resilienceOf(err)?.reason, code: (err as { code?: string }).code }),
        ),
      );
      await sleep(20);
    }
    await lifecycle;
    const results = await Promise.all(calls);

    expect(seen.success.length + seen.failure.length).toBe(50);
    expect(server.listening).toBe(true);
    const refusedRetries = seen.retry.filter((r) => r.code === 'ECONNREFUSED' || r.code === 'ECONNRESET');
    expect(refusedRetries.length).toBeGreaterThan(0);
    for (const r of results.filter((x) => !x.ok)) {
      expect(['exhausted', 'circuit-open', 'deadline']).toContain(r.reason);
      expect(['ECONNREFUSED', 'ECONNRESET', 'ERR_CIRCUIT_OPEN', 'ERR_DEADLINE_EXCEEDED']).toContain(r.code);
    }
    // Calls started well after the restart (and the breaker's openMs) all succeed.
    const late = results.filter((_, i) => (starts[i] ?? 0) > restartedAt + 150 + 100);
    expect(late.length).toBeGreaterThan(5);
    expect(late.every((r) => r.ok)).toBe(true);
    expect(client.circuit()?.state).toBe('CLOSED');
    // The server only counted what reached it, before the kill and after the restart.
    expect(server.count()).toBeLessThanOrEqual(seen.attempt.length);
    expect(server.requests.some((r) => r.atMs < killedAt)).toBe(true);
    expect(server.requests.some((r) => r.atMs > restartingAt)).toBe(true);
    expect(server.requests.some((r) => r.atMs > killedAt && r.atMs < restartingAt)).toBe(false);
  });
});
