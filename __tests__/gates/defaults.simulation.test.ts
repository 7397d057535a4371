/**
 * What the defaults do for users, simulated in virtual time with the pure modules (the
 * breaker, its trip rule, the retry budget, the backoff) and a seeded random: no axios, no
 * sockets, no timers. It pins the behaviour `../shared/research/turn2.md` section 4 argues
 * for (issue 12):
 *
 * - attempt streams (Poisson arrivals, i.i.d. failures with probability p, two simulated
 *   hours): no false trip at p = 0.05, at most one at p = 0.2;
 * - calls (a fixed rate, 3 attempts, the default full-jitter backoff, 10 ms per attempt):
 *   a full outage after a minute of health trips the breaker quickly; at p = 0.2 the
 *   default quota fails no more calls than having no budget; in a total outage with the
 *   breaker off, the quota stops retries after capacity / retryCost of them.
 *
 * `SIM_REPORT=1 npx jest __tests__/gates/defaults.simulation.test.ts` prints the figures.
 *
 * Speed: under jest every lookup of a global such as `Math` costs about 1 µs (the test runs
 * in a vm context), so the hot loops use `Math` functions hoisted into constants, and a
 * mulberry32 of their own (checked to give the same numbers as `seededRandom`).
 */
import { DEFAULT_BREAKER } from '../../lib/breaker/breaker-options.js';
import { CircuitBreaker } from '../../lib/breaker/circuit-breaker.js';
import { DEFAULT_RETRY_BUDGET } from '../../lib/gates/gate-options.js';
import type { ResolvedRetryBudget } from '../../lib/gates/gate-options.js';
import { createRetryBudget, RETRY_REFUSED } from '../../lib/gates/retry-budget.js';
import { backoffDelay } from '../../lib/retry/backoff.js';
import { DEFAULT_RETRY } from '../../lib/retry/retry-options.js';
import type { RetryOutcome } from '../../lib/retry/retry-options.js';
import { seededRandom } from '../../samples/support/seeded-random.js';

const { imul, log, min } = Math;
const HOURS_2 = 2 * 3600_000;

/** `seededRandom` (mulberry32) with `Math.imul` hoisted: the same sequence, ~8x faster under jest. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The default backoff (exponential, full jitter), as `backoffDelay` computes it, with `Math` hoisted. */
function defaultBackoffMs(attempt: number, random: () => number): number {
  const { baseMs, factor, maxMs } = DEFAULT_RETRY.backoff;
  return random() * min(maxMs, baseMs * factor ** (attempt - 1));
}

it('the simulation random is seededRandom (mulberry32), its backoff the default one', () => {
  const [a, b] = [seeded(42), seededRandom(42)];
  const xs = Array.from({ length: 1_000 }, () => [a(), b()]);
  expect(xs.every(([x, y]) => x === y)).toBe(true);
  expect(DEFAULT_RETRY.backoff).toMatchObject({ type: 'exponential', jitter: 'full' });
  const outcome = undefined as unknown as RetryOutcome; // an exponential curve never reads it
  for (const attempt of [1, 2, 3, 12]) {
    for (const draw of [0, 0.3, 0.999]) {
      expect(defaultBackoffMs(attempt, () => draw)).toBe(backoffDelay(DEFAULT_RETRY.backoff, attempt, 0, () => draw, outcome)[0]);
    }
  }
});
const report: string[] = [];
afterAll(() => {
  if (process.env.SIM_REPORT) console.log(report.join('\n'));
});

/** A breaker with the defaults on a virtual clock, counting trips (CLOSED -> OPEN). */
function defaultBreaker(clock: { now(): number }, random: () => number) {
  const tally = { trips: 0, firstTripAt: Infinity, closed: true };
  const breaker = new CircuitBreaker('sim', DEFAULT_BREAKER, clock, random, {
    onOpen: () => {
      if (tally.closed) tally.trips++;
      tally.firstTripAt = Math.min(tally.firstTripAt, clock.now());
      tally.closed = false;
    },
    onHalfOpen: () => undefined,
    onClose: () => void (tally.closed = true),
  });
  return { breaker, tally };
}

/** Poisson arrivals of attempts at `perSecond`, each failing with probability `p`, through a default breaker. */
function attemptStream(perSecond: number, p: number, seed: number) {
  const random = seeded(seed);
  const clock = { t: 0, now: () => clock.t };
  const { breaker, tally } = defaultBreaker(clock, random);
  let attempts = 0;
  let refused = 0;
  while (clock.t < HOURS_2) {
    clock.t += (-log(1 - random()) / perSecond) * 1000;
    attempts++;
    const permit = breaker.acquire();
    if (permit < 0) refused++;
    else breaker.release(permit, random() < p ? 'failure' : 'success');
  }
  report.push(`attempts ${perSecond}/s p=${p}: ${tally.trips} trips, ${((100 * refused) / attempts).toFixed(3)}% refused`);
  return { trips: tally.trips, refused, attempts };
}

