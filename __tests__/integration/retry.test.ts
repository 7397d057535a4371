/**
 * The retry engine against real sockets: Node http servers on 127.0.0.1.
 * Asserts what a user sees: the result or rejection, what the server received,
 * and the events. The client runs on a FakeClock with `random` pinned: its
 * waits (backoff, Retry-After, attempt limits) pass when the clock is moved,
 * so they are asserted exactly and never slept.
 */
import { Readable } from 'node:stream';
import axios, { AxiosError } from 'axios';
import { ResilientClient } from '../../lib/index.js';
import type { ResilientClientConfig, RetryOutcome } from '../../lib/index.js';
import { rejection } from '../helpers/engine-harness.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { eventually, settleOnSockets } from '../helpers/real-io.js';
import { recordEvents } from '../helpers/record-events.js';
import { closedPort, serversClosedAfterEach } from '../helpers/server.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
/** Small backoff so the suite stays fast. */
const FAST = { baseMs: 1, maxMs: 5 } as const;

const serve = serversClosedAfterEach();

/** A client on a FakeClock (random 0.5) recording its call events; `call(p)` settles `p` on the sockets, moving the clock through its waits. */
function client(config: ResilientClientConfig = {}) {
  const clock = new FakeClock();
  const c = new ResilientClient({ clock, random: () => 0.5, ...config });
  const events = recordEvents(c, 'attempt', 'retry', 'success', 'failure');
  const call = <T>(p: Promise<T>): Promise<T> => settleOnSockets(clock, c, p);
  return { client: c, clock, events, call };
}

