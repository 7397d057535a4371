/**
 * Hedged requests through the client, driven by a FakeClock and an adapter the
 * test answers by hand: when a copy goes (not before `delayMs`, exactly at it,
 * at most `maxHedges`, at once after a retryable failure, never after
 * pushback), what may refuse one (budget, breaker, method, body), which
 * outcome wins, and that the losers are cut in the same tick and never
 * charged to the breaker.
 */
import axios, { AxiosError, CanceledError } from 'axios';
import type { AxiosAdapter, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import { attemptOf } from '../../lib/call/call.js';
import type { AttemptInfo } from '../../lib/call/call.js';
import { ConfigError } from '../../lib/common/config-error.js';
import { DeadlineExceededError } from '../../lib/report/errors.js';
import type { WithResilience } from '../../lib/report/errors.js';
import { ResilientClient } from '../../lib/resilient-client.js';
import type { ResilientClientConfig } from '../../lib/resilient-client.js';
import { Readable } from 'node:stream';
import { FakeClock } from '../helpers/fake-clock.js';
import { settle, settleChain, track } from '../helpers/engine-harness.js';

const BASE = 'http://api.test';

/** One request that reached the adapter; answered by the test. */
interface Exchange {
  readonly config: InternalAxiosRequestConfig;
  readonly method: string;
  readonly at: number;
  readonly aborted: boolean;
  readonly settled: boolean;
  respond(status: number, headers?: Record<string, string>): void;
  fail(code: string): void;
}

/** An adapter like axios's own (validateStatus decides; an abort rejects with CanceledError) that never answers by itself. */
function handAdapter(clock: FakeClock) {
  const exchanges: Exchange[] = [];
  const adapter: AxiosAdapter = (config) =>
    new Promise<AxiosResponse>((resolve, reject) => {
      let done = false;
      let aborted = false;
      const signal = config.signal;
      const onAbort = (): void => {
        if (done) return;
        done = aborted = true;
        reject(new CanceledError(undefined, config));
      };
      const finish = (): void => {
        if (done) throw new Error('exchange already settled');
        done = true;
        signal?.removeEventListener?.('abort', onAbort);
      };
      exchanges.push({
        config,
        method: (config.method ?? 'get').toUpperCase(),
        at: clock.now(),
        get aborted() {
          return aborted;
        },
        get settled() {
          return done;
        },
        respond(status, headers = {}) {
          finish();
          settle(config, status, headers, { status }, resolve, reject);
        },
        fail(code) {
          finish();
          reject(new AxiosError(`network: ${code}`, code, config, {}));
        },
      });
      signal?.addEventListener?.('abort', onAbort);
    });
  return { adapter, exchanges };
}

function setup(config: ResilientClientConfig = {}) {
  const clock = new FakeClock();
  const { adapter, exchanges } = handAdapter(clock);
  const { retry, ...rest } = config;
  const client = new ResilientClient({
    baseURL: BASE, adapter, clock, random: () => 0.5,
    retry: retry === false ? false : { backoff: { type: 'constant', baseMs: 100, jitter: 'none' }, ...(retry === true ? {} : retry) },
    hedge: { delayMs: 50 },
    ...rest,
  });
  const log: string[] = [];
  client.on('attempt', (e) => log.push(`attempt #${e.attempt}${e.hedge ? ' hedge' : ''} @${clock.now()}`));
  client.on('attempt-end', (e) => log.push(`end #${e.attempt} ${e.outcome} ${e.status ?? e.code}`));
  client.on('hedge', (e) => log.push(`hedge #${e.attempt} inFlight=${e.inFlight} @${e.elapsedMs}`));
  client.on('retry', (e) => log.push(`retry #${e.attempt} ${e.delayMs}ms`));
  client.on('success', (e) => log.push(`success ${e.status} attempts=${e.attempts}`));
  client.on('failure', (e) => log.push(`failure ${e.reason}`));
  return { clock, client, exchanges, log };
}

/** Moves the clock and lets axios's chains run. */
async function at(clock: FakeClock, ms: number): Promise<void> {
  await clock.advance(ms);
  await settleChain();
}

afterEach(() => jest.restoreAllMocks());

describe('when a copy goes', () => {
  test('none before delayMs, one at exactly delayMs, marked as a hedge', async () => {
    const { clock, client, exchanges, log } = setup();
    const seen: AttemptInfo[] = [];
    client.axios.interceptors.request.use((c) => {
      seen.push(attemptOf(c) as AttemptInfo);
      return c;
    });
    const call = track(client.get('/a'));
    await settleChain();
    expect(exchanges).toHaveLength(1);
    await at(clock, 49);
    expect(exchanges).toHaveLength(1);
    await at(clock, 1);
    expect(exchanges).toHaveLength(2);
    expect(exchanges[1].at - exchanges[0].at).toBe(50);
    expect(seen.map((s) => [s.attempt, s.hedge])).toEqual([[1, false], [2, true]]);
    expect(attemptOf(exchanges[1].config)).toMatchObject({ attempt: 2, maxAttempts: 3, hedge: true });
    exchanges[1].respond(200);
    await settleChain();
    expect(call.state).toBe('resolved');
    expect((call.value as AxiosResponse).status).toBe(200);
    expect(log).toEqual([
      'attempt #1 @1000', 'attempt #2 hedge @1050', 'hedge #2 inFlight=2 @50',
      'end #2 response 200', 'end #1 aborted ERR_HEDGE_LOST', 'success 200 attempts=2',
    ]);
    expect(client.stats()).toMatchObject({ inFlight: 0, attempts: 2, hedges: { sent: 1, won: 1 } });
    expect(clock.pending).toBe(0);
  });

  test('the timer restarts with each copy; at most maxHedges copies', async () => {
    const { clock, client, exchanges } = setup({ retry: { maxAttempts: 4 }, hedge: { delayMs: 50, maxHedges: 2 } });
    const call = track(client.get('/a'));
    await at(clock, 50);
    expect(exchanges).toHaveLength(2);
    await at(clock, 49);
    expect(exchanges).toHaveLength(2);
    await at(clock, 1);
    expect(exchanges.map((x) => x.at - 1_000)).toEqual([0, 50, 100]);
    await at(clock, 500);
    expect(exchanges).toHaveLength(3);
    expect(clock.pending).toBeGreaterThan(0); // the attempts' own timers only
    exchanges[0].respond(200);
    await settleChain();
    expect(call.state).toBe('resolved');
    expect(exchanges.map((x) => x.aborted)).toEqual([false, true, true]);
    expect(client.stats().hedges).toMatchObject({ sent: 2, won: 0 });
    expect(clock.pending).toBe(0);
  });

  test('delayMs 0 sends the copies together', async () => {
    const { clock, client, exchanges } = setup({ retry: { maxAttempts: 3 }, hedge: { delayMs: 0, maxHedges: 2 } });
    const call = track(client.get('/a'));
    await at(clock, 0);
    expect(exchanges.map((x) => x.at)).toEqual([1_000, 1_000, 1_000]);
    exchanges[2].respond(200);
    await settleChain();
    expect(call.state).toBe('resolved');
  });

  test('a retryable failure sends the next copy at once, without backoff', async () => {
    const { clock, client, exchanges, log } = setup();
    const call = track(client.get('/a'));
    await at(clock, 10);
    exchanges[0].respond(502);
    await settleChain();
    expect(exchanges).toHaveLength(2);
    expect(exchanges[1].at).toBe(1_010);
    expect(log).toContain('hedge #2 inFlight=1 @10');
    expect(log.some((l) => l.startsWith('retry'))).toBe(false);
    exchanges[1].respond(200);
    await settleChain();
    expect(call.state).toBe('resolved');
  });

  test('an attempt timeout is a retryable failure: the next copy goes at once and takes timeoutCost', async () => {
    const { clock, client, exchanges } = setup({ timeBudget: { attemptMs: 30 }, hedge: { delayMs: 50 } });
    const call = track(client.get('/a'));
    await at(clock, 30);
    expect(exchanges[0].aborted).toBe(true);
    expect(exchanges).toHaveLength(2);
    expect(client.stats().retryBudget).toMatchObject({ tokens: 490 });
    exchanges[1].respond(200);
    await settleChain();
    expect(call.state).toBe('resolved');
  });

  test('a retryable failure of a copy, with a sibling in flight and no copy left, waits for the sibling', async () => {
    const { clock, client, exchanges, log } = setup();
    const call = track(client.get('/a'));
    await at(clock, 50);
    exchanges[1].respond(502);
    await at(clock, 500);
    expect(exchanges).toHaveLength(2);
    expect(call.state).toBe('pending');
    exchanges[0].respond(200);
    await settleChain();
    expect(call.state).toBe('resolved');
    expect(log.slice(-1)).toEqual(['success 200 attempts=2']);
  });

  test('when every attempt failed the retry path goes on: backoff, then a new attempt that may be hedged again', async () => {
    const { clock, client, exchanges, log } = setup({ retry: { maxAttempts: 5 }, hedge: { delayMs: 50, maxHedges: 2 } });
    const call = track(client.get('/a'));
    await at(clock, 50); // copy #2
    exchanges[1].respond(502); // copy #3 at once
    await settleChain();
    expect(exchanges).toHaveLength(3);
    exchanges[2].respond(504);
    exchanges[0].respond(500);
    await settleChain();
    expect(log.filter((l) => l.startsWith('retry'))).toEqual(['retry #3 100ms']);
    await at(clock, 100);
    expect(exchanges).toHaveLength(4);
    expect(attemptOf(exchanges[3].config)).toMatchObject({ attempt: 4, hedge: false });
    await at(clock, 50); // hedges are used up: no copy of the retry
    expect(exchanges).toHaveLength(4);
    exchanges[3].respond(200);
    await settleChain();
    expect(call.state).toBe('resolved');
    expect(client.stats()).toMatchObject({ attempts: 4, retries: 1, hedges: { sent: 2, won: 0 } });
  });

  test('copies count as attempts: none past retry.maxAttempts', async () => {
    const { clock, client, exchanges } = setup({ retry: { maxAttempts: 2 }, hedge: { delayMs: 50, maxHedges: 1 } });
    const call = track(client.get('/a'));
    await at(clock, 10);
    exchanges[0].respond(502); // copy #2 at once
    await settleChain();
    exchanges[1].respond(502);
    await settleChain();
    expect(call.state).toBe('rejected');
    expect((call.error as WithResilience).resilience).toMatchObject({ attempts: 2, reason: 'exhausted' });
    expect(exchanges).toHaveLength(2);
  });
});

describe('what stops a copy', () => {
  test.each([
    ['503', 503, {}],
    ['429', 429, {}],
    ['Retry-After on a 500', 500, { 'retry-after': '1' }],
  ])('pushback (%s) stops hedging for the call', async (_name, status, headers) => {
    const { clock, client, exchanges } = setup({ retry: { maxAttempts: 4 }, hedge: { delayMs: 50, maxHedges: 2 } });
    const call = track(client.get('/a'));
    await at(clock, 50);
    exchanges[0].respond(status, headers);
    await at(clock, 200);
    expect(exchanges).toHaveLength(2); // no copy at once, none at the next delay
    exchanges[1].respond(200);
    await settleChain();
    expect(call.state).toBe('resolved');
    expect(client.stats().hedges).toMatchObject({ sent: 1, refused: { pushback: 1 } });
  });

  test('a retry after pushback is not hedged', async () => {
    const { clock, client, exchanges } = setup();
    const call = track(client.get('/a'));
    await at(clock, 10);
    exchanges[0].respond(503, { 'retry-after': '1' });
    await at(clock, 1_049); // Retry-After plus its jitter (random 0.5: 5% of it)
    expect(exchanges).toHaveLength(1);
    await at(clock, 1);
    expect(exchanges).toHaveLength(2); // the retry, after Retry-After and its jitter
    await at(clock, 500);
    expect(exchanges).toHaveLength(2);
    exchanges[1].respond(200);
    await settleChain();
    expect(call.state).toBe('resolved');
  });

  test('the retry budget refuses the copy: no copy, the call goes on', async () => {
    const { clock, client, exchanges } = setup({ retryBudget: { type: 'tokens', capacity: 4, retryCost: 5 } });
    const call = track(client.get('/a'));
    await at(clock, 100);
    expect(exchanges).toHaveLength(1);
    exchanges[0].respond(200);
    await settleChain();
    expect(call.state).toBe('resolved');
    expect(client.stats().hedges).toMatchObject({ sent: 0, refused: { budget: 1 } });
  });

  test('a breaker that is not CLOSED gets no copy; the trial call goes on', async () => {
    const { clock, client, exchanges, log } = setup({ circuitBreaker: { trip: { type: 'consecutive', failures: 1 }, openMs: 1_000, openJitter: 0 } });
    const first = track(client.get('/a', { resilience: { hedge: false, retry: false } }));
    await settleChain();
    exchanges[0].respond(500);
    await settleChain();
    expect(first.state).toBe('rejected');
    expect(client.circuit()?.state).toBe('OPEN');
    await at(clock, 1_000);
    const trial = track(client.get('/a'));
    await at(clock, 100);
    expect(exchanges).toHaveLength(2);
    expect(client.stats().hedges.refused.breaker).toBe(1);
    exchanges[1].respond(200);
    await settleChain();
    expect(trial.state).toBe('resolved');
    expect(client.circuit()?.state).toBe('CLOSED');
    expect(log.filter((l) => l.startsWith('hedge'))).toEqual([]);
  });

  test('adaptive throttling refuses a copy locally without failing the call', async () => {
    let draw = 0.99;
    const { clock, client, exchanges, log } = setup({ random: () => draw, adaptiveThrottle: { k: 2, windowMs: 10_000, minRequests: 0 } });
    const refused = track(client.get('/w', { resilience: { hedge: false, retry: false } }));
    await settleChain();
    exchanges[0].respond(503); // the throttle's window: 1 request, 0 accepted
    await refused.done;
    const call = track(client.get('/a')); // admitted: the draw is above p
    await settleChain();
    draw = 0; // below any p > 0: the copy is refused
    await at(clock, 100);
    expect(exchanges).toHaveLength(2);
    expect(client.stats().hedges.refused.throttle).toBe(1);
    expect(log.filter((l) => l.startsWith('hedge'))).toEqual([]);
    exchanges[1].respond(200);
    await settleChain();
    expect(call.state).toBe('resolved');
    expect(client.stats()).toMatchObject({ rejections: 0 }); // a refused copy is not a refused call
  });

  test('methods: POST only when listed and keyed; hedge.methods narrows the default', async () => {
    const { clock, client, exchanges } = setup({ retry: { idempotencyKey: true }, hedge: { delayMs: 50, methods: ['GET', 'POST'] } });
    const calls = [
      track(client.post('/keyed', { a: 1 })),
      track(client.put('/put', { a: 1 })), // not in hedge.methods
      track(client.post('/unkeyed', { a: 1 }, { resilience: { idempotencyKey: false } })),
    ];
    await at(clock, 100);
    expect(exchanges.map((x) => `${x.method} ${x.config.url}`)).toEqual(['POST /keyed', 'PUT /put', 'POST /unkeyed', 'POST /keyed']);
    expect(exchanges[3].config.headers.get('Idempotency-Key')).toBe(exchanges[0].config.headers.get('Idempotency-Key'));
    expect(exchanges[3].config.data).toBe('{"a":1}');
    for (const x of exchanges) if (!x.settled) x.respond(200);
    await settleChain();
    expect(calls.map((c) => c.state)).toEqual(['resolved', 'resolved', 'resolved']);
  });

  test('the default methods are the retry methods: no POST without a key, even listed in retry.methods', async () => {
    const { clock, client, exchanges } = setup({ retry: { methods: ['GET', 'POST'] } });
    const call = track(client.post('/p', 'x'));
    await at(clock, 100);
    expect(exchanges).toHaveLength(1);
    exchanges[0].respond(200);
    await settleChain();
    expect(call.state).toBe('resolved');
  });

  test('a stream body is never hedged', async () => {
    const { clock, client, exchanges } = setup({ hedge: { delayMs: 50, methods: ['PUT'] } });
    const call = track(client.put('/s', Readable.from(['a', 'b'])));
    await at(clock, 100);
    expect(exchanges).toHaveLength(1);
    exchanges[0].respond(200);
    await settleChain();
    expect(call.state).toBe('resolved');
  });

  test('per request: hedge: false, a shorter delay, and retry: false (send once) turn it off or tune it', async () => {
    const { clock, client, exchanges } = setup();
    const calls = [
      track(client.get('/off', { resilience: { hedge: false } })),
      track(client.get('/once', { resilience: { retry: false } })),
      track(client.get('/fast', { resilience: { hedge: { delayMs: 10 } } })),
    ];
    await at(clock, 10);
    expect(exchanges.map((x) => x.config.url)).toEqual(['/off', '/once', '/fast', '/fast']);
    await at(clock, 100);
    expect(exchanges).toHaveLength(4);
    for (const x of exchanges) if (!x.settled && !x.aborted) x.respond(200);
    await settleChain();
    expect(calls.map((c) => c.state)).toEqual(['resolved', 'resolved', 'resolved']);
  });

  test('invalid per-request hedge options reject the call with a ConfigError before anything is sent', async () => {
    const { client, exchanges } = setup();
    const err = await client.get('/a', { resilience: { hedge: { maxHedges: 5 } } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).path).toBe('resilience.hedge.maxHedges');
    const room = await client.get('/a', { resilience: { retry: { maxAttempts: 1 } } }).catch((e: unknown) => e);
    expect((room as ConfigError).path).toBe('resilience.retry.maxAttempts');
    expect(exchanges).toHaveLength(0);
  });
});

describe('who wins', () => {
  test('the first success wins: the copies in flight are aborted before success is reported', async () => {
    const { clock, client, exchanges } = setup({ retry: { maxAttempts: 3 }, hedge: { delayMs: 50, maxHedges: 2 } });
    let abortedAtSuccess: boolean[] = [];
    client.on('success', () => {
      abortedAtSuccess = exchanges.map((x) => x.aborted);
    });
    const call = track(client.get('/a'));
    await at(clock, 100);
    exchanges[1].respond(200);
    // Microtasks only (no timer, no I/O turn): the others are cut when the winner reaches the hedger.
    await settleChain();
    expect(exchanges.map((x) => x.aborted)).toEqual([true, false, true]);
    expect(call.state).toBe('resolved');
    expect(abortedAtSuccess).toEqual([true, false, true]);
  });

  test('the first non-retryable failure wins: a 404 ends the call at once', async () => {
    const { clock, client, exchanges, log } = setup();
    const call = track(client.get('/a'));
    await at(clock, 50);
    exchanges[1].respond(404);
    await settleChain();
    expect(call.state).toBe('rejected');
    expect((call.error as AxiosError).response?.status).toBe(404);
    expect((call.error as WithResilience).resilience).toMatchObject({ attempts: 2, reason: 'not-retryable' });
    expect(exchanges[0].aborted).toBe(true);
    expect(log.slice(-3)).toEqual(['end #2 response 404', 'end #1 aborted ERR_HEDGE_LOST', 'failure not-retryable']);
  });

  test('the first attempt winning cuts the copy; the caller gets its response and config', async () => {
    const { clock, client, exchanges } = setup();
    const call = track(client.get('/a', { headers: { 'x-a': '1' } }));
    await at(clock, 60);
    exchanges[0].respond(200);
    await settleChain();
    expect(exchanges[1].aborted).toBe(true);
    const r = call.value as AxiosResponse;
    expect(r.status).toBe(200);
    expect(r.config.signal).toBeUndefined();
    expect(attemptOf(r.config)).toMatchObject({ attempt: 1, hedge: false });
  });

  test('a copy that loses while still in the request interceptors is never sent', async () => {
    const { clock, client, exchanges } = setup();
    let release: () => void = () => undefined;
    let n = 0;
    client.axios.interceptors.request.use(async (c) => {
      if (++n === 2) await new Promise<void>((r) => { release = r; });
      return c;
    });
    const call = track(client.get('/a'));
    await at(clock, 50);
    expect(n).toBe(2);
    expect(exchanges).toHaveLength(1);
    exchanges[0].respond(200);
    await settleChain();
    expect(call.state).toBe('resolved');
    release();
    await settleChain();
    expect(exchanges).toHaveLength(1);
    expect(client.stats()).toMatchObject({ inFlight: 0, attempts: 1 });
  });

  test("a user request interceptor that throws for a copy ends the call with the user's error, like any attempt's", async () => {
    const { clock, client, exchanges } = setup();
    const boom = new Error('no token for the copy');
    client.axios.interceptors.request.use((c) => {
      if (attemptOf(c)?.hedge === true) throw boom;
      return c;
    });
    const call = track(client.get('/a'));
    await at(clock, 50);
    expect(call.state).toBe('rejected');
    expect(call.error).toBe(boom);
    expect(exchanges[0].aborted).toBe(true);
    expect(client.stats()).toMatchObject({ inFlight: 0, attempts: 1 });
    expect(client.circuit()?.stats).toMatchObject({ calls: 2, ignored: 2, failures: 0 });
  });

  test('copies still in the request interceptors count: numbers, the attempt cap, and the caller abort', async () => {
    const { clock, client, exchanges } = setup({ retry: { maxAttempts: 3 }, hedge: { delayMs: 10, maxHedges: 2 } });
    const held: Array<() => void> = [];
    const numbers: number[] = [];
    client.axios.interceptors.request.use(async (c) => {
      const info = attemptOf(c) as AttemptInfo;
      numbers.push(info.attempt);
      if (info.hedge) await new Promise<void>((r) => held.push(r));
      return c;
    });
    const controller = new AbortController();
    const call = track(client.get('/a', { signal: controller.signal }));
    await at(clock, 10); // copy #2 held in the interceptor: the timer waits for it to go out
    await at(clock, 100);
    expect(numbers).toEqual([1, 2]);
    exchanges[0].respond(502); // the next copy at once: #3, while #2 is still on its way
    await settleChain();
    expect(numbers).toEqual([1, 2, 3]);
    controller.abort();
    held.forEach((r) => r());
    await settleChain();
    expect(call.state).toBe('rejected');
    expect((call.error as WithResilience).resilience).toMatchObject({ reason: 'aborted' });
    expect(exchanges).toHaveLength(1); // neither copy was sent
    expect(client.stats()).toMatchObject({ inFlight: 0 });
    expect(clock.pending).toBe(0);
  });

  test('the breaker is charged for the winner only: aborted losers are ignored', async () => {
    const { clock, client, exchanges } = setup({ retry: { maxAttempts: 3 }, hedge: { delayMs: 50, maxHedges: 2 } });
    const call = track(client.get('/a'));
    await at(clock, 100);
    exchanges[2].respond(200);
    await settleChain();
    expect(call.state).toBe('resolved');
    expect(client.circuit()?.stats).toMatchObject({ calls: 3, successes: 1, failures: 0, ignored: 2 });
  });

  test('a retryable failure is charged, then a copy wins', async () => {
    const { clock, client, exchanges } = setup();
    const call = track(client.get('/a'));
    await at(clock, 50);
    exchanges[0].respond(500);
    await settleChain();
    exchanges[1].respond(200);
    await settleChain();
    expect(call.state).toBe('resolved');
    expect(client.circuit()?.stats).toMatchObject({ calls: 2, successes: 1, failures: 1, ignored: 0 });
  });
});

describe('budget, deadline, abort, interceptors', () => {
  test('refunds follow the winner: a copy that wins gives back its token, one that loses does not', async () => {
    const { clock, client, exchanges } = setup({ retryBudget: { type: 'tokens', capacity: 100, retryCost: 5, successRefund: 1 } });
    const won = track(client.get('/a'));
    await at(clock, 50);
    expect(client.stats().retryBudget).toMatchObject({ tokens: 95 });
    exchanges[1].respond(200);
    await settleChain();
    await won.done;
    expect(client.stats().retryBudget).toMatchObject({ tokens: 100 });
    const lost = track(client.get('/b'));
    await at(clock, 50);
    exchanges[2].respond(200);
    await settleChain();
    await lost.done;
    expect(client.stats().retryBudget).toMatchObject({ tokens: 96 }); // 95 + successRefund
  });

  test('the deadline aborts every attempt; the call rejects with DeadlineExceededError and no timer is left', async () => {
    const { clock, client, exchanges } = setup({ timeBudget: { totalMs: 200 }, retry: { maxAttempts: 3 }, hedge: { delayMs: 50, maxHedges: 2 } });
    const call = track(client.get('/a'));
    await at(clock, 199);
    expect(exchanges).toHaveLength(3);
    await at(clock, 1);
    expect(call.state).toBe('rejected');
    expect(call.error).toBeInstanceOf(DeadlineExceededError);
    expect((call.error as WithResilience).resilience).toMatchObject({ reason: 'deadline', attempts: 3 });
    expect(exchanges.every((x) => x.aborted)).toBe(true);
    expect(client.stats().inFlight).toBe(0);
    expect(clock.pending).toBe(0);
  });

  test('no copy is armed past the deadline', async () => {
    const { clock, client, exchanges } = setup({ timeBudget: { totalMs: 40 } });
    const call = track(client.get('/a'));
    await at(clock, 40);
    expect(exchanges).toHaveLength(1);
    expect(call.state).toBe('rejected');
    expect(clock.pending).toBe(0);
  });

  test("the caller's abort aborts every attempt", async () => {
    const { clock, client, exchanges } = setup();
    const controller = new AbortController();
    const call = track(client.get('/a', { signal: controller.signal }));
    await at(clock, 50);
    controller.abort();
    await settleChain();
    expect(call.state).toBe('rejected');
    expect(axios.isCancel(call.error)).toBe(true);
    expect((call.error as WithResilience).resilience).toMatchObject({ reason: 'aborted' });
    expect(exchanges.map((x) => x.aborted)).toEqual([true, true]);
    expect(client.circuit()?.stats).toMatchObject({ failures: 0, ignored: 2 });
    expect(clock.pending).toBe(0);
  });

  test('dispose() aborts every attempt and the hedge timer', async () => {
    const { clock, client, exchanges } = setup({ retry: { maxAttempts: 3 }, hedge: { delayMs: 50, maxHedges: 2 } });
    const call = track(client.get('/a'));
    await at(clock, 60);
    client.dispose();
    await settleChain();
    expect(call.state).toBe('rejected');
    expect(exchanges.map((x) => x.aborted)).toEqual([true, true]);
    expect(clock.pending).toBe(0);
  });

  test('request interceptors run once per attempt, response interceptors once per call; one bulkhead slot', async () => {
    const { clock, client, exchanges } = setup({ retry: { maxAttempts: 3 }, hedge: { delayMs: 50, maxHedges: 2 }, concurrency: { max: 1, queue: 0 } });
    let requests = 0;
    let responses = 0;
    let errors = 0;
    client.axios.interceptors.request.use((c) => {
      requests++;
      return c;
    });
    client.axios.interceptors.response.use(
      (r) => {
        responses++;
        return r;
      },
      (e: unknown) => {
        errors++; // the losers' marker never gets here
        throw e;
      },
    );
    const call = track(client.get('/a'));
    await at(clock, 100);
    expect(requests).toBe(3);
    expect(client.stats().bulkhead).toMatchObject({ active: 1 });
    exchanges[2].respond(200);
    await settleChain();
    expect(call.state).toBe('resolved');
    expect(responses).toBe(1);
    expect(errors).toBe(0);
    expect(client.stats().bulkhead).toMatchObject({ active: 0 });
  });
});

describe('hedging off', () => {
  test('no timer and no copy', async () => {
    const { clock, client, exchanges } = setup({ hedge: false });
    const sleeps = clock.sleeps.length;
    const call = track(client.get('/a'));
    await at(clock, 500);
    expect(exchanges).toHaveLength(1);
    expect(clock.sleeps.length - sleeps).toBe(1); // the attempt's own limit only
    exchanges[0].respond(200);
    await settleChain();
    expect(call.state).toBe('resolved');
    expect(client.stats().hedges).toEqual({ sent: 0, won: 0, refused: { budget: 0, breaker: 0, throttle: 0, pushback: 0 } });
  });
});

describe('with the system clock', () => {
  afterEach(() => jest.useRealTimers());

  test('an answer that came in by the time the hedge timer fires wins: no copy is sent', async () => {
    jest.useFakeTimers();
    let sent = 0;
    const adapter: AxiosAdapter = (config) => {
      sent++;
      // Answers when the hedge delay passes: the hedge timer (armed first) fires first.
      return new Promise((resolve, reject) => setTimeout(() => settle(config, 200, {}, 'ok', resolve, reject), 25));
    };
    const client = new ResilientClient({ baseURL: BASE, adapter, hedge: { delayMs: 25 } });
    const call = track(client.get('/a'));
    await jest.advanceTimersByTimeAsync(25);
    await call.done;
    expect(call.state).toBe('resolved');
    expect(sent).toBe(1);
    expect(client.stats()).toMatchObject({ inFlight: 0, hedges: { sent: 0 } });
    client.dispose();
  });

  test('without an answer the copy goes once the sockets were read', async () => {
    jest.useFakeTimers();
    const answers: Array<() => void> = [];
    const adapter: AxiosAdapter = (config) => new Promise((resolve, reject) => answers.push(() => settle(config, 200, {}, 'ok', resolve, reject)));
    const client = new ResilientClient({ baseURL: BASE, adapter, hedge: { delayMs: 25 } });
    const call = track(client.get('/a'));
    await jest.advanceTimersByTimeAsync(25);
    expect(answers).toHaveLength(1); // decided after the sockets are read: in setImmediate
    await jest.advanceTimersToNextTimerAsync(); // the immediate
    expect(answers).toHaveLength(2);
    answers[1]();
    await call.done;
    expect(client.stats().hedges).toMatchObject({ sent: 1, won: 1 });
    client.dispose();
  });
});
