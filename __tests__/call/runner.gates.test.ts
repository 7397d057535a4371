/**
 * Overload protection through the client, driven by a FakeClock and an adapter
 * the test controls: the retry budget (Finagle), the bulkhead
 * (`concurrency: { max, queue }`) and adaptive throttling (Google SRE).
 */
import type { AxiosError} from 'axios';
import axios, { CanceledError } from 'axios';
import { BulkheadFullError, DeadlineExceededError, ThrottledError, resilienceOf } from '../../lib/report/errors.js';
import type { WithResilience } from '../../lib/report/errors.js';
import type { ResilientClient } from '../../lib/resilient-client.js';
import type { ClientStats, ResilientClientConfig } from '../../lib/resilient-client.js';
import { seededRandom } from '../helpers/fake-clock.js';
import type { FakeClock } from '../helpers/fake-clock.js';
import { ORIGIN, drive as driveBy, fakeClockClient, settleChain, track } from '../helpers/engine-harness.js';
import type { Answer } from '../helpers/engine-harness.js';

/** Runs `p` to completion in 10 ms steps of the fake clock. */
const drive = <T,>(clock: FakeClock, p: Promise<T>, stepMs = 10): Promise<{ value?: T; error?: unknown }> => driveBy(clock, p, stepMs);

/** A client on a FakeClock whose adapter answers by `answer`, recording the gates' refusals and failures. */
function setup(config: ResilientClientConfig = {}, answer: (url: string, index: number) => Answer = () => 'hang') {
  return fakeClockClient(config, { answer, record: ['retry-budget-exhausted', 'bulkhead-reject', 'throttle', 'failure'] });
}

/** The bulkhead counters of `stats()`. */
function bulkheadStats(client: ResilientClient): ClientStats['bulkhead'] {
  return client.stats().bulkhead;
}

const FAST_CONSTANT = { type: 'constant', baseMs: 10, jitter: 'none' } as const;

// ---------------------------------------------------------------------------