describe('retry on real sockets: status codes', () => {
  test('GET 503, 503, 200 resolves with the 200 after three requests, with the events of every step', async () => {
    const server = await serve([{ status: 503 }, { status: 503 }, { status: 200, json: { hello: 'world' } }]);
    const { client: c, events, call } = client({ baseURL: server.url, retry: { backoff: FAST } });

    const res = await call(c.get<{ hello: string }>('/flaky'));

    expect(res.status).toBe(200);
    expect(res.data).toEqual({ hello: 'world' });
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /flaky', 'GET /flaky', 'GET /flaky']);
    expect(events.attempt.map((e) => e.attempt)).toEqual([1, 2, 3]);
    for (const e of events.attempt) {
      expect(e).toMatchObject({ method: 'GET', url: '/flaky', maxAttempts: 3, timeoutMs: 10_000 });
    }
    expect(events.retry).toHaveLength(2);
    events.retry.forEach((e, i) => {
      expect(e).toMatchObject({ method: 'GET', url: '/flaky', attempt: i + 1, status: 503, code: 'ERR_BAD_RESPONSE', retryAfterMs: undefined });
      expect(axios.isAxiosError(e.error)).toBe(true);
    });
    // exponential, full jitter: random x min(maxMs, baseMs x 2^(attempt-1)), random pinned at 0.5
    expect(events.retry.map((e) => e.delayMs)).toEqual([0.5, 1]);
    expect(events.success).toHaveLength(1);
    expect(events.success[0]).toMatchObject({ method: 'GET', url: '/flaky', attempts: 3, status: 200 });
    expect(events.success[0].elapsedMs).toBeGreaterThanOrEqual(0);
    expect(events.failure).toEqual([]);
    expect(c.stats()).toMatchObject({ calls: 1, attempts: 3, retries: 2, successes: 1, failures: 0 });
  });

  test('GET 503 on every attempt rejects with the last 503, reason exhausted', async () => {
    const server = await serve([{ status: 503, json: { n: 'any' } }]);
    const { client: c, events, call } = client({ baseURL: server.url, retry: { maxAttempts: 2, backoff: FAST } });

    const err = await rejection(call(c.get('/down')));

    expect(err).toBeInstanceOf(AxiosError);
    expect(err.response?.status).toBe(503);
    expect(err.resilience).toMatchObject({ attempts: 2, reason: 'exhausted' });
    expect(server.requests).toHaveLength(2);
    expect(events.failure).toHaveLength(1);
    expect(events.failure[0]).toMatchObject({ attempts: 2, reason: 'exhausted', status: 503 });
    expect(events.success).toEqual([]);
  });

  test('POST 503 is not retried: one request, the AxiosError, reason not-retryable', async () => {
    const server = await serve([{ status: 503 }, { status: 200 }]);
    const { client: c, events, call } = client({ baseURL: server.url, retry: { backoff: FAST } });

    const err = await rejection(call(c.post('/charges', { amount: 100 })));

    expect(axios.isAxiosError(err)).toBe(true);
    expect(err).toBeInstanceOf(AxiosError);
    expect(err.response?.status).toBe(503);
    expect(err.resilience).toMatchObject({ attempts: 1, reason: 'not-retryable' });
    expect(server.requests).toHaveLength(1);
    expect(events.retry).toEqual([]);
    expect(events.failure).toMatchObject([{ method: 'POST', attempts: 1, reason: 'not-retryable' }]);
  });

  test('404 is not retried: reason not-retryable', async () => {
    const server = await serve([{ status: 404 }, { status: 200 }]);
    const { client: c, call } = client({ baseURL: server.url, retry: { backoff: FAST } });

    const err = await rejection(call(c.get('/missing')));

    expect(err.response?.status).toBe(404);
    expect(err.resilience).toMatchObject({ attempts: 1, reason: 'not-retryable' });
    expect(server.requests).toHaveLength(1);
  });

  test('retry: false on the client never retries a 503', async () => {
    const server = await serve([{ status: 503 }, { status: 200 }]);
    const { client: c, events, call } = client({ baseURL: server.url, retry: false });

    const err = await rejection(call(c.get('/x')));

    expect(err.response?.status).toBe(503);
    expect(err.resilience).toMatchObject({ attempts: 1, reason: 'not-retryable' });
    expect(server.requests).toHaveLength(1);
    expect(events.attempt.map((e) => e.maxAttempts)).toEqual([1]);
  });

  test('resilience.retry: false on one request never retries it; the next call still retries', async () => {
    const server = await serve([{ status: 503 }, { status: 503 }, { status: 200 }]);
    const { client: c, call } = client({ baseURL: server.url, retry: { backoff: FAST } });

    const err = await rejection(call(c.get('/x', { resilience: { retry: false } })));
    expect(err.resilience).toMatchObject({ attempts: 1, reason: 'not-retryable' });
    expect(server.requests).toHaveLength(1);

    const res = await call(c.get('/x'));
    expect(res.status).toBe(200);
    expect(server.requests).toHaveLength(3);
  });

  test('retry.retryIf returning true retries a 404', async () => {
    const server = await serve([{ status: 404 }, { status: 404 }, { status: 200, json: 'found' }]);
    const seen: Array<{ method: string; attempt: number; status: number | undefined }> = [];
    const retryIf = (o: RetryOutcome): boolean => {
      seen.push({ method: o.method, attempt: o.attempt, status: o.response?.status });
      return o.response?.status === 404;
    };
    const { client: c, call } = client({ baseURL: server.url, retry: { backoff: FAST, retryIf } });

    const res = await call(c.get('/eventually'));

    expect(res.status).toBe(200);
    expect(res.data).toBe('found');
    expect(server.requests).toHaveLength(3);
    expect(seen).toEqual([
      { method: 'GET', attempt: 1, status: 404 },
      { method: 'GET', attempt: 2, status: 404 },
    ]);
  });

  test('retry.retryIf returning false stops a 503 from being retried', async () => {
    const server = await serve([{ status: 503 }, { status: 200 }]);
    const { client: c, call } = client({ baseURL: server.url, retry: { backoff: FAST, retryIf: () => false } });

    const err = await rejection(call(c.get('/x')));

    expect(err.response?.status).toBe(503);
    expect(err.resilience).toMatchObject({ attempts: 1, reason: 'not-retryable' });
    expect(server.requests).toHaveLength(1);
  });

  test('retry.retryIf returning undefined keeps the built-in decision (503 retried)', async () => {
    const server = await serve([{ status: 503 }, { status: 200 }]);
    const { client: c, call } = client({ baseURL: server.url, retry: { backoff: FAST, retryIf: () => undefined } });

    await expect(call(c.get('/x'))).resolves.toMatchObject({ status: 200 });
    expect(server.requests).toHaveLength(2);
  });

  test('a 404 that retryIf keeps retrying until attempts run out fails with reason exhausted', async () => {
    const server = await serve([{ status: 404 }]);
    const { client: c, call } = client({ baseURL: server.url, retry: { backoff: FAST, retryIf: (o) => o.response?.status === 404 } });

    const err = await rejection(call(c.get('/never')));

    expect(server.requests).toHaveLength(3);
    expect(err.response?.status).toBe(404);
    // The attempts were used up on an outcome the caller declared retryable.
    expect(err.resilience).toMatchObject({ attempts: 3, reason: 'exhausted' });
  });
});

