/**
 * Time budgets, deadlines and cancellation, driven by a FakeClock and an
 * adapter the test controls: the call never overruns `timeBudget.totalMs`,
 * attempts are cut at min(attemptMs, time left), the caller's abort (signal or
 * CancelToken) and `dispose()` end a call at once, and no timer is left behind.
 */
import axios, { CanceledError } from 'axios';
import type { AxiosError } from 'axios';
import type { AxiosResponse, GenericAbortSignal } from 'axios';
import { DeadlineExceededError, resilienceOf } from '../../lib/report/errors.js';
import type { AttemptEvent } from '../../lib/report/events.js';
import { ResilientClient } from '../../lib/resilient-client.js';
import type { ResilientClientConfig } from '../../lib/resilient-client.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { BASE, controllableAdapter, fakeClockClient, settleChain, track } from '../helpers/engine-harness.js';

/** A client on a FakeClock with a controllable adapter, recording the call events. */
function setup(config: ResilientClientConfig = {}) {
  return fakeClockClient(config, { record: ['attempt', 'retry', 'success', 'failure'] });
}

describe('deadline (timeBudget.totalMs)', () => {
  test('cuts an attempt in flight: DeadlineExceededError, reason deadline, the request is aborted', async () => {
    const { clock, client, exchanges, events } = setup({ timeBudget: { totalMs: 1000, attemptMs: 5000 } });
    const call = track(client.get('/slow'));
    await settleChain();
    expect(exchanges).toHaveLength(1);
    expect(events.attempt.map((e) => e.timeoutMs)).toEqual([1000]);

    await clock.advance(999);
    expect(call.state).toBe('pending');
    expect(exchanges[0].signal?.aborted).toBe(false);

    await clock.advance(1);
    await call.done;
    expect(call.state).toBe('rejected');
    const err = call.error as DeadlineExceededError;
    expect(err).toBeInstanceOf(DeadlineExceededError);
    expect(axios.isAxiosError(err)).toBe(true);
    expect(axios.isCancel(err)).toBe(false);
    expect(err.code).toBe('ERR_DEADLINE_EXCEEDED');
    expect(err.totalMs).toBe(1000);
    expect(resilienceOf(err)).toEqual({ attempts: 1, elapsedMs: 1000, reason: 'deadline' });

    expect(exchanges[0].signal?.aborted).toBe(true);
    expect(exchanges[0].aborted).toBe(true);
    expect(exchanges).toHaveLength(1);
    expect(events.retry).toHaveLength(0);
    expect(events.success).toHaveLength(0);
    expect(events.failure).toHaveLength(1);
    expect(events.failure[0]).toMatchObject({ reason: 'deadline', attempts: 1, elapsedMs: 1000, remainingMs: 0, code: 'ERR_DEADLINE_EXCEEDED' });
    // An attempt cut by the deadline counts as a failure for the breaker.
    expect(client.circuit()?.stats).toMatchObject({ calls: 1, failures: 1, ignored: 0 });
    expect(client.stats().inFlight).toBe(0);
    expect(clock.pending).toBe(0);
  });

  test('a 503 whose backoff would overrun the time left fails at once, no sleep started', async () => {
    // exponential, baseMs 4000, full jitter with random 0.5: the wait would be 2000 ms; 1000 ms left.
    const { clock, client, exchanges, plan, events } = setup({
      timeBudget: { totalMs: 1000 },
      retry: { maxAttempts: 5, backoff: { baseMs: 4000 } },
    });
    plan.push(503);
    const call = track(client.get('/busy'));
    await settleChain();
    expect(call.state).toBe('rejected');
    expect(exchanges).toHaveLength(1);
    // The only sleep ever requested is the attempt's own limit (the scheduler's timer), not a 2000 ms wait.
    expect(clock.sleeps).toEqual([1000]);

    const err = call.error as DeadlineExceededError;
    expect(err).toBeInstanceOf(DeadlineExceededError);
    expect(err.code).toBe('ERR_DEADLINE_EXCEEDED');
    expect(err.totalMs).toBe(1000);
    expect(err.response?.status).toBe(503);
    expect(axios.isAxiosError(err.cause)).toBe(true);
    expect((err.cause as AxiosError).response?.status).toBe(503);
    expect((err.cause as AxiosError).code).toBe('ERR_BAD_RESPONSE');
    expect(resilienceOf(err)).toEqual({ attempts: 1, elapsedMs: 0, reason: 'deadline' });
    expect(events.retry).toHaveLength(0);
    expect(events.failure).toHaveLength(1);
    expect(events.failure[0]).toMatchObject({ reason: 'deadline', status: 503, remainingMs: 1000, elapsedMs: 0 });
    expect(clock.pending).toBe(0);
  });

  test('a wait that would end after the deadline fails when the attempt ends, mid-budget', async () => {
    // attempt 1 answers 503 after 700 ms; the 2000 ms backoff cannot fit in the 300 ms left.
    const { clock, client, exchanges, events } = setup({
      timeBudget: { totalMs: 1000 },
      retry: { maxAttempts: 5, backoff: { baseMs: 4000 } },
    });
    const call = track(client.get('/busy'));
    await settleChain();
    await clock.advance(700);
    exchanges[0].respond(503);
    await settleChain();
    expect(call.state).toBe('rejected');
    expect(call.error).toBeInstanceOf(DeadlineExceededError);
    expect(resilienceOf(call.error)).toEqual({ attempts: 1, elapsedMs: 700, reason: 'deadline' });
    expect(events.failure[0]).toMatchObject({ reason: 'deadline', remainingMs: 300 });
    expect(clock.sleeps).toEqual([1000]);
    expect(clock.pending).toBe(0);
  });

  test('Retry-After beyond the deadline fails at once with reason deadline, no sleep', async () => {
    const { clock, client, exchanges, plan, events } = setup({ timeBudget: { totalMs: 2000 } });
    plan.push({ status: 503, headers: { 'retry-after': '5' } });
    const call = track(client.get('/later'));
    await settleChain();
    expect(call.state).toBe('rejected');
    expect(exchanges).toHaveLength(1);
    expect(clock.sleeps).toEqual([2000]);
    const err = call.error as DeadlineExceededError;
    expect(err).toBeInstanceOf(DeadlineExceededError);
    expect(err.response?.status).toBe(503);
    expect(resilienceOf(err)?.reason).toBe('deadline');
    expect(events.retry).toHaveLength(0);
    expect(events.failure.map((e) => e.reason)).toEqual(['deadline']);
    expect(clock.pending).toBe(0);
  });

  test('a Retry-After HTTP-date beyond the deadline fails at once with reason deadline', async () => {
    const { clock, client, exchanges, plan, events } = setup({ timeBudget: { totalMs: 2000 } });
    plan.push({ status: 503, headers: { 'retry-after': new Date(Date.now() + 30_000).toUTCString() } });
    const call = track(client.get('/later'));
    await settleChain();
    expect(call.state).toBe('rejected');
    expect(call.error).toBeInstanceOf(DeadlineExceededError);
    expect(resilienceOf(call.error)?.reason).toBe('deadline');
    expect(exchanges).toHaveLength(1);
    expect(events.retry).toHaveLength(0);
    expect(clock.sleeps).toEqual([2000]);
    expect(clock.pending).toBe(0);
  });

  test('Retry-After that fits in the budget is waited for, plus its jitter, then the retry succeeds', async () => {
    const { clock, client, exchanges, plan, events } = setup({ timeBudget: { totalMs: 5000 } });
    plan.push({ status: 503, headers: { 'retry-after': '2' } }, 200);
    const call = track(client.get('/later'));
    await settleChain();
    expect(events.retry).toHaveLength(1);
    // random() is 0.5 here: 2 s plus half of the largest jitter (10% of 2 s).
    expect(events.retry[0]).toMatchObject({ delayMs: 2100, retryAfterMs: 2000, status: 503, remainingMs: 2900 });
    await clock.advance(2099);
    expect(exchanges).toHaveLength(1);
    await clock.advance(1);
    await call.done;
    expect(call.state).toBe('resolved');
    expect(exchanges.map((x) => x.at - exchanges[0].at)).toEqual([0, 2100]);
    expect(clock.pending).toBe(0);
  });

  test('the deadline is never overrun: an attempt starting with 50 ms left is limited to 50 ms', async () => {
    // random 0.5, exponential 100 ms full jitter: waits 50 then 100.
    // t=0 a1 (100) times out at 100; wait 50; t=150 a2 (100) times out at 250; wait 100; t=350 a3 gets min(100, 50).
    const { clock, client, exchanges, events, elapsed } = setup({
      timeBudget: { totalMs: 400, attemptMs: 100 },
      retry: { maxAttempts: 5 },
    });
    const call = track(client.get('/flaky'));
    await settleChain();
    await clock.advance(399);
    expect(call.state).toBe('pending');
    expect(exchanges.map((x) => x.at - exchanges[0].at)).toEqual([0, 150, 350]);
    expect(events.attempt.map((e) => [e.attempt, e.timeoutMs, e.remainingMs])).toEqual([[1, 100, 400], [2, 100, 250], [3, 50, 50]]);
    expect(events.retry.map((e) => [e.attempt, e.code, e.delayMs, e.remainingMs])).toEqual([[1, 'ETIMEDOUT', 50, 250], [2, 'ETIMEDOUT', 100, 50]]);
    // Attempt limits and waits, in order; each ends by t=400 (0+100, 100+50, 150+100, 250+100, 350+50).
    // (1000 ms sleeps are the engine's grace timer for aborted attempts, cancelled when they come back.)
    expect(clock.sleeps.filter((ms) => ms !== 1000)).toEqual([100, 50, 100, 100, 50]);
    await clock.advance(1);
    await call.done;
    expect(elapsed()).toBe(400);
    expect(call.state).toBe('rejected');
    expect(call.error).toBeInstanceOf(DeadlineExceededError);
    expect(resilienceOf(call.error)).toEqual({ attempts: 3, elapsedMs: 400, reason: 'deadline' });
    expect(exchanges.every((x) => x.aborted)).toBe(true);
    expect(events.failure).toHaveLength(1);
    expect(events.failure[0]).toMatchObject({ reason: 'deadline', attempts: 3, remainingMs: 0 });
    // Three attempts, each cut: three breaker failures.
    expect(client.circuit()?.stats).toMatchObject({ calls: 3, failures: 3 });
    expect(clock.pending).toBe(0);
  });

  test('an attempt ending exactly at the deadline after a retry still reports deadline, not exhausted', async () => {
    const { clock, client, events } = setup({
      timeBudget: { totalMs: 400, attemptMs: 100 },
      retry: { maxAttempts: 3 },
    });
    const call = track(client.get('/flaky'));
    await settleChain();
    await clock.advance(400);
    await call.done;
    expect(resilienceOf(call.error)?.reason).toBe('deadline');
    expect(events.failure.map((e) => e.reason)).toEqual(['deadline']);
    expect(clock.pending).toBe(0);
  });
});