describe('retry budget', () => {
  const BUDGET = { ratio: 0.1, minPerSecond: 1, windowMs: 10_000 };

  test('the reserve (minPerSecond x window) lets the first 10 retries through, then retries are refused with the last error', async () => {
    const { clock, client, exchanges, events } = setup(
      { retry: { maxAttempts: 3, backoff: FAST_CONSTANT }, circuitBreaker: false, retryBudget: BUDGET },
      () => 503,
    );
    // Calls 1-5: 2 retries each, 10 in all (reserve 10 + 0.1 x 5 calls = 10.5).
    for (let i = 1; i <= 5; i++) {
      const { error } = await drive(clock, client.get(`/c${i}`));
      expect(resilienceOf(error)).toMatchObject({ attempts: 3, reason: 'exhausted' });
    }
    expect(exchanges).toHaveLength(15);
    expect(events['retry-budget-exhausted']).toEqual([]);
    expect(client.stats().retryBudget).toEqual({ type: 'ratio', calls: 5, retries: 10, refused: 0 });

    // Call 6: 10.6 allowed, the 11th retry is refused: the call fails with its 503, at once.
    const sixth = track(client.get('/c6'));
    await settleChain();
    expect(sixth.state).toBe('rejected');
    const err = sixth.error as AxiosError & WithResilience;
    expect(axios.isAxiosError(err)).toBe(true);
    expect(err.code).toBe('ERR_BAD_RESPONSE');
    expect(err.response?.status).toBe(503);
    expect(err.resilience).toEqual({ attempts: 1, elapsedMs: 0, reason: 'retry-budget' });
    expect(exchanges).toHaveLength(16);
    expect(events['retry-budget-exhausted']).toEqual([{ callId: expect.any(String), method: 'GET', url: '/c6', attempt: 1 }]);
    expect(events.failure.at(-1)).toMatchObject({ reason: 'retry-budget', status: 503, attempts: 1 });
    expect(client.stats().retryBudget).toEqual({ type: 'ratio', calls: 6, retries: 10, refused: 1 });
    expect(client.stats()).toMatchObject({ calls: 6, attempts: 16, retries: 10, failures: 6, rejections: 1 });

    // Calls 7-9: refused too (10.7 .. 10.9 < 11). Call 10 earns the 11th retry (0.1 x 10 + 10 = 11), not a 12th.
    const attempts: number[] = [];
    for (let i = 7; i <= 10; i++) {
      const { error } = await drive(clock, client.get(`/c${i}`));
      expect(resilienceOf(error)?.reason).toBe('retry-budget');
      attempts.push(resilienceOf(error)?.attempts ?? -1);
    }
    expect(attempts).toEqual([1, 1, 1, 2]);
    expect(client.stats().retryBudget).toEqual({ type: 'ratio', calls: 10, retries: 11, refused: 5 });
    expect(events['retry-budget-exhausted'].map((e) => [e.url, e.attempt])).toEqual([['/c6', 1], ['/c7', 1], ['/c8', 1], ['/c9', 1], ['/c10', 2]]);
    expect(clock.pending).toBe(0);
  });

  test('once the window has passed the reserve is back', async () => {
    const { clock, client, exchanges } = setup(
      { retry: { maxAttempts: 3, backoff: FAST_CONSTANT }, circuitBreaker: false, retryBudget: BUDGET },
      () => 503,
    );
    for (let i = 0; i < 6; i++) await drive(clock, client.get('/x'));
    expect(exchanges).toHaveLength(16);
    expect(resilienceOf((await drive(clock, client.get('/x'))).error)?.reason).toBe('retry-budget');

    await clock.advance(10_000);
    // Refusals are counted since the start; calls and retries only over the window.
    expect(client.stats().retryBudget).toEqual({ type: 'ratio', calls: 0, retries: 0, refused: 2 });
    const before = exchanges.length;
    for (let i = 0; i < 5; i++) {
      expect(resilienceOf((await drive(clock, client.get('/y'))).error)).toMatchObject({ attempts: 3, reason: 'exhausted' });
    }
    expect(exchanges.length - before).toBe(15);
    expect(resilienceOf((await drive(clock, client.get('/y'))).error)?.reason).toBe('retry-budget');
  });

  test('retries earned by the ratio: ratio 0.5 and no reserve allow a retry every other call', async () => {
    const { clock, client, exchanges } = setup(
      { retry: { maxAttempts: 2, backoff: FAST_CONSTANT }, circuitBreaker: false, retryBudget: { ratio: 0.5, minPerSecond: 0, windowMs: 10_000 } },
      () => 503,
    );
    const outcomes: string[] = [];
    for (let i = 0; i < 10; i++) {
      const r = resilienceOf((await drive(clock, client.get('/x'))).error);
      outcomes.push(`${r?.attempts} ${r?.reason}`);
    }
    expect(outcomes).toEqual(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? '1 retry-budget' : '2 exhausted')));
    expect(exchanges).toHaveLength(15);
    expect(client.stats().retryBudget).toEqual({ type: 'ratio', calls: 10, retries: 5, refused: 5 });
  });

  test('retryBudget: false allows every retry', async () => {
    const { clock, client, exchanges, events } = setup(
      { retry: { maxAttempts: 3, backoff: FAST_CONSTANT }, circuitBreaker: false, retryBudget: false },
      () => 503,
    );
    for (let i = 0; i < 20; i++) {
      expect(resilienceOf((await drive(clock, client.get('/x'))).error)).toMatchObject({ attempts: 3, reason: 'exhausted' });
    }
    expect(exchanges).toHaveLength(60);
    expect(events['retry-budget-exhausted']).toEqual([]);
    expect(client.stats().retryBudget).toBeUndefined();
    expect(client.stats()).toMatchObject({ calls: 20, attempts: 60, retries: 40, rejections: 0 });
  });

  test('the default budget: a token quota of capacity / retryCost retries while nothing succeeds', async () => {
    const { clock, client, exchanges } = setup({ retry: { maxAttempts: 2, backoff: FAST_CONSTANT }, circuitBreaker: false }, () => 503);
    for (let i = 0; i < 150; i++) await drive(clock, client.get('/x'));
    // 500 tokens at 5 a retry: calls 1..100 get their retry, the 50 after none.
    expect(client.stats().retryBudget).toEqual({ type: 'tokens', tokens: 0, capacity: 500, refused: 50 });
    expect(exchanges).toHaveLength(250);
  });
});