describe('retry on real sockets: idempotency keys', () => {
  test('POST with retry.idempotencyKey: true is retried, every attempt carrying the same generated key and the same JSON body', async () => {
    const server = await serve([{ status: 503 }, { status: 503 }, { status: 201, json: { id: 'ch_1' } }]);
    const { client: c, call } = client({ baseURL: server.url, retry: { backoff: FAST, idempotencyKey: true } });
    const body = { amount: 100, currency: 'EUR', items: [{ sku: 'a', qty: 2 }] };

    const res = await call(c.post<{ id: string }>('/charges', body));

    expect(res.status).toBe(201);
    expect(res.data).toEqual({ id: 'ch_1' });
    expect(server.requests).toHaveLength(3);
    const keys = server.requests.map((r) => r.headers['idempotency-key']);
    expect(keys[0]).toMatch(UUID);
    expect(new Set(keys).size).toBe(1);
    for (const r of server.requests) {
      expect(r.method).toBe('POST');
      expect(r.body).toBe(JSON.stringify(body)); // serialised once: not double-encoded
      expect(JSON.parse(r.body)).toEqual(body);
      expect(r.headers['content-type']).toMatch(/^application\/json/);
      expect(r.headers['content-length']).toBe(String(Buffer.byteLength(JSON.stringify(body))));
    }
  });

  test('two calls get two different generated keys', async () => {
    const server = await serve([{ status: 200 }]);
    const { client: c, call } = client({ baseURL: server.url, retry: { backoff: FAST, idempotencyKey: true } });

    await call(c.post('/a', { n: 1 }));
    await call(c.post('/a', { n: 2 }));

    const [k1, k2] = server.requests.map((r) => r.headers['idempotency-key']);
    expect(k1).toMatch(UUID);
    expect(k2).toMatch(UUID);
    expect(k1).not.toBe(k2);
  });

  test("a caller-supplied Idempotency-Key header is kept as is on every attempt", async () => {
    const server = await serve([{ status: 503 }, { status: 503 }, { status: 200 }]);
    const { client: c, call } = client({ baseURL: server.url, retry: { backoff: FAST, idempotencyKey: true } });

    await call(c.post('/charges', { amount: 1 }, { headers: { 'Idempotency-Key': 'caller-key-7' } }));

    expect(server.requests.map((r) => r.headers['idempotency-key'])).toEqual(['caller-key-7', 'caller-key-7', 'caller-key-7']);
  });

  test("per-request resilience.idempotencyKey 'order-42' is sent on every attempt and makes the POST retryable", async () => {
    const server = await serve([{ status: 503 }, { status: 503 }, { status: 200, json: { ok: true } }]);
    const { client: c, call } = client({ baseURL: server.url, retry: { backoff: FAST } });
    const body = { order: 42 };

    const res = await call(c.post('/orders', body, { resilience: { idempotencyKey: 'order-42' } }));

    expect(res.status).toBe(200);
    expect(server.requests.map((r) => r.headers['idempotency-key'])).toEqual(['order-42', 'order-42', 'order-42']);
    expect(server.requests.map((r) => r.body)).toEqual(Array(3).fill(JSON.stringify(body)));
  });

  test('retry.idempotencyKey as a header name uses that header; PATCH is retried too', async () => {
    const server = await serve([{ status: 502 }, { status: 200 }]);
    const { client: c, call } = client({ baseURL: server.url, retry: { backoff: FAST, idempotencyKey: 'X-Request-Key' } });

    await call(c.patch('/orders/1', { state: 'paid' }));

    expect(server.requests).toHaveLength(2);
    const keys = server.requests.map((r) => r.headers['x-request-key']);
    expect(keys[0]).toMatch(UUID);
    expect(keys[1]).toBe(keys[0]);
    expect(server.requests[0].headers['idempotency-key']).toBeUndefined();
    expect(server.requests.map((r) => r.body)).toEqual(['{"state":"paid"}', '{"state":"paid"}']);
  });

  test('a POST with a string body retried with a key sends the exact same bytes each time', async () => {
    const server = await serve([{ status: 503 }, { status: 200 }]);
    const { client: c, call } = client({ baseURL: server.url, retry: { backoff: FAST, idempotencyKey: true } });

    await call(c.post('/raw', 'a=1&b=%C3%A9', { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }));

    expect(server.requests.map((r) => r.body)).toEqual(['a=1&b=%C3%A9', 'a=1&b=%C3%A9']);
    expect(server.requests.map((r) => r.headers['content-type'])).toEqual(['application/x-www-form-urlencoded', 'application/x-www-form-urlencoded']);
  });
});

