/**
 * The call lifecycle the way people really use axios, on real loopback
 * sockets: async predicates, replayed configs (the 401-refresh pattern),
 * custom adapters that throw plain errors or ignore their abort signal,
 * transforms that throw, URLs axios cannot parse. Each case was a defect of
 * 0.1.0; each asserts what the caller sees and that nothing stays in flight.
 */
import axios, { AxiosError } from 'axios';
import type { AxiosAdapter, InternalAxiosRequestConfig } from 'axios';
import { ResilientClient, attemptOf, isDeadlineExceededError, resilienceOf } from '../../lib/index.js';
import type { AttemptEndEvent, AttemptInfo, ResilientClientConfig, ResilientEvents } from '../../lib/index.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { closedPort, serversClosedAfterEach } from '../helpers/server.js';

const serve = serversClosedAfterEach();
const NO_WAIT = { type: 'constant', baseMs: 0 } as const;

/** Records every event of a client as `name:detail` lines. */
function journal(client: ResilientClient): string[] {
  const lines: string[] = [];
  const on = <K extends keyof ResilientEvents>(name: K, detail: (e: Parameters<ResilientEvents[K]>[0]) => string): void => {
    (client.on as (n: string, fn: (e: Parameters<ResilientEvents[K]>[0]) => void) => unknown)(name, (e) => lines.push(`${name}:${detail(e)}`));
  };
  on('attempt', (e) => `${e.callId}#${e.attempt}`);
  on('attempt-end', (e) => `${e.callId}#${e.attempt}:${e.outcome}:${e.status ?? e.code}`);
  on('retry', (e) => `${e.callId}#${e.attempt}`);
  on('success', (e) => `${e.callId}:${e.status}`);
  on('failure', (e) => `${e.callId}:${e.reason}`);
  return lines;
}

/** The call id in a `journal` line (`name:callId...`). */
function callIdOf(line: string): string | undefined {
  return /^[\w-]+:(c[0-9a-z]+)/.exec(line)?.[1];
}

function client(config: ResilientClientConfig): ResilientClient {
  return new ResilientClient({ retry: { backoff: NO_WAIT }, ...config });
}

describe('retryIf returning a promise', () => {
  test('an async false is honoured: a 503 GET is not retried', async () => {
    const server = await serve([{ status: 503 }, { status: 200 }]);
    const c = client({ baseURL: server.url, retry: { backoff: NO_WAIT, retryIf: async () => Promise.resolve(false) } });
    const err = await c.get('/x').catch((e: unknown) => e);
    expect(resilienceOf(err)).toMatchObject({ attempts: 1, reason: 'not-retryable' });
    expect(server.requests).toHaveLength(1);
  });

  test('an async true retries an outcome the lists would not', async () => {
    const server = await serve([{ status: 404 }, { status: 200 }]);
    const c = client({ baseURL: server.url, retry: { backoff: NO_WAIT, retryIf: async ({ response }) => Promise.resolve(response?.status === 404) } });
    await expect(c.get('/x')).resolves.toMatchObject({ status: 200 });
    expect(server.requests).toHaveLength(2);
  });

  test('a rejection fails the call with that error, reason not-retryable, and nothing is unhandled', async () => {
    const server = await serve([{ status: 503 }, { status: 200 }]);
    const boom = new Error('predicate failed');
    const c = client({ baseURL: server.url, retry: { backoff: NO_WAIT, retryIf: () => Promise.reject(boom) } });
    const err = await c.get('/x').catch((e: unknown) => e);
    expect(err).toBe(boom);
    expect(resilienceOf(err)).toMatchObject({ attempts: 1, reason: 'not-retryable' });
    expect(c.stats()).toMatchObject({ inFlight: 0, failures: 1 });
  });

  test('a predicate that never settles is cut by the deadline', async () => {
    const clock = new FakeClock();
    const adapter: AxiosAdapter = (config) => Promise.reject(new AxiosError('503', AxiosError.ERR_BAD_RESPONSE, config, {}, { status: 503, statusText: '', headers: {}, config, data: '' }));
    const c = client({ adapter, clock, timeBudget: { totalMs: 1_000 }, retry: { retryIf: () => new Promise<boolean>(() => undefined) } });
    const pending = c.get('http://a.test/x').catch((e: unknown) => e);
    await clock.advance(1_000);
    const err = await pending;
    expect(isDeadlineExceededError(err)).toBe(true);
    expect(resilienceOf(err)?.reason).toBe('deadline');
    expect(clock.pending).toBe(0);
  });

  test('is not asked when no attempt is left', async () => {
    const server = await serve([{ status: 503 }]);
    const retryIf = jest.fn(() => true);
    const c = client({ baseURL: server.url, retry: { maxAttempts: 2, backoff: NO_WAIT, retryIf } });
    const err = await c.get('/x').catch((e: unknown) => e);
    expect(resilienceOf(err)).toMatchObject({ attempts: 2, reason: 'exhausted' });
    expect(retryIf).toHaveBeenCalledTimes(1);
  });
});

