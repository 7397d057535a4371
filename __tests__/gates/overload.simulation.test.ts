/**
 * Overload simulations in virtual time (no sockets, no real waiting): many
 * independent `ResilientClient`s sharing one virtual clock call a simulated
 * backend for a simulated minute.
 *
 * - A backend that fails everything: the retry budget (Finagle: 10% of calls
 *   plus a reserve of 10 retries/s per client) keeps the backend's load near
 *   what the calls alone would send, for clients busy enough that the reserve
 *   is small next to their traffic.
 * - The reserve is per client: a large fleet of quiet clients can retry every
 *   failure; with the defaults (breaker on) the fleet still backs off.
 * - A backend failing 5% at random: retries are nearly free and nearly all
 *   calls succeed.
 *
 * The virtual clock is a binary heap (FakeClock's list would make a fleet of
 * a thousand clients quadratic); every time step lets all promise chains run
 * to their next sleep (one `setImmediate` turn) before moving on.
 */
import { AxiosError, AxiosHeaders } from 'axios';
import type { AxiosAdapter, AxiosResponse } from 'axios';
import type { AbortSignalLike, Clock } from '../../lib/time/clock.js';
import type { ResilienceInfo } from '../../lib/report/errors.js';
import { ResilientClient } from '../../lib/resilient-client.js';
import type { ResilientClientConfig } from '../../lib/resilient-client.js';
import { seededRandom } from '../helpers/fake-clock.js';

interface Sleeper {
  at: number;
  seq: number;
  cancelled: boolean;
  resolve: () => void;
}

const ABORTED = new Error('aborted');

/** A virtual clock: sleeps live in a binary heap ordered by (time, arrival). */
class VirtualClock implements Clock {
  private t = 0;
  private seq = 0;
  private readonly heap: Sleeper[] = [];
  private live = 0;

  now(): number {
    return this.t;
  }

  /** Sleeps neither woken nor cancelled. */
  get pending(): number {
    return this.live;
  }

  sleep(ms: number, signal?: AbortSignalLike): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(ABORTED);
        return;
      }
      const s: Sleeper = { at: this.t + Math.max(0, ms), seq: this.seq++, cancelled: false, resolve };
      if (signal !== undefined) {
        const onAbort = (): void => {
          if (s.cancelled) return;
          s.cancelled = true;
          this.live--;
          reject(ABORTED);
        };
        signal.addEventListener('abort', onAbort);
        s.resolve = () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
      }
      this.live++;
      this.push(s);
    });
  }

  /** Runs virtual time up to `end`, waking sleepers in order and letting every chain settle between time steps. */
  async runUntil(end: number): Promise<void> {
    for (;;) {
      await new Promise<void>((r) => setImmediate(r));
      const top = this.peekLive();
      if (top === undefined || top.at > end) break;
      this.t = top.at;
      while (this.heap.length > 0 && this.heap[0].at === this.t) {
        const s = this.pop();
        if (s.cancelled) continue;
        s.cancelled = true;
        this.live--;
        s.resolve();
      }
    }
    this.t = Math.max(this.t, end);
    await new Promise<void>((r) => setImmediate(r));
  }

  private peekLive(): Sleeper | undefined {
    while (this.heap.length > 0 && this.heap[0].cancelled) this.pop();
    return this.heap[0];
  }

  private less(a: Sleeper, b: Sleeper): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(s: Sleeper): void {
    const h = this.heap;
    h.push(s);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  private pop(): Sleeper {
    const h = this.heap;
    const top = h[0];
    const last = h.pop() as Sleeper;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l], h[m])) m = l;
        if (r < h.length && this.less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}

/** A simulated backend: answers after `latencyMs` of virtual time, failing with 503 when `fails()` says so. */
function simulatedBackend(clock: VirtualClock, latencyMs: number, fails: () => boolean) {
  const stats = { requests: 0 };
  const adapter: AxiosAdapter = async (config) => {
    stats.requests++;
    if (latencyMs > 0) await clock.sleep(latencyMs);
    const status = fails() ? 503 : 200;
    const response: AxiosResponse = { data: null, status, statusText: String(status), headers: new AxiosHeaders(), config, request: {} };
    if (status === 503) throw new AxiosError('Request failed with status code 503', 'ERR_BAD_RESPONSE', config, {}, response);
    return response;
  };
  return { adapter, stats };
}