// ---------------------------------------------------------------------------

describe('bulkhead', () => {
  test('max 2, queue 1: two in flight, the third waits and starts when a slot frees, the fourth is refused at once', async () => {
    const { client, exchanges, events } = setup({ concurrency: { max: 2, queue: 1 } });
    const a = track(client.get('/a'));
    const b = track(client.get('/b'));
    const c = track(client.get('/c'));
    const d = track(client.get('/d'));
    await settleChain();
    expect(exchanges.map((x) => x.url)).toEqual(['/a', '/b']);
    expect([a.state, b.state, c.state]).toEqual(['pending', 'pending', 'pending']);

    expect(d.state).toBe('rejected');
    const err = d.error as BulkheadFullError & WithResilience;
    expect(err).toBeInstanceOf(BulkheadFullError);
    expect(axios.isAxiosError(err)).toBe(true);
    expect(err.code).toBe('ERR_BULKHEAD_FULL');
    expect(err.resilience).toEqual({ attempts: 0, elapsedMs: 0, reason: 'bulkhead-full' });
    expect(events['bulkhead-reject']).toEqual([{ callId: expect.any(String), method: 'GET', url: '/d', max: 2, queue: 1 }]);
    expect(events.failure).toEqual([expect.objectContaining({ reason: 'bulkhead-full', url: '/d', attempts: 0, code: 'ERR_BULKHEAD_FULL' })]);
    expect(client.stats()).toMatchObject({ calls: 4, attempts: 2, rejections: 1 });

    exchanges[0].respond(200);
    await settleChain();
    expect(a.state).toBe('resolved');
    expect(exchanges.map((x) => x.url)).toEqual(['/a', '/b', '/c']);
    exchanges[1].respond(200);
    exchanges[2].respond(200);
    await settleChain();
    expect([b.state, c.state]).toEqual(['resolved', 'resolved']);
    expect(client.stats()).toMatchObject({ calls: 4, attempts: 3, successes: 3, failures: 1 });
  });

  test('stats().bulkhead reports slots, queue and refusals', async () => {
    const { client, exchanges } = setup({ concurrency: { max: 2, queue: 1 } });
    for (const u of ['/a', '/b', '/c', '/d', '/e']) void client.get(u).catch(() => undefined);
    await settleChain();
    expect(bulkheadStats(client)).toEqual({ active: 2, queued: 1, rejected: 2, max: 2, queue: 1 });
    for (let i = 0; i < 3; i++) {
      exchanges[i].respond(200);
      await settleChain();
    }
    expect(bulkheadStats(client)).toEqual({ active: 0, queued: 0, rejected: 2, max: 2, queue: 1 });
  });

  test('stats().inFlight counts attempts in flight, not calls waiting for a slot', async () => {
    const { client, exchanges } = setup({ concurrency: { max: 2, queue: 1 } });
    for (const u of ['/a', '/b', '/c']) void client.get(u).catch(() => undefined);
    await settleChain();
    expect(exchanges).toHaveLength(2);
    expect(client.stats().inFlight).toBe(2);
  });

  test('queued calls start in FIFO order', async () => {
    const { client, exchanges } = setup({ concurrency: { max: 1, queue: 4 } });
    const calls = ['/1', '/2', '/3', '/4', '/5'].map((u) => track(client.get(u)));
    await settleChain();
    expect(exchanges.map((x) => x.url)).toEqual(['/1']);
    for (let i = 0; i < 4; i++) {
      exchanges[i].respond(200);
      await settleChain();
      expect(exchanges.map((x) => x.url)).toEqual(['/1', '/2', '/3', '/4', '/5'].slice(0, i + 2));
    }
    exchanges[4].respond(200);
    await settleChain();
    expect(calls.map((c) => c.state)).toEqual(Array(5).fill('resolved'));
  });

  test('a queued call whose deadline passes rejects with DeadlineExceededError and never reaches the adapter', async () => {
    const { clock, client, exchanges, events } = setup({ concurrency: { max: 1, queue: 1 } });
    const a = track(client.get('/a'));
    const b = track(client.get('/b', { resilience: { timeBudget: { totalMs: 1_000 } } }));
    await settleChain();
    await clock.advance(999);
    expect(b.state).toBe('pending');
    await clock.advance(1);
    expect(b.state).toBe('rejected');
    const err = b.error as DeadlineExceededError & WithResilience;
    expect(err).toBeInstanceOf(DeadlineExceededError);
    expect(err.code).toBe('ERR_DEADLINE_EXCEEDED');
    expect(err.totalMs).toBe(1_000);
    expect(err.resilience).toEqual({ attempts: 0, elapsedMs: 1_000, reason: 'deadline' });
    expect(events.failure.map((e) => e.reason)).toEqual(['deadline']);
    expect(exchanges.map((x) => x.url)).toEqual(['/a']);

    expect(bulkheadStats(client)).toMatchObject({ active: 1, queued: 0, rejected: 0 });
    // /b left the queue: /c finds room there (it would be refused if /b still held the only place).
    const c = track(client.get('/c'));
    await settleChain();
    expect(c.state).toBe('pending');
    expect(events.failure).toHaveLength(1);
    exchanges[0].respond(200);
    await settleChain();
    expect(a.state).toBe('resolved');
    expect(exchanges.map((x) => x.url)).toEqual(['/a', '/c']);
    exchanges[1].respond(200);
    await c.done;
    expect(c.state).toBe('resolved');
    expect(clock.pending).toBe(0);
  });

  test("a queued call aborted by its caller's AbortSignal rejects with CanceledError (reason aborted), never sent", async () => {
    const { clock, client, exchanges, events } = setup({ concurrency: { max: 1, queue: 2 } });
    const a = track(client.get('/a'));
    const ac = new AbortController();
    const b = track(client.get('/b', { signal: ac.signal }));
    const c = track(client.get('/c'));
    await settleChain();
    ac.abort();
    await settleChain();
    expect(b.state).toBe('rejected');
    expect(axios.isCancel(b.error)).toBe(true);
    expect(b.error).toBeInstanceOf(CanceledError);
    expect(resilienceOf(b.error)?.reason).toBe('aborted');
    expect(events.failure.map((e) => e.reason)).toEqual(['aborted']);
    expect(exchanges.map((x) => x.url)).toEqual(['/a']);
    expect(bulkheadStats(client)).toMatchObject({ active: 1, queued: 1, rejected: 0 });

    // /b left the queue: /d finds room behind /c (it would be refused if /b still held a place).
    const d = track(client.get('/d'));
    await settleChain();
    expect(d.state).toBe('pending');
    expect(events.failure).toHaveLength(1);

    // /c, queued behind /b, moves up: it gets the next slot, then /d.
    exchanges[0].respond(200);
    await settleChain();
    expect(exchanges.map((x) => x.url)).toEqual(['/a', '/c']);
    exchanges[1].respond(200);
    await settleChain();
    expect(exchanges.map((x) => x.url)).toEqual(['/a', '/c', '/d']);
    exchanges[2].respond(200);
    await settleChain();
    expect([a.state, c.state, d.state]).toEqual(['resolved', 'resolved', 'resolved']);
    expect(clock.pending).toBe(0);
  });

  test('a slot is held across retries (waits included) and released when the call settles, on success or failure', async () => {
    const { clock, client, exchanges } = setup({
      concurrency: { max: 1, queue: 2 },
      retry: { maxAttempts: 2, backoff: { type: 'constant', baseMs: 100, jitter: 'none' } },
      circuitBreaker: false,
    });
    const a = track(client.get('/a'));
    const b = track(client.get('/b'));
    const c = track(client.get('/c'));
    await settleChain();
    exchanges[0].respond(503);
    await settleChain();
    // /a is waiting out its backoff: it keeps the slot.
    await clock.advance(50);
    expect(exchanges.map((x) => x.url)).toEqual(['/a']);
    expect(bulkheadStats(client)).toMatchObject({ active: 1, queued: 2 });
    await clock.advance(50);
    expect(exchanges.map((x) => x.url)).toEqual(['/a', '/a']);
    exchanges[1].respond(200);
    await settleChain();
    expect(a.state).toBe('resolved');
    // Success: the slot goes to /b.
    expect(exchanges.map((x) => x.url)).toEqual(['/a', '/a', '/b']);
    exchanges[2].respond(503);
    await clock.advance(100);
    exchanges[3].respond(503);
    await settleChain();
    expect(b.state).toBe('rejected');
    expect(resilienceOf(b.error)).toMatchObject({ attempts: 2, reason: 'exhausted' });
    // Failure: the slot goes to /c.
    expect(exchanges.map((x) => x.url)).toEqual(['/a', '/a', '/b', '/b', '/c']);
    exchanges[4].respond(200);
    await settleChain();
    expect(c.state).toBe('resolved');
    expect(bulkheadStats(client)).toMatchObject({ active: 0, queued: 0 });
    // Every slot is back: a new call is sent at once.
    void client.get('/d').catch(() => undefined);
    await settleChain();
    expect(exchanges.map((x) => x.url)).toEqual(['/a', '/a', '/b', '/b', '/c', '/d']);
  });

  test('configure() lowering max: a freed slot is not handed to a waiter while the new max is still reached', async () => {
    const { client, exchanges } = setup({ concurrency: { max: 2, queue: 1 } });
    const calls = ['/a', '/b', '/c'].map((u) => track(client.get(u)));
    await settleChain();
    expect(exchanges.map((x) => x.url)).toEqual(['/a', '/b']);
    client.configure({ concurrency: { max: 1, queue: 1 } });
    exchanges[0].respond(200);
    await settleChain();
    // /b still holds the only slot the new limit allows.
    expect(exchanges.map((x) => x.url)).toEqual(['/a', '/b']);
    expect(bulkheadStats(client)).toMatchObject({ active: 1, queued: 1, max: 1 });
    exchanges[1].respond(200);
    await settleChain();
    expect(exchanges.map((x) => x.url)).toEqual(['/a', '/b', '/c']);
    exchanges[2].respond(200);
    await settleChain();
    expect(calls.map((c) => c.state)).toEqual(['resolved', 'resolved', 'resolved']);
  });

  test('configure() turning the bulkhead off lets queued calls go instead of leaving them to their deadline', async () => {
    const { clock, client, exchanges, events } = setup({ concurrency: { max: 1, queue: 2 } });
    const a = track(client.get('/a'));
    const b = track(client.get('/b'));
    await settleChain();
    expect(exchanges.map((x) => x.url)).toEqual(['/a']);
    client.configure({ concurrency: false });
    exchanges[0].respond(200);
    await settleChain();
    await clock.advance(1_000);
    expect(a.state).toBe('resolved');
    expect(exchanges.map((x) => x.url)).toEqual(['/a', '/b']);
    exchanges[1]?.respond(200);
    await settleChain();
    expect(b.state).toBe('resolved');
    expect(events.failure).toEqual([]);
  });

  test('configure() off then on: a call that started under the old bulkhead does not free a slot of the new one', async () => {
    const { client, exchanges, events } = setup({ concurrency: { max: 1, queue: 0 } });
    const a = track(client.get('/a'));
    await settleChain();
    client.configure({ concurrency: false });
    client.configure({ concurrency: { max: 1, queue: 0 } });
    const b = track(client.get('/b'));
    await settleChain();
    expect(exchanges.map((x) => x.url)).toEqual(['/a', '/b']);
    exchanges[0].respond(200);
    await settleChain();
    expect(a.state).toBe('resolved');
    // /b holds the new bulkhead's only slot: /c must be refused.
    expect(bulkheadStats(client)).toMatchObject({ active: 1, max: 1 });
    const c = track(client.get('/c'));
    await settleChain();
    expect(c.state).toBe('rejected');
    expect(c.error).toBeInstanceOf(BulkheadFullError);
    expect(exchanges.map((x) => x.url)).toEqual(['/a', '/b']);
    expect(events['bulkhead-reject']).toHaveLength(1);
    exchanges[1].respond(200);
    await b.done;
  });

  test('a call refused by an open breaker gives its slot back', async () => {
    const { client, exchanges } = setup(
      { concurrency: { max: 1, queue: 0 }, retry: false, circuitBreaker: { trip: { type: 'consecutive', failures: 1 } } },
      () => 503,
    );
    await client.get('/a').catch(() => undefined);
    for (let i = 0; i < 3; i++) expect(resilienceOf(await client.get('/b').catch((e: unknown) => e))?.reason).toBe('circuit-open');
    expect(exchanges).toHaveLength(1);
    expect(bulkheadStats(client)).toMatchObject({ active: 0, rejected: 0 });
    // max 1, queue 0: a leaked slot would make this call fail with bulkhead-full.
    expect((await client.get('http://other.test/c', { validateStatus: () => true })).status).toBe(503);
    expect(exchanges).toHaveLength(2);
  });
});