describe('a custom adapter that throws a plain Error (no config)', () => {
  test('the call fails with it at once, frees its bulkhead slot and emits failure', async () => {
    const adapter: AxiosAdapter = () => {
      throw new Error('boom');
    };
    const c = client({ adapter, concurrency: { max: 1, queue: 0 } });
    const lines = journal(c);
    const err = await c.get('http://a.test/x').catch((e: unknown) => e);
    expect((err as Error).message).toBe('boom');
    expect(resilienceOf(err)).toMatchObject({ attempts: 1, reason: 'not-retryable' });
    expect(c.stats()).toMatchObject({ inFlight: 0, failures: 1, bulkhead: { active: 0 } });
    expect(lines.map((l) => l.replace(callIdOf(l) ?? '', 'C'))).toEqual(['attempt:C#1', 'attempt-end:C#1:error:undefined', 'failure:C:not-retryable']);
    // The slot is free: the next call is not refused by the bulkhead.
    const next = await c.get('http://a.test/y').catch((e: unknown) => e);
    expect((next as Error).message).toBe('boom');
  });
});

describe('replaying a settled call’s config starts a new call', () => {
  test('401 -> refresh -> client.axios(err.config): the replay retries its 503 and succeeds', async () => {
    const server = await serve((req, res, recorded) => {
      const n = recorded.index;
      const auth = req.headers.authorization;
      const status = n === 0 ? 401 : n === 1 ? 503 : auth === 'Bearer fresh' ? 200 : 401;
      res.writeHead(status).end();
    });
    const c = client({ baseURL: server.url, headers: { Authorization: 'Bearer stale' } });
    const lines = journal(c);
    let refreshed = false;
    c.axios.interceptors.response.use(undefined, async (error: AxiosError) => {
      if (error.response?.status !== 401 || refreshed || error.config === undefined) throw error;
      refreshed = true;
      error.config.headers.set('Authorization', 'Bearer fresh');
      return c.axios(error.config);
    });
    await expect(c.get('/me')).resolves.toMatchObject({ status: 200 });
    expect(server.requests).toHaveLength(3);
    const calls = new Set(lines.map(callIdOf));
    expect(calls.size).toBe(2);
    const [first, second] = [...calls];
    expect(lines).toEqual([
      `attempt:${first}#1`, `attempt-end:${first}#1:response:401`, `failure:${first}:not-retryable`,
      `attempt:${second}#1`, `attempt-end:${second}#1:response:503`, `retry:${second}#1`,
      `attempt:${second}#2`, `attempt-end:${second}#2:response:200`, `success:${second}:200`,
    ]);
    expect(c.stats()).toMatchObject({ calls: 2, attempts: 3, inFlight: 0, successes: 1, failures: 1 });
  });

  test('client.request(err.config) three times: each is a call of its own, nothing stays in flight', async () => {
    const server = await serve([{ status: 404 }]);
    const c = client({ baseURL: server.url });
    const first = (await c.get('/x').catch((e: unknown) => e)) as AxiosError;
    const inFlight: number[] = [];
    for (let i = 0; i < 3; i++) {
      const again = (await c.request(first.config as InternalAxiosRequestConfig).catch((e: unknown) => e)) as AxiosError;
      expect(resilienceOf(again)).toMatchObject({ attempts: 1, reason: 'not-retryable' });
      inFlight.push(c.stats().inFlight);
    }
    expect(inFlight).toEqual([0, 0, 0]);
    expect(c.stats()).toMatchObject({ calls: 4, failures: 4 });
    expect(server.requests).toHaveLength(4);
  });

  test('the replayed config is the caller’s: its own signal, adapter and transforms', async () => {
    const server = await serve([{ status: 404 }]);
    const c = client({ baseURL: server.url });
    const controller = new AbortController();
    const err = (await c.post('/x', { a: 1 }, { signal: controller.signal }).catch((e: unknown) => e)) as AxiosError;
    const config = err.config as InternalAxiosRequestConfig;
    expect(config.signal).toBe(controller.signal);
    expect(config.adapter).toEqual(c.axios.defaults.adapter);
    expect(config.transformRequest).toEqual(c.axios.defaults.transformRequest);
    await expect(axios.request({ ...config, validateStatus: () => true })).resolves.toMatchObject({ status: 404 });
    expect(server.requests.map((r) => r.body)).toEqual(['{"a":1}', '{"a":1}']);
  });
});