interface ClientTally {
  calls: number;
  successes: number;
  failures: number;
  /** Calls that needed more than one attempt, and those of them that succeeded. */
  retried: number;
  retriedOk: number;
  reasons: Map<string, number>;
}

interface SimulationResult {
  calls: number;
  backendRequests: number;
  successes: number;
  failures: number;
  retried: number;
  retriedOk: number;
  reasons: Record<string, number>;
  perClient: ClientTally[];
  clients: ResilientClient[];
  leftoverSleeps: number;
  unsettled: number;
}

/**
 * `clients` independent clients, each calling `GET /work` every `intervalMs`
 * (staggered) from t = 0 to `durationMs`, against one backend; then the clock
 * runs on until every call has settled.
 */
async function simulate(opts: {
  clients: number;
  intervalMs: number;
  durationMs: number;
  latencyMs: number;
  fails: () => boolean;
  config?: ResilientClientConfig;
}): Promise<SimulationResult> {
  const clock = new VirtualClock();
  const { adapter, stats } = simulatedBackend(clock, opts.latencyMs, opts.fails);
  const tallies: ClientTally[] = [];
  const clients: ResilientClient[] = [];
  let unsettled = 0;
  const drivers: Promise<void>[] = [];
  for (let i = 0; i < opts.clients; i++) {
    const client = new ResilientClient({ baseURL: 'http://backend.sim', adapter, clock, random: seededRandom(1_000 + i), ...opts.config });
    clients.push(client);
    const tally: ClientTally = { calls: 0, successes: 0, failures: 0, retried: 0, retriedOk: 0, reasons: new Map() };
    tallies.push(tally);
    const offset = (i * opts.intervalMs) / opts.clients;
    drivers.push(
      (async () => {
        await clock.sleep(offset);
        for (let t = offset; t < opts.durationMs; t += opts.intervalMs) {
          tally.calls++;
          unsettled++;
          void client.get('/work').then(
            () => {
              unsettled--;
              tally.successes++;
            },
            (err: unknown) => {
              unsettled--;
              tally.failures++;
              const info = (err as { resilience?: ResilienceInfo }).resilience;
              const reason = info?.reason ?? 'unknown';
              tally.reasons.set(reason, (tally.reasons.get(reason) ?? 0) + 1);
              if ((info?.attempts ?? 0) > 1) tally.retried++;
            },
          );
          await clock.sleep(opts.intervalMs);
        }
      })(),
    );
    // A response does not say how many attempts it took: the success event does.
    client.on('success', (e) => {
      if (e.attempts > 1) {
        tally.retried++;
        tally.retriedOk++;
      }
    });
  }
  // The calls stop at durationMs; then every call still retrying finishes (the default time budget is 30 s).
  await clock.runUntil(opts.durationMs + 60_000);
  await Promise.all(drivers);

  const reasons: Record<string, number> = {};
  for (const t of tallies) for (const [r, n] of t.reasons) reasons[r] = (reasons[r] ?? 0) + n;
  const sum = (f: (t: ClientTally) => number): number => tallies.reduce((a, t) => a + f(t), 0);
  return {
    calls: sum((t) => t.calls),
    backendRequests: stats.requests,
    successes: sum((t) => t.successes),
    failures: sum((t) => t.failures),
    retried: sum((t) => t.retried),
    retriedOk: sum((t) => t.retriedOk),
    reasons,
    perClient: tallies,
    clients,
    leftoverSleeps: clock.pending,
    unsettled,
  };
}

const MINUTE = 60_000;
let stackTraceLimit: number;

beforeAll(() => {
  // axios captures (and formats) a stack trace for every rejected request; tens of
  // thousands of simulated failures would spend most of their time there.
  stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
});

afterAll(() => {
  Error.stackTraceLimit = stackTraceLimit;
});