describe('attempt limit (timeBudget.attemptMs)', () => {
  test('a hanging attempt is aborted after attemptMs and retried as ETIMEDOUT; the retry succeeds', async () => {
    const { clock, client, exchanges, events, elapsed } = setup({ timeBudget: { attemptMs: 100, totalMs: 10_000 } });
    const call = track(client.get('/hang-once'));
    await settleChain();
    expect(exchanges).toHaveLength(1);
    await clock.advance(99);
    expect(exchanges[0].signal?.aborted).toBe(false);
    await clock.advance(1);
    expect(exchanges[0].aborted).toBe(true);
    expect(events.retry).toHaveLength(1);
    const retry = events.retry[0];
    expect(retry).toMatchObject({ attempt: 1, code: 'ETIMEDOUT', delayMs: 50, remainingMs: 10_000 - 100 - 50, status: undefined });
    expect((retry.error as AxiosError).message).toBe('timeout of 100ms exceeded');
    expect(axios.isAxiosError(retry.error)).toBe(true);

    await clock.advance(49);
    expect(exchanges).toHaveLength(1);
    await clock.advance(1);
    expect(exchanges).toHaveLength(2);
    expect(exchanges[1].at - exchanges[0].at).toBe(150);
    exchanges[1].respond(200);
    await call.done;
    expect(call.state).toBe('resolved');
    expect((call.value as AxiosResponse).status).toBe(200);
    expect(events.attempt.map((e) => e.timeoutMs)).toEqual([100, 100]);
    expect(events.success).toEqual([expect.objectContaining({ attempts: 2, elapsedMs: 150, status: 200 })]);
    expect(events.failure).toHaveLength(0);
    expect(elapsed()).toBe(150);
    expect(client.circuit()?.stats).toMatchObject({ calls: 2, failures: 1, successes: 1 });
    expect(clock.pending).toBe(0);
  });

  test('attempts timing out until maxAttempts fail with the ETIMEDOUT error, reason exhausted', async () => {
    const { clock, client, exchanges, events } = setup({ timeBudget: { attemptMs: 100, totalMs: 10_000 }, retry: { maxAttempts: 2 } });
    const call = track(client.get('/hang'));
    await settleChain();
    await clock.advance(100 + 50 + 100);
    await call.done;
    expect(exchanges).toHaveLength(2);
    const err = call.error as AxiosError;
    expect(err).not.toBeInstanceOf(DeadlineExceededError);
    expect(axios.isAxiosError(err)).toBe(true);
    expect(axios.isCancel(err)).toBe(false);
    expect(err.code).toBe('ETIMEDOUT');
    expect(resilienceOf(err)).toEqual({ attempts: 2, elapsedMs: 250, reason: 'exhausted' });
    expect(events.failure[0]).toMatchObject({ reason: 'exhausted', code: 'ETIMEDOUT', remainingMs: 10_000 - 250 });
    expect(clock.pending).toBe(0);
  });

  test('with retry off, an attempt timeout fails with ETIMEDOUT, reason not-retryable', async () => {
    const { clock, client } = setup({ timeBudget: { attemptMs: 100 }, retry: false });
    const call = track(client.get('/hang'));
    await settleChain();
    await clock.advance(100);
    await call.done;
    expect((call.error as AxiosError).code).toBe('ETIMEDOUT');
    expect(resilienceOf(call.error)?.reason).toBe('not-retryable');
    expect(clock.pending).toBe(0);
  });

  test('the adapter never sees an axios timeout: the engine enforces it', async () => {
    const { clock, client, exchanges, plan } = setup({ timeout: 300 });
    plan.push(200);
    await client.get('/x');
    expect(exchanges[0].timeout).toBe(0);
    // The config the caller gets back has its own timeout again.
    expect(exchanges[0].config.timeout).toBe(300);
    expect(clock.pending).toBe(0);
  });
});