// ---------------------------------------------------------------------------

describe('adaptive throttling', () => {
  const THROTTLE = { k: 2, windowMs: 60_000, minRequests: 10 };

  test('against an always-503 backend most attempts are refused locally once the window fills', async () => {
    const { client, exchanges, events } = setup(
      { random: seededRandom(7), retry: false, circuitBreaker: false, adaptiveThrottle: THROTTLE },
      () => 503,
    );
    const N = 300;
    const reasons: string[] = [];
    let throttled: ThrottledError | undefined;
    for (let i = 0; i < N; i++) {
      const err = await client.get(`/r${i}`).catch((e: unknown) => e);
      reasons.push(resilienceOf(err)?.reason ?? '?');
      if (err instanceof ThrottledError) throttled = err;
    }
    // The first 10 always go through (minRequests).
    expect(exchanges.slice(0, 10).map((x) => x.url)).toEqual(Array.from({ length: 10 }, (_, i) => `/r${i}`));
    expect(reasons.slice(0, 10)).toEqual(Array(10).fill('not-retryable'));
    // Then nearly everything is dropped: about ln(300/11) ~ 3.3 more requests are expected to reach the backend.
    expect(exchanges.length).toBeGreaterThanOrEqual(10);
    expect(exchanges.length).toBeLessThan(30);
    const refused = reasons.filter((r) => r === 'throttled').length;
    expect(refused).toBe(N - exchanges.length);
    expect(events.throttle).toHaveLength(refused);
    expect(client.stats().rejections).toBe(refused);
    expect(client.stats().throttle).toEqual({ keys: 1, rejected: refused });

    expect(throttled).toBeInstanceOf(ThrottledError);
    expect(axios.isAxiosError(throttled)).toBe(true);
    expect(throttled?.code).toBe('ERR_THROTTLED');
    expect(resilienceOf(throttled)).toMatchObject({ attempts: 0, reason: 'throttled' });
    // Each refusal reports the probability in force: no accepts, i requests before: i / (i + 1).
    for (const e of events.throttle) {
      const i = Number(e.url.slice(2));
      expect(e).toMatchObject({ key: ORIGIN, method: 'GET' });
      expect(e.probability).toBeCloseTo(i / (i + 1), 12);
    }
    expect(events.failure.filter((e) => e.reason === 'throttled')).toHaveLength(refused);
  });

  test('a healthy backend is never throttled', async () => {
    const { client, exchanges, events } = setup(
      { random: seededRandom(7), retry: false, circuitBreaker: false, adaptiveThrottle: THROTTLE },
      () => 200,
    );
    for (let i = 0; i < 300; i++) expect((await client.get('/ok')).status).toBe(200);
    expect(exchanges).toHaveLength(300);
    expect(events.throttle).toEqual([]);
    expect(client.stats().throttle).toEqual({ keys: 1, rejected: 0 });
  });

  test('4xx answers are accepts (the backend is healthy): never throttled', async () => {
    const { client, exchanges, events } = setup(
      { random: seededRandom(7), retry: false, circuitBreaker: false, adaptiveThrottle: THROTTLE },
      () => 404,
    );
    for (let i = 0; i < 100; i++) await client.get('/missing').catch(() => undefined);
    expect(exchanges).toHaveLength(100);
    expect(events.throttle).toEqual([]);
  });

  test('over a seeded run the rejection probability is max(0, (requests - k x accepts) / (requests + 1))', async () => {
    const backendRandom = seededRandom(99);
    const { client, events } = setup(
      { random: seededRandom(12345), retry: false, circuitBreaker: false, adaptiveThrottle: THROTTLE },
      // The backend accepts 30% of what it receives.
      () => (backendRandom() < 0.3 ? 200 : 503),
    );
    let requests = 0;
    let accepts = 0;
    let expectedRejections = 0;
    let variance = 0;
    let observed = 0;
    for (let i = 0; i < 1_000; i++) {
      const p = requests < THROTTLE.minRequests ? 0 : Math.max(0, (requests - THROTTLE.k * accepts) / (requests + 1));
      expectedRejections += p;
      variance += p * (1 - p);
      const before = events.throttle.length;
      const outcome = await client.get(`/r${i}`).then(
        () => 'ok',
        (e: unknown) => (e instanceof ThrottledError ? 'throttled' : 'failed'),
      );
      requests++;
      if (outcome === 'ok') accepts++;
      if (outcome === 'throttled') {
        observed++;
        expect(events.throttle).toHaveLength(before + 1);
        expect(events.throttle[before].probability).toBeCloseTo(p, 12);
      }
    }
    expect(observed).toBeGreaterThan(300);
    expect(Math.abs(observed - expectedRejections)).toBeLessThan(4 * Math.sqrt(variance) + 1);
  });

  test('when the window has passed the backend gets traffic again', async () => {
    const { clock, client, exchanges, events } = setup(
      { random: seededRandom(7), retry: false, circuitBreaker: false, adaptiveThrottle: THROTTLE },
      () => 503,
    );
    for (let i = 0; i < 100; i++) await client.get('/x').catch(() => undefined);
    expect(events.throttle.length).toBeGreaterThan(80);
    const before = exchanges.length;
    await clock.advance(60_000);
    for (let i = 0; i < 10; i++) await client.get('/y').catch(() => undefined);
    expect(exchanges.length - before).toBe(10);
  });

  test('keyed by origin when the breaker is off: a throttled origin does not affect another', async () => {
    const { client, exchanges, events } = setup(
      { random: () => 0, retry: false, circuitBreaker: false, adaptiveThrottle: THROTTLE },
      (url) => (url.startsWith('http://down.test') ? 503 : 200),
    );
    for (let i = 0; i < 20; i++) await client.get('http://down.test/x').catch(() => undefined);
    expect(events.throttle).toHaveLength(10);
    expect(new Set(events.throttle.map((e) => e.key))).toEqual(new Set(['http://down.test:80']));
    for (let i = 0; i < 20; i++) expect((await client.get('http://up.test/y')).status).toBe(200);
    expect(exchanges.filter((x) => x.url.startsWith('http://up.test'))).toHaveLength(20);
  });

  test("keyed like the breaker: with circuitBreaker.key 'client' every origin shares one throttle", async () => {
    const { client, events } = setup(
      {
        random: () => 0,
        retry: false,
        circuitBreaker: { key: 'client', trip: { type: 'consecutive', failures: 1_000 } },
        adaptiveThrottle: THROTTLE,
      },
      (url) => (url.startsWith('http://down.test') ? 503 : 200),
    );
    for (let i = 0; i < 10; i++) await client.get('http://down.test/x').catch(() => undefined);
    const err = await client.get('http://up.test/y').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ThrottledError);
    expect(events.throttle).toEqual([{ callId: expect.any(String), key: 'client', method: 'GET', url: 'http://up.test/y', probability: 10 / 11 }]);
  });
});