interface CallSim {
  callsPerSecond: number;
  /** Failure probability of an attempt ending at time t (ms). */
  p: (t: number) => number;
  durationMs: number;
  /** Only calls started at or after this time are counted. */
  measureFromMs: number;
  breaker: boolean;
  budget: ResolvedRetryBudget | false;
  seed: number;
  /** Stop at the first trip. */
  untilTrip?: boolean;
}

const ATTEMPT_MS = 10;
const MAX_ATTEMPTS = DEFAULT_RETRY.maxAttempts;

type SimEvent = { at: number; seq: number; call: SimCall; kind: 'send' | 'answer' };
type SimCall = { measured: boolean; attempt: number; permit: number; lastCost: number };

/** A binary min-heap of events by (time, arrival). */
class Queue {
  private readonly heap: SimEvent[] = [];
  private seq = 0;
  get size(): number {
    return this.heap.length;
  }
  peekAt(): number {
    return this.heap.length === 0 ? Infinity : this.heap[0].at;
  }
  push(at: number, call: SimCall, kind: SimEvent['kind']): void {
    const h = this.heap;
    h.push({ at, seq: this.seq++, call, kind });
    for (let i = h.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }
  pop(): SimEvent {
    const h = this.heap;
    const top = h[0];
    const last = h.pop() as SimEvent;
    if (h.length > 0) {
      h[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(l, m)) m = l;
        if (r < h.length && this.less(r, m)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
  private less(a: number, b: number): boolean {
    const x = this.heap[a];
    const y = this.heap[b];
    return x.at < y.at || (x.at === y.at && x.seq < y.seq);
  }
}

/** Calls at a fixed rate, each up to 3 attempts with the default backoff, through the gates that are on. */
function callSim(o: CallSim) {
  const random = seeded(o.seed);
  const clock = { t: 0, now: () => clock.t };
  const { breaker, tally } = defaultBreaker(clock, random);
  const budget = o.budget === false ? undefined : createRetryBudget(o.budget);
  const out = { calls: 0, failed: 0, requests: 0, refusedByBudget: 0, refusedByBreaker: 0, minTokens: Infinity };
  const queue = new Queue();
  const interval = 1000 / o.callsPerSecond;
  let nextCall = 0;
  const settle = (call: SimCall, ok: boolean): void => {
    if (call.measured && !ok) out.failed++;
  };
  while (nextCall < o.durationMs || queue.size > 0) {
    if (o.untilTrip === true && tally.trips > 0) break;
    if (nextCall < o.durationMs && nextCall <= queue.peekAt()) {
      clock.t = nextCall;
      nextCall += interval;
      const call: SimCall = { measured: clock.t >= o.measureFromMs, attempt: 0, permit: -1, lastCost: 0 };
      if (call.measured) out.calls++;
      budget?.recordCall(clock.t);
      queue.push(clock.t, call, 'send');
      continue;
    }
    const { at, call, kind } = queue.pop();
    clock.t = at;
    if (kind === 'send') {
      call.attempt++;
      call.permit = o.breaker ? breaker.acquire() : 0;
      if (call.permit < 0) {
        if (call.measured) out.refusedByBreaker++;
        settle(call, false);
        continue;
      }
      if (call.measured) out.requests++;
      queue.push(at + ATTEMPT_MS, call, 'answer');
      continue;
    }
    const failed = random() < o.p(at);
    if (o.breaker) breaker.release(call.permit, failed ? 'failure' : 'success');
    if (!failed) {
      budget?.onSuccess(at, call.lastCost);
      settle(call, true);
    } else if (call.attempt >= MAX_ATTEMPTS) {
      settle(call, false);
    } else {
      const cost = budget === undefined ? 0 : budget.tryRetry(at, false);
      if (cost === RETRY_REFUSED) {
        if (call.measured) out.refusedByBudget++;
        settle(call, false);
      } else {
        call.lastCost = cost;
        const stats = budget?.stats(at);
        if (stats?.type === 'tokens') out.minTokens = min(out.minTokens, stats.tokens);
        queue.push(at + defaultBackoffMs(call.attempt, random), call, 'send');
      }
    }
  }
  return { ...out, trips: tally.trips, firstTripAt: tally.firstTripAt };
}

describe('the default breaker on attempt streams (two simulated hours each)', () => {
  it.each([1, 10, 100])('p = 0.05 at %d attempts/s: no trip', (perSecond) => {
    expect(attemptStream(perSecond, 0.05, 1_000 + perSecond).trips).toBe(0);
  });

  it('p = 0.2 at 100 attempts/s: at most one trip', () => {
    expect(attemptStream(100, 0.2, 7).trips).toBeLessThanOrEqual(1);
  });

  it.each([1, 4, 10])("p = 0.2 at %d attempts/s: no trip (at 4/s the window holds about minimumCalls: the rate part's worst zone)", (perSecond) => {
    expect(attemptStream(perSecond, 0.2, 2_000 + perSecond).trips).toBe(0);
  });
});

describe('calls with the defaults (3 attempts, full-jitter backoff, the token quota)', () => {
  const OUTAGE_AT = 60_000;
  it.each([
    [100, 200],
    [1, 4_000],
  ])('a full outage after a healthy minute trips the breaker: %d calls/s within %d ms', (callsPerSecond, withinMs) => {
    const r = callSim({
      callsPerSecond, p: (t) => (t >= OUTAGE_AT ? 1 : 0), durationMs: OUTAGE_AT + 600_000, measureFromMs: OUTAGE_AT,
      breaker: true, budget: DEFAULT_RETRY_BUDGET, seed: 11, untilTrip: true,
    });
    report.push(`outage at ${callsPerSecond} calls/s: tripped after ${r.firstTripAt - OUTAGE_AT} ms, ${r.requests} requests to the dead backend`);
    expect(r.firstTripAt - OUTAGE_AT).toBeLessThanOrEqual(withinMs);
  });

  it.each([10, 100])('p = 0.2 at %d calls/s fails at most 1%% of calls (two simulated hours)', (callsPerSecond) => {
    const r = callSim({
      callsPerSecond, p: () => 0.2, durationMs: HOURS_2, measureFromMs: 0, breaker: true, budget: DEFAULT_RETRY_BUDGET, seed: 21,
    });
    report.push(
      `p=0.2 at ${callsPerSecond} calls/s: ${((100 * r.failed) / r.calls).toFixed(2)}% failed, ${(r.requests / r.calls).toFixed(3)} requests/call, ` +
        `${r.refusedByBudget} refused by the budget (lowest ${r.minTokens} tokens), ${r.trips} trips`,
    );
    expect(r.failed / r.calls).toBeLessThanOrEqual(0.01);
    expect(r.refusedByBudget).toBe(0); // the bucket never runs dry: random failure keeps it near full
  });

  describe('a total outage with the breaker off', () => {
    const outage = (callsPerSecond: number, fromMs: number, toMs: number) =>
      callSim({ callsPerSecond, p: () => 1, durationMs: toMs, measureFromMs: fromMs, breaker: false, budget: DEFAULT_RETRY_BUDGET, seed: 31 });
    const RETRIES = DEFAULT_RETRY_BUDGET.capacity / DEFAULT_RETRY_BUDGET.retryCost; // 100

    it.each([10, 100])('%d calls/s: at most 1.05 requests per call over its first 10 minutes', (callsPerSecond) => {
      const r = outage(callsPerSecond, 0, 600_000);
      report.push(`total outage, breaker off, ${callsPerSecond} calls/s, first 10 min: ${(r.requests / r.calls).toFixed(4)} requests/call`);
      expect(r.requests).toBe(r.calls + RETRIES);
      expect(r.requests / r.calls).toBeLessThanOrEqual(1.05);
    });

    // The SPEC's 1.05 cannot hold at 1 call/s over the outage's first 10 minutes: the quota
    // spends its 100 retries on 600 calls (1.167x), and only reaches 1.05 after 2,000 calls
    // (33 min). What the quota guarantees is the 100, then 1.00x.
    it('1 call/s: the quota spends exactly capacity / retryCost retries (1.167x over the first 10 minutes), then 1.00x', () => {
      const first = outage(1, 0, 600_000);
      report.push(`total outage, breaker off, 1 call/s, first 10 min: ${(first.requests / first.calls).toFixed(4)} requests/call`);
      expect(first.requests).toBe(first.calls + RETRIES);
      const next = outage(1, 600_000, 1_200_000);
      report.push(`total outage, breaker off, 1 call/s, the 10 min after: ${(next.requests / next.calls).toFixed(4)} requests/call`);
      expect(next.requests).toBe(next.calls);
    });
  });
});