describe('axios timeout as attemptMs', () => {
  async function timeoutsOf(config: ResilientClientConfig, request: Parameters<ResilientClient['get']>[1] = {}) {
    const ctx = setup(config);
    ctx.plan.push(200);
    await ctx.client.get('/t', request);
    expect(ctx.clock.pending).toBe(0);
    return ctx.events.attempt.map((e) => e.timeoutMs);
  }

  test('client timeout: 300 without attemptMs limits each attempt to 300 ms', async () => {
    expect(await timeoutsOf({ timeout: 300 })).toEqual([300]);
  });

  test('client timeout: 300 really cuts a hanging attempt at 300 ms', async () => {
    const { clock, client, exchanges, events } = setup({ timeout: 300, retry: false });
    const call = track(client.get('/hang'));
    await settleChain();
    await clock.advance(299);
    expect(call.state).toBe('pending');
    await clock.advance(1);
    await call.done;
    expect(exchanges[0].aborted).toBe(true);
    expect((call.error as AxiosError).code).toBe('ETIMEDOUT');
    expect(events.failure[0].elapsedMs).toBe(300);
    expect(clock.pending).toBe(0);
  });

  test('client timeout: 0 means no per-attempt limit: the limit is the time left', async () => {
    expect(await timeoutsOf({ timeout: 0, timeBudget: { totalMs: 7000 } })).toEqual([7000]);
  });

  test('no timeout and no attemptMs: the default attemptMs (10 s) applies', async () => {
    expect(await timeoutsOf({})).toEqual([10_000]);
    expect(await timeoutsOf({ timeBudget: { totalMs: 4000 } })).toEqual([4000]);
  });

  test('explicit attemptMs wins over the client timeout and a per-request timeout', async () => {
    expect(await timeoutsOf({ timeout: 300, timeBudget: { attemptMs: 120 } })).toEqual([120]);
    expect(await timeoutsOf({ timeBudget: { attemptMs: 120 } }, { timeout: 300 })).toEqual([120]);
  });

  test('a per-request timeout sets the attempt limit', async () => {
    expect(await timeoutsOf({}, { timeout: 250 })).toEqual([250]);
    expect(await timeoutsOf({ timeout: 300 }, { timeout: 80 })).toEqual([80]);
    expect(await timeoutsOf({ timeout: 300 }, { timeout: 0 })).toEqual([30_000]);
  });

  test('a wrapped instance: its timeout is the attempt limit', async () => {
    const clock = new FakeClock();
    const { adapter, plan } = controllableAdapter(clock);
    const instance = axios.create({ baseURL: BASE, adapter, timeout: 450 });
    const client = new ResilientClient({ axios: instance, clock, random: () => 0.5 });
    const attempts: AttemptEvent[] = [];
    client.on('attempt', (e) => attempts.push(e));
    plan.push(200);
    await client.get('/w');
    expect(attempts.map((e) => e.timeoutMs)).toEqual([450]);
    expect(clock.pending).toBe(0);
  });

  test('totalMs Infinity and timeout 0: no limit at all, no timer, no propagated header', async () => {
    const { clock, client, exchanges, events } = setup({
      timeout: 0,
      timeBudget: { totalMs: Infinity, propagateHeader: 'x-deadline-ms' },
    });
    const controller = new AbortController();
    const call = track(client.get('/forever', { signal: controller.signal }));
    await settleChain();
    expect(events.attempt.map((e) => [e.timeoutMs, e.remainingMs])).toEqual([[Infinity, Infinity]]);
    expect(clock.pending).toBe(0);
    expect(exchanges[0].headers['x-deadline-ms']).toBeUndefined();
    await clock.advance(3_600_000);
    expect(call.state).toBe('pending');
    controller.abort();
    await call.done;
    expect(axios.isCancel(call.error)).toBe(true);
    expect(resilienceOf(call.error)?.reason).toBe('aborted');
    expect(client.stats().inFlight).toBe(0);
    expect(clock.pending).toBe(0);
  });

  test('per-request resilience.timeBudget overrides the client budget for that call only', async () => {
    const ctx = setup({ timeBudget: { totalMs: 5000, attemptMs: 1000 } });
    ctx.plan.push(200, 200, 200);
    await ctx.client.get('/a', { resilience: { timeBudget: { totalMs: 500 } } });
    await ctx.client.get('/b', { resilience: { timeBudget: { attemptMs: 70 } } });
    await ctx.client.get('/c');
    expect(ctx.events.attempt.map((e) => [e.timeoutMs, e.remainingMs])).toEqual([[500, 500], [70, 5000], [1000, 5000]]);
    expect(ctx.clock.pending).toBe(0);
  });

  test('a per-request totalMs is enforced: the call fails at that deadline', async () => {
    const { clock, client } = setup({ timeBudget: { totalMs: 5000 } });
    const call = track(client.get('/slow', { resilience: { timeBudget: { totalMs: 300 } } }));
    await settleChain();
    await clock.advance(300);
    await call.done;
    expect(call.error).toBeInstanceOf(DeadlineExceededError);
    expect((call.error as DeadlineExceededError).totalMs).toBe(300);
    expect(resilienceOf(call.error)).toEqual({ attempts: 1, elapsedMs: 300, reason: 'deadline' });
    expect(clock.pending).toBe(0);
  });
});