describe('retry on real sockets: Retry-After', () => {
  test('429 with Retry-After: 1 waits the server\'s second and its jitter: retryAfterMs 1000, delayMs 1050', async () => {
    const server = await serve([{ status: 429, headers: { 'retry-after': '1' } }, { status: 200, json: 'ok' }]);
    const { client: c, clock, events, call } = client({ baseURL: server.url, retry: { backoff: FAST } });

    const started = clock.now();
    const res = await call(c.get('/limited'));

    expect(res.data).toBe('ok');
    expect(events.retry).toHaveLength(1);
    // The server's second plus its jitter (up to 10%, random pinned at 0.5): 1050 ms.
    expect(events.retry[0]).toMatchObject({ status: 429, retryAfterMs: 1000, delayMs: 1050 });
    expect(clock.sleeps).toContain(1050);
    // The second request went out after exactly that wait on the client's clock.
    expect(events.attempt.map((e) => e.attempt)).toEqual([1, 2]);
    expect(clock.now() - started).toBe(1050);
    expect(server.requests).toHaveLength(2);
  });

  test('Retry-After: 0 is valid: retried with retryAfterMs 0 and delayMs 0', async () => {
    const server = await serve([{ status: 503, headers: { 'retry-after': '0' } }, { status: 200 }]);
    const { client: c, clock, events, call } = client({ baseURL: server.url, retry: { backoff: { baseMs: 3_000, maxMs: 3_000, jitter: 'none' } } });

    const started = clock.now();
    await call(c.get('/now'));

    expect(events.retry).toMatchObject([{ status: 503, retryAfterMs: 0, delayMs: 0 }]);
    expect(clock.sleeps).not.toContain(3_000); // not the 3 s backoff
    expect(clock.now()).toBe(started); // no wait at all
    expect(server.requests).toHaveLength(2);
  });

  test('Retry-After as an HTTP-date, measured against the server\'s Date header; the caller aborts during the wait', async () => {
    const serverNow = Date.now();
    const server = await serve([
      {
        status: 503,
        headers: { date: new Date(serverNow).toUTCString(), 'retry-after': new Date(serverNow + 2_000).toUTCString() },
      },
      { status: 200 },
    ]);
    const { client: c, clock, events, call } = client({ baseURL: server.url, retry: { backoff: FAST } });
    const controller = new AbortController();
    c.on('retry', () => controller.abort());

    const started = clock.now();
    const err = await rejection(call(c.get('/later', { signal: controller.signal })));

    expect(axios.isCancel(err)).toBe(true);
    expect(clock.now()).toBe(started); // did not sit out the 2 s: the abort ended the wait
    expect(events.retry).toHaveLength(1);
    const { delayMs, retryAfterMs } = events.retry[0];
    expect(retryAfterMs).toBeGreaterThanOrEqual(1_000);
    expect(retryAfterMs).toBeLessThanOrEqual(3_000);
    expect(delayMs).toBeGreaterThanOrEqual(retryAfterMs as number);
    expect(delayMs).toBeLessThanOrEqual((retryAfterMs as number) * 1.1);
    expect(events.failure).toMatchObject([{ reason: 'aborted', attempts: 1 }]);
    expect(server.requests).toHaveLength(1);
  });

  test('a Retry-After longer than retryAfter.maxMs fails at once with reason retry-after-too-long', async () => {
    const server = await serve([{ status: 429, headers: { 'retry-after': '5' } }, { status: 200 }]);
    const { client: c, clock, events, call } = client({ baseURL: server.url, retry: { backoff: FAST, retryAfter: { maxMs: 500 } } });

    const started = clock.now();
    const err = await rejection(call(c.get('/limited')));

    expect(clock.now()).toBe(started); // failed at once, no wait
    expect(err).toBeInstanceOf(AxiosError);
    expect(err.response?.status).toBe(429);
    expect(err.resilience).toMatchObject({ attempts: 1, reason: 'retry-after-too-long' });
    expect(server.requests).toHaveLength(1);
    expect(events.retry).toEqual([]);
    expect(events.failure).toMatchObject([{ reason: 'retry-after-too-long' }]);
  });

  test('retryAfter.respect: false ignores the header and uses the backoff', async () => {
    const server = await serve([{ status: 503, headers: { 'retry-after': '30' } }, { status: 200 }]);
    const { client: c, events, call } = client({ baseURL: server.url, retry: { backoff: FAST, retryAfter: { respect: false } } });

    await call(c.get('/x'));

    expect(events.retry).toHaveLength(1);
    expect(events.retry[0].retryAfterMs).toBeUndefined();
    expect(events.retry[0].delayMs).toBe(0.5); // the backoff's first wait, not 30 s
    expect(server.requests).toHaveLength(2);
  });
});