describe('one attempt ends once', () => {
  test('validateStatus accepting a retried status: two attempts, two attempt-end events', async () => {
    const server = await serve([{ status: 503 }, { status: 200 }]);
    const c = client({ baseURL: server.url, validateStatus: () => true });
    const ends: AttemptEndEvent[] = [];
    c.on('attempt-end', (e) => ends.push(e));
    await expect(c.get('/x')).resolves.toMatchObject({ status: 200 });
    expect(ends.map((e) => [e.attempt, e.outcome, e.status])).toEqual([[1, 'response', 503], [2, 'response', 200]]);
  });
});

describe('rejections that are not AxiosErrors', () => {
  test('a transformResponse that throws: the error reaches the caller with err.resilience, nothing held', async () => {
    const server = await serve([{ json: { a: 1 } }]);
    const oops = new Error('bad parse');
    const c = client({ baseURL: server.url, concurrency: { max: 1, queue: 0 }, transformResponse: [() => { throw oops; }] });
    const err = await c.get('/x').catch((e: unknown) => e);
    expect(err).toBe(oops);
    expect(resilienceOf(err)).toMatchObject({ attempts: 1, reason: 'not-retryable' });
    expect(c.stats()).toMatchObject({ inFlight: 0, bulkhead: { active: 0 } });
  });

  test('a URL axios cannot parse fails at once, and a HALF_OPEN trial that hits it does not wedge the breaker', async () => {
    const clock = new FakeClock();
    const port = await closedPort();
    const c = client({ clock, retry: false, circuitBreaker: { key: 'client', trip: { type: 'consecutive', failures: 1 }, openMs: 1_000, openJitter: 0 } });
    await c.get(`http://127.0.0.1:${port}/down`).catch(() => undefined); // refused: the breaker opens
    expect(c.circuit()?.state).toBe('OPEN');
    await clock.advance(1_000);
    const err = await c.get('http://user:pw@127.0.0.1:99999/x').catch((e: unknown) => e); // takes the trial
    expect((err as { code?: string }).code).toBe('ERR_INVALID_URL');
    expect(resilienceOf(err)).toMatchObject({ attempts: 1, reason: 'not-retryable' });
    // Our own request's fault says nothing of the server: the trial slot is free again.
    const next = await c.get(`http://127.0.0.1:${port}/down`).catch((e: unknown) => e);
    expect((next as AxiosError).code).toBe('ECONNREFUSED');
    expect(c.stats()).toMatchObject({ inFlight: 0 });
  });
});