describe("the caller's abort", () => {
  test('abort during an attempt: CanceledError, reason aborted, not retried, breaker counts nothing', async () => {
    const { clock, client, exchanges, events } = setup({ timeBudget: { totalMs: 5000, attemptMs: 1000 }, retry: { maxAttempts: 4 } });
    const controller = new AbortController();
    const call = track(client.get('/hang', { signal: controller.signal }));
    await settleChain();
    await clock.advance(200);
    expect(exchanges).toHaveLength(1);
    controller.abort();
    await settleChain();
    expect(call.state).toBe('rejected');
    const err = call.error as AxiosError;
    expect(axios.isCancel(err)).toBe(true);
    expect(err).toBeInstanceOf(CanceledError);
    expect(err).not.toBeInstanceOf(DeadlineExceededError);
    expect(resilienceOf(err)).toEqual({ attempts: 1, elapsedMs: 200, reason: 'aborted' });
    expect(exchanges[0].aborted).toBe(true);
    // The rejection's config carries the caller's own signal, not the engine's per-attempt one.
    expect(err.config?.signal).toBe(controller.signal);

    await clock.advance(10_000);
    expect(exchanges).toHaveLength(1);
    expect(events.retry).toHaveLength(0);
    expect(events.failure.map((e) => e.reason)).toEqual(['aborted']);
    expect(client.circuit()?.stats).toMatchObject({ calls: 1, failures: 0, successes: 0, ignored: 1 });
    expect(client.stats()).toMatchObject({ failures: 1, retries: 0, inFlight: 0 });
    expect(clock.pending).toBe(0);
  });

  test('abort during a wait: rejects at once with CanceledError, no further attempt', async () => {
    const { clock, client, exchanges, plan, events } = setup({ retry: { maxAttempts: 4, backoff: { baseMs: 2000 } } });
    plan.push(503);
    const controller = new AbortController();
    const call = track(client.get('/busy', { signal: controller.signal }));
    await settleChain();
    expect(events.retry).toHaveLength(1);
    expect(events.retry[0].delayMs).toBe(1000);
    expect(clock.pending).toBe(1); // the wait
    await clock.advance(400);
    controller.abort();
    await settleChain();
    expect(call.state).toBe('rejected');
    expect(axios.isCancel(call.error)).toBe(true);
    expect(resilienceOf(call.error)).toEqual({ attempts: 1, elapsedMs: 400, reason: 'aborted' });
    expect(clock.pending).toBe(0);
    await clock.advance(10_000);
    expect(exchanges).toHaveLength(1);
    expect(events.failure.map((e) => e.reason)).toEqual(['aborted']);
    expect(events.attempt).toHaveLength(1);
    // The 503 counted as a failure; the abort itself counts as nothing.
    expect(client.circuit()?.stats).toMatchObject({ calls: 1, failures: 1, ignored: 0 });
  });

  test('abort during a retry (second attempt in flight): CanceledError, reason aborted, breaker ignores only that attempt', async () => {
    const { clock, client, exchanges, plan, events } = setup({ retry: { maxAttempts: 4 } });
    plan.push(503, 'hang');
    const controller = new AbortController();
    const call = track(client.get('/busy', { signal: controller.signal }));
    await settleChain();
    await clock.advance(50);
    expect(exchanges).toHaveLength(2);
    await clock.advance(30);
    controller.abort();
    await settleChain();
    expect(call.state).toBe('rejected');
    expect(axios.isCancel(call.error)).toBe(true);
    expect(resilienceOf(call.error)).toEqual({ attempts: 2, elapsedMs: 80, reason: 'aborted' });
    expect(exchanges[1].aborted).toBe(true);
    expect(events.failure.map((e) => e.reason)).toEqual(['aborted']);
    expect(client.circuit()?.stats).toMatchObject({ calls: 2, failures: 1, ignored: 1 });
    expect(clock.pending).toBe(0);
    await clock.advance(60_000);
    expect(exchanges).toHaveLength(2);
  });

  test('CancelToken cancelled during a retry (second attempt in flight) ends the call', async () => {
    const { clock, client, exchanges, plan, events } = setup({ retry: { maxAttempts: 4 } });
    plan.push(503, 'hang');
    const source = axios.CancelToken.source();
    const call = track(client.get('/busy', { cancelToken: source.token }));
    await settleChain();
    await clock.advance(50);
    expect(exchanges).toHaveLength(2);
    source.cancel();
    await settleChain();
    expect(call.state).toBe('rejected');
    expect(axios.isCancel(call.error)).toBe(true);
    expect(resilienceOf(call.error)).toEqual({ attempts: 2, elapsedMs: 50, reason: 'aborted' });
    expect(events.failure.map((e) => e.reason)).toEqual(['aborted']);
    expect(client.circuit()?.stats).toMatchObject({ calls: 2, failures: 1, ignored: 1 });
    expect(client.stats().inFlight).toBe(0);
    expect(clock.pending).toBe(0);
  });

  test('an already-aborted signal: CanceledError, the adapter is never called', async () => {
    const { clock, client, exchanges, events } = setup();
    const controller = new AbortController();
    controller.abort();
    const call = track(client.get('/never', { signal: controller.signal }));
    await settleChain();
    expect(call.state).toBe('rejected');
    expect(axios.isCancel(call.error)).toBe(true);
    expect(resilienceOf(call.error)).toEqual({ attempts: 0, elapsedMs: 0, reason: 'aborted' });
    expect(exchanges).toHaveLength(0);
    expect(events.attempt).toHaveLength(0);
    expect(events.failure.map((e) => e.reason)).toEqual(['aborted']);
    expect(client.circuit()?.stats).toMatchObject({ calls: 0, failures: 0, ignored: 0 });
    expect(clock.pending).toBe(0);
  });

  test('CancelToken cancelled during a wait: CanceledError at once, reason aborted, no further attempt', async () => {
    const { clock, client, exchanges, plan, events } = setup({ retry: { maxAttempts: 4, backoff: { baseMs: 2000 } } });
    plan.push(503);
    const source = axios.CancelToken.source();
    const call = track(client.get('/busy', { cancelToken: source.token }));
    await settleChain();
    expect(events.retry).toHaveLength(1);
    await clock.advance(300);
    source.cancel('user navigated away');
    await settleChain();
    expect(call.state).toBe('rejected');
    expect(axios.isCancel(call.error)).toBe(true);
    expect(resilienceOf(call.error)).toEqual({ attempts: 1, elapsedMs: 300, reason: 'aborted' });
    expect(clock.pending).toBe(0);
    await clock.advance(10_000);
    expect(exchanges).toHaveLength(1);
    expect(events.failure.map((e) => e.reason)).toEqual(['aborted']);
  });

  test('CancelToken cancelled during an attempt aborts the request in flight', async () => {
    const { clock, client, exchanges, events } = setup();
    const source = axios.CancelToken.source();
    const call = track(client.get('/hang', { cancelToken: source.token }));
    await settleChain();
    await clock.advance(50);
    source.cancel();
    await settleChain();
    expect(call.state).toBe('rejected');
    expect(axios.isCancel(call.error)).toBe(true);
    expect(exchanges[0].aborted).toBe(true);
    // The call is over: one failure event, the attempt's timer gone, its breaker permit released.
    expect(events.failure.map((e) => e.reason)).toEqual(['aborted']);
    expect(resilienceOf(call.error)).toEqual({ attempts: 1, elapsedMs: 50, reason: 'aborted' });
    expect(client.stats()).toMatchObject({ failures: 1, inFlight: 0 });
    expect(client.circuit()?.stats).toMatchObject({ calls: 1, failures: 0, ignored: 1 });
    expect(clock.pending).toBe(0);
    await clock.advance(60_000);
    expect(exchanges).toHaveLength(1);
    expect(events.failure).toHaveLength(1);
  });

  test('a CancelToken abort of a HALF_OPEN trial frees the trial slot', async () => {
    const { clock, client, exchanges, plan } = setup({
      retry: false,
      circuitBreaker: { trip: { type: 'consecutive', failures: 1 }, openMs: 1000 },
    });
    plan.push(503);
    await expect(client.get('/down')).rejects.toMatchObject({ response: { status: 503 } });
    expect(client.circuit()?.state).toBe('OPEN');
    await clock.advance(1000);
    const source = axios.CancelToken.source();
    const trial = track(client.get('/trial', { cancelToken: source.token }));
    await settleChain();
    expect(exchanges).toHaveLength(2);
    source.cancel();
    await settleChain();
    expect(axios.isCancel(trial.error)).toBe(true);
    // The cancelled trial counted as nothing: the next call is the new trial and reaches the server.
    plan.push(200);
    await expect(client.get('/next')).resolves.toMatchObject({ status: 200 });
    expect(exchanges).toHaveLength(3);
    expect(client.circuit()?.state).toBe('CLOSED');
    expect(clock.pending).toBe(0);
  });

  test('an already-cancelled CancelToken: CanceledError, the adapter is never called', async () => {
    const { clock, client, exchanges, events } = setup();
    const source = axios.CancelToken.source();
    source.cancel();
    const call = track(client.get('/never', { cancelToken: source.token }));
    await settleChain();
    expect(call.state).toBe('rejected');
    expect(axios.isCancel(call.error)).toBe(true);
    expect(exchanges).toHaveLength(0);
    expect(events.failure.map((e) => e.reason)).toEqual(['aborted']);
    expect(clock.pending).toBe(0);
  });

  test("the caller's listener is removed when the call ends, whatever the outcome", async () => {
    const { clock, client, plan } = setup({ retry: false, timeBudget: { attemptMs: 100 } });
    const controller = new AbortController();
    const counts = { add: 0, remove: 0 };
    const signal: GenericAbortSignal = {
      get aborted() {
        return controller.signal.aborted;
      },
      addEventListener: (type: 'abort', l: () => void) => {
        counts.add++;
        controller.signal.addEventListener(type, l);
      },
      removeEventListener: (type: 'abort', l: () => void) => {
        counts.remove++;
        controller.signal.removeEventListener(type, l);
      },
    };
    plan.push(200, 503, 'hang');
    await client.get('/ok', { signal });
    await expect(client.get('/bad', { signal })).rejects.toThrow();
    const hung = track(client.get('/hang', { signal }));
    await settleChain();
    await clock.advance(100);
    await hung.done;
    expect(hung.state).toBe('rejected');
    expect(counts).toEqual({ add: 3, remove: 3 });
    expect(clock.pending).toBe(0);
  });
});