describe('retry on real sockets: network failures', () => {
  test('connection refused is retried up to maxAttempts, then rejects with ECONNREFUSED, reason exhausted', async () => {
    const port = await closedPort();
    const { client: c, events, call } = client({ retry: { maxAttempts: 4, backoff: FAST } });

    const err = await rejection(call(c.get(`http://127.0.0.1:${port}/nothing`)));

    expect(axios.isAxiosError(err)).toBe(true);
    expect(err.code).toBe('ECONNREFUSED');
    expect(err.response).toBeUndefined();
    expect(err.resilience).toMatchObject({ attempts: 4, reason: 'exhausted' });
    expect(events.attempt.map((e) => e.attempt)).toEqual([1, 2, 3, 4]);
    expect(events.retry.map((e) => [e.code, e.status])).toEqual(Array(3).fill(['ECONNREFUSED', undefined]));
    expect(events.failure).toMatchObject([{ reason: 'exhausted', attempts: 4, code: 'ECONNREFUSED' }]);
  });

  test('a connection reset (socket destroyed before answering), then 200: resolves after two requests', async () => {
    const server = await serve(['reset', { status: 200, json: { after: 'reset' } }]);
    const { client: c, events, call } = client({ baseURL: server.url, retry: { backoff: FAST } });

    const res = await call(c.get('/r'));

    expect(res.data).toEqual({ after: 'reset' });
    expect(server.requests).toHaveLength(2);
    expect(events.retry).toHaveLength(1);
    expect(events.retry[0].code).toBe('ECONNRESET');
  });

  test('a hanging attempt is cut by timeBudget.attemptMs and retried (ETIMEDOUT)', async () => {
    const server = await serve(['hang', { status: 200, json: 1 }]);
    const { client: c, clock, events, call } = client({ baseURL: server.url, retry: { backoff: FAST }, timeBudget: { attemptMs: 300 } });

    const pending = c.get('/slow');
    await eventually(() => server.requests.length === 1, 'the first request reaching the server');
    await clock.advance(299);
    expect(events.retry).toHaveLength(0);
    await clock.advance(1); // the attempt's limit: its socket is cut
    const res = await call(pending);

    expect(res.data).toBe(1);
    expect(server.requests).toHaveLength(2);
    expect(events.attempt.map((e) => e.timeoutMs)).toEqual([300, 300]);
    expect(events.retry).toMatchObject([{ attempt: 1, code: 'ETIMEDOUT' }]);
  });
});

describe('retry on real sockets: request bodies', () => {
  test('a stream body on a PUT that gets 503 is not replayed: reason not-retryable, one request', async () => {
    const server = await serve([{ status: 503 }, { status: 200 }]);
    const { client: c, call } = client({ baseURL: server.url, retry: { backoff: FAST } });

    const err = await rejection(call(c.put('/upload', Readable.from(['a', 'b']), { headers: { 'Content-Type': 'text/plain' } })));

    expect(err.response?.status).toBe(503);
    expect(err.resilience).toMatchObject({ attempts: 1, reason: 'not-retryable' });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0].body).toBe('ab');
  });

  test('the same PUT with a string body is replayed byte for byte', async () => {
    const server = await serve([{ status: 503 }, { status: 200 }]);
    const { client: c, call } = client({ baseURL: server.url, retry: { backoff: FAST } });

    await call(c.put('/upload', 'ab', { headers: { 'Content-Type': 'text/plain' } }));

    expect(server.requests.map((r) => r.body)).toEqual(['ab', 'ab']);
  });
});