describe('a backend that fails everything for a minute', () => {
  test('a busy client (default retry and budget, breaker off): the token quota allows capacity / retryCost retries, then none', async () => {
    const r = await simulate({
      clients: 1,
      intervalMs: 5,
      durationMs: MINUTE,
      latencyMs: 0,
      fails: () => true,
      config: { circuitBreaker: false },
    });
    expect(r.unsettled).toBe(0);
    expect(r.leftoverSleeps).toBe(0);
    expect(r.calls).toBe(12_000);
    expect(r.failures).toBe(r.calls);
    // Without the budget this would be 3 x calls (maxAttempts 3). 500 tokens at 5 a retry: 100 retries, then nothing succeeds to refill it.
    expect(r.backendRequests).toBe(r.calls + 100);
    expect(r.reasons['retry-budget']).toBeGreaterThanOrEqual(r.calls - 100);
    const s = r.clients[0].stats();
    expect(s.calls).toBe(r.calls);
    expect(s.attempts).toBe(r.backendRequests);
    expect(s.attempts).toBe(s.calls + s.retries);
    expect(s.retries).toBe(100);
    expect(s.retryBudget).toMatchObject({ type: 'tokens', tokens: 0 });
  });

  test('the quota is per client: 1,000 quiet clients each stay within their own bucket, so the fleet retries every failure (breaker off)', async () => {
    // One call per 30 s per client: 4 retries wanted a minute, far below each client's 100 retries' worth of tokens.
    const r = await simulate({
      clients: 1_000,
      intervalMs: 30_000,
      durationMs: MINUTE,
      latencyMs: 5,
      fails: () => true,
      config: { circuitBreaker: false },
    });
    expect(r.unsettled).toBe(0);
    expect(r.leftoverSleeps).toBe(0);
    expect(r.calls).toBe(2_000);
    expect(r.reasons).toEqual({ exhausted: 2_000 });
    // The default budget alone does not shield a backend from a large fleet of quiet clients.
    expect(r.backendRequests).toBe(3 * r.calls);
  });

  test('a fleet with the defaults (breaker on): the breakers cut the load to about one request per call', async () => {
    // One call per 5 s per client: 12 calls a minute.
    const r = await simulate({
      clients: 500,
      intervalMs: 5_000,
      durationMs: MINUTE,
      latencyMs: 5,
      fails: () => true,
    });
    expect(r.unsettled).toBe(0);
    expect(r.leftoverSleeps).toBe(0);
    expect(r.calls).toBe(6_000);
    // Per client: 10 failed attempts in a row open the breaker (during its 4th call, at 15 s); after that one trial
    // per open period (5 s, doubled by each failed trial, +-20%): a few requests in the 45 s left.
    expect(r.backendRequests).toBeGreaterThanOrEqual(500 * (10 + 1));
    expect(r.backendRequests).toBeLessThanOrEqual(500 * (10 + 4));
    expect(r.reasons['circuit-open']).toBeGreaterThanOrEqual(500 * 6);
  });
});

describe('a backend failing 5% of requests at random', () => {
  test('1,000 clients (default retry and budget, breaker off): >= 99% of calls succeed, nearly every retry succeeds', async () => {
    const backendRandom = seededRandom(2024);
    const r = await simulate({
      clients: 1_000,
      intervalMs: 20_000,
      durationMs: MINUTE,
      latencyMs: 5,
      fails: () => backendRandom() < 0.05,
      config: { circuitBreaker: false },
    });
    expect(r.unsettled).toBe(0);
    expect(r.leftoverSleeps).toBe(0);
    expect(r.calls).toBe(3_000);
    expect(r.successes + r.failures).toBe(r.calls);
    expect(r.successes).toBeGreaterThanOrEqual(0.99 * r.calls);
    // About 5% of calls needed a retry; nearly all of those then succeeded.
    expect(r.retried).toBeGreaterThan(0.03 * r.calls);
    expect(r.retriedOk).toBeGreaterThanOrEqual(0.97 * r.retried);
    // Retries cost about 5% more requests, well within the budget: none refused.
    expect(r.backendRequests).toBeLessThan(1.1 * r.calls);
    expect(r.reasons['retry-budget'] ?? 0).toBe(0);
  });
});