describe('timeBudget.propagateHeader', () => {
  test('every attempt carries the milliseconds left, floored', async () => {
    const { clock, client, exchanges, plan, events } = setup({
      timeBudget: { totalMs: 5000, propagateHeader: 'x-deadline-ms' },
      retry: { maxAttempts: 4 },
    });
    const call = track(client.get('/p'));
    await settleChain();
    await clock.advance(10.4);
    plan.push(503, 200);
    exchanges[0].respond(503);
    await settleChain();
    // waits: 50 (after attempt 1), 100 (after attempt 2)
    await clock.advance(50);
    await clock.advance(100);
    await call.done;
    expect(call.state).toBe('resolved');
    expect(exchanges.map((x) => x.headers['x-deadline-ms'])).toEqual(['5000', '4939', '4839']);
    expect(events.attempt.map((e) => e.remainingMs)).toEqual([5000, 5000 - 60.4, 5000 - 160.4]);
    expect(clock.pending).toBe(0);
  });

  test('a per-request budget is what is propagated', async () => {
    const { client, exchanges, plan, clock } = setup({ timeBudget: { totalMs: 5000, propagateHeader: 'x-deadline-ms' } });
    plan.push(200);
    await client.get('/p', { resilience: { timeBudget: { totalMs: 750 } } });
    expect(exchanges[0].headers['x-deadline-ms']).toBe('750');
    expect(clock.pending).toBe(0);
  });

  test('no header without the option', async () => {
    const { client, exchanges, plan, clock } = setup({ timeBudget: { totalMs: 5000 } });
    plan.push(200);
    await client.get('/p');
    expect(Object.keys(exchanges[0].headers).map((h) => h.toLowerCase())).not.toContain('x-deadline-ms');
    expect(clock.pending).toBe(0);
  });
});