describe('the total deadline holds whatever the adapter does', () => {
  test('an adapter that ignores config.signal and never answers: DeadlineExceededError at the deadline', async () => {
    const clock = new FakeClock();
    const adapter: AxiosAdapter = () => new Promise(() => undefined);
    const c = client({ adapter, clock, timeBudget: { totalMs: 300 } });
    const pending = c.get('http://a.test/x').catch((e: unknown) => e);
    await clock.advance(300);
    const err = await pending;
    expect(isDeadlineExceededError(err)).toBe(true);
    expect(c.stats()).toMatchObject({ inFlight: 0, failures: 1 });
    expect(clock.pending).toBe(0);
  });

  test('one that answers after the deadline: still DeadlineExceededError, never a CanceledError', async () => {
    const clock = new FakeClock();
    let answer: (() => void) | undefined;
    const adapter: AxiosAdapter = (config) => new Promise((resolve) => {
      answer = () => resolve({ data: 'late', status: 200, statusText: 'OK', headers: {}, config, request: {} });
    });
    const c = client({ adapter, clock, timeBudget: { totalMs: 300 } });
    const pending = c.get('http://a.test/x').catch((e: unknown) => e);
    await clock.advance(300);
    answer?.();
    const err = await pending;
    expect(isDeadlineExceededError(err)).toBe(true);
    expect(axios.isCancel(err)).toBe(false);
  });
});

describe('a request that never left the client', () => {
  test('a POST refused at connect time is retried (nothing reached the server)', async () => {
    const port = await closedPort();
    const c = client({ retry: { maxAttempts: 3, backoff: NO_WAIT } });
    const lines = journal(c);
    const err = await c.post(`http://127.0.0.1:${port}/charges`, { amount: 1 }).catch((e: unknown) => e);
    expect((err as AxiosError).code).toBe('ECONNREFUSED');
    expect(resilienceOf(err)).toMatchObject({ attempts: 3, reason: 'exhausted' });
    expect(lines.filter((l) => l.startsWith('retry:'))).toHaveLength(2);
  });
});

describe('attemptOf, callId and attempt-end', () => {
  test('a request interceptor sees each attempt; events of one call share its callId', async () => {
    const server = await serve([{ status: 503 }, { status: 503 }, { status: 200 }]);
    const c = client({ baseURL: server.url, timeBudget: { totalMs: 10_000 } });
    const seen: AttemptInfo[] = [];
    c.axios.interceptors.request.use((config) => {
      const info = attemptOf(config);
      if (info !== undefined) seen.push(info);
      config.headers.set('x-attempt', String(info?.attempt));
      return config;
    });
    const lines = journal(c);
    const res = await c.get('/x');
    expect(seen.map((s) => [s.attempt, s.maxAttempts, s.hedge])).toEqual([[1, 3, false], [2, 3, false], [3, 3, false]]);
    expect(new Set(seen.map((s) => s.callId)).size).toBe(1);
    expect(seen.every((s) => s.remainingMs > 0 && s.remainingMs <= 10_000)).toBe(true);
    expect(server.requests.map((r) => r.headers['x-attempt'])).toEqual(['1', '2', '3']);
    expect(new Set(lines.map(callIdOf))).toEqual(new Set([seen[0].callId]));
    expect(attemptOf(res.config)).toMatchObject({ callId: seen[0].callId, attempt: 3 });
    expect(attemptOf({})).toBeUndefined();
  });
});

describe('retry.validateResponse', () => {
  test('a body the check rejects is retried like a listed status; when attempts run out the call rejects with it', async () => {
    const server = await serve([{ json: { ok: false } }]);
    const c = client({ baseURL: server.url, retry: { maxAttempts: 2, backoff: NO_WAIT, validateResponse: (r) => (r.data as { ok: boolean }).ok } });
    const lines = journal(c);
    const err = await c.get('/x').catch((e: unknown) => e);
    expect((err as AxiosError).code).toBe('ERR_BAD_RESPONSE_BODY');
    expect((err as AxiosError).response?.data).toEqual({ ok: false });
    expect(resilienceOf(err)).toMatchObject({ attempts: 2, reason: 'exhausted' });
    expect(server.requests).toHaveLength(2);
    expect(lines.filter((l) => l.startsWith('retry:'))).toHaveLength(1);
    expect(c.circuit(server.url)?.stats.failures).toBe(2);
  });
});

describe('dispose', () => {
  test('Symbol.asyncDispose disposes the client (await using)', async () => {
    const c = client({});
    const asyncDispose = (Symbol as { asyncDispose?: symbol }).asyncDispose as symbol;
    const spy = jest.spyOn(c, 'dispose');
    await (c as unknown as Record<symbol, () => Promise<void>>)[asyncDispose]();
    expect(spy).toHaveBeenCalledTimes(1);
  });
});