describe('remainingMs in events', () => {
  test('retry events carry the time left after the wait, failure events the time left at the end', async () => {
    const { clock, client, exchanges, plan, events } = setup({ timeBudget: { totalMs: 3000 }, retry: { maxAttempts: 3 } });
    const call = track(client.get('/r'));
    await settleChain();
    await clock.advance(200);
    plan.push('hang');
    exchanges[0].respond(500);
    await settleChain();
    await clock.advance(50); // wait 1
    await clock.advance(300);
    plan.push('hang');
    exchanges[1].respond(502);
    await settleChain();
    await clock.advance(100); // wait 2
    await clock.advance(25);
    exchanges[2].respond(504);
    await call.done;
    expect(events.retry.map((e) => [e.attempt, e.status, e.delayMs, e.remainingMs])).toEqual([
      [1, 500, 50, 3000 - 200 - 50],
      [2, 502, 100, 3000 - 550 - 100],
    ]);
    expect(events.failure).toEqual([expect.objectContaining({ reason: 'exhausted', status: 504, attempts: 3, elapsedMs: 675, remainingMs: 3000 - 675 })]);
    expect((call.error as AxiosError).response?.status).toBe(504);
    expect(clock.pending).toBe(0);
  });
});

describe('dispose()', () => {
  test('rejects a call waiting between attempts and aborts one in flight; nothing left on the clock', async () => {
    const { clock, client, exchanges, plan, events } = setup({ retry: { maxAttempts: 4, backoff: { baseMs: 2000 } } });
    plan.push(503);
    const waiting = track(client.get('/waiting'));
    await settleChain();
    const inFlight = track(client.get('/in-flight'));
    await settleChain();
    expect(exchanges).toHaveLength(2);
    expect(clock.pending).toBe(2); // the wait and the attempt timer
    await clock.advance(100);

    client.dispose();
    await settleChain();
    expect(waiting.state).toBe('rejected');
    expect(inFlight.state).toBe('rejected');
    expect(axios.isCancel(waiting.error)).toBe(true);
    expect(axios.isCancel(inFlight.error)).toBe(true);
    expect(resilienceOf(waiting.error)).toEqual({ attempts: 1, elapsedMs: 100, reason: 'aborted' });
    expect(resilienceOf(inFlight.error)).toEqual({ attempts: 1, elapsedMs: 100, reason: 'aborted' });
    expect(exchanges[1].aborted).toBe(true);
    expect(events.failure.map((e) => e.reason).sort()).toEqual(['aborted', 'aborted']);
    expect(clock.pending).toBe(0);
    expect(client.stats().inFlight).toBe(0);

    await clock.advance(60_000);
    expect(exchanges).toHaveLength(2);
    expect(clock.pending).toBe(0);
  });

  test('dispose() aborts a retry attempt in flight (dispatched by the engine, not by the caller)', async () => {
    const { clock, client, exchanges, plan, events } = setup({ retry: { maxAttempts: 4 } });
    plan.push(503, 'hang');
    const call = track(client.get('/busy'));
    await settleChain();
    await clock.advance(50);
    expect(exchanges).toHaveLength(2);
    client.dispose();
    await settleChain();
    expect(call.state).toBe('rejected');
    expect(axios.isCancel(call.error)).toBe(true);
    expect(resilienceOf(call.error)).toEqual({ attempts: 2, elapsedMs: 50, reason: 'aborted' });
    expect(exchanges[1].aborted).toBe(true);
    expect(events.failure.map((e) => e.reason)).toEqual(['aborted']);
    expect(clock.pending).toBe(0);
    await clock.advance(60_000);
    expect(exchanges).toHaveLength(2);
  });

  test('dispose with nothing in flight holds no timer', async () => {
    const { clock, client, plan } = setup();
    plan.push(200);
    await client.get('/x');
    client.dispose();
    expect(clock.pending).toBe(0);
  });
});

describe('no timer left behind', () => {
  test('after calls that succeed, fail, time out and hit the deadline, the clock has no sleeper', async () => {
    const { clock, client, plan } = setup({ timeBudget: { totalMs: 1000, attemptMs: 300 }, retry: { maxAttempts: 2 } });
    plan.push(200);
    await client.get('/ok');
    expect(clock.pending).toBe(0);
    plan.push(404);
    await expect(client.get('/missing')).rejects.toMatchObject({ response: { status: 404 } });
    expect(clock.pending).toBe(0);
    plan.push(503, 200);
    const retried = track(client.get('/retried'));
    await settleChain();
    await clock.advance(50);
    await retried.done;
    expect(retried.state).toBe('resolved');
    expect(clock.pending).toBe(0);
    const timedOut = track(client.get('/hang'));
    await settleChain();
    await clock.advance(1000);
    await timedOut.done;
    expect(timedOut.state).toBe('rejected');
    expect(clock.pending).toBe(0);
  });

  test('overlapping attempts share one timer, re-armed for the earliest deadline', async () => {
    const { clock, client, exchanges } = setup({ retry: false });
    const slow = track(client.get('/slow', { resilience: { timeBudget: { attemptMs: 500 } } }));
    await settleChain();
    const fast = track(client.get('/fast', { resilience: { timeBudget: { attemptMs: 200 } } }));
    await settleChain();
    expect(clock.pending).toBe(1);
    await clock.advance(200);
    expect(fast.state).toBe('rejected');
    expect(slow.state).toBe('pending');
    expect(clock.pending).toBe(1);
    exchanges[0].respond(200);
    await slow.done;
    expect(slow.state).toBe('resolved');
    expect((fast.error as AxiosError).code).toBe('ETIMEDOUT');
    expect(clock.pending).toBe(0);
  });
});
