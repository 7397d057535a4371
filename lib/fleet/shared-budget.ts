/**
 * The retry budget's token quota as one bucket for the fleet. Each process
 * keeps deciding from its own bucket (no wait, no I/O on a call), and
 * reconciles what it spent and refunded with the fleet's bucket at most once
 * per {@link SYNC_MS}, only while its tokens moved: the fleet's bucket takes
 * the change, and the local bucket takes the fleet's level. In a total outage
 * the fleet sends about `capacity / retryCost` retries in all, plus at most
 * one sync period's worth per process. A ratio budget stays per process.
 *
 * A healthy process keeps its bucket full (refunds past `capacity` change
 * nothing), so it never syncs.
 */
import type { ResolvedRetryBudget } from '../gates/gate-options.js';
import type { RetryBudget, RetryBudgetStats } from '../gates/retry-budget.js';
import type { Clock } from '../time/clock.js';
import { startTimer, stopTimer, systemClock } from '../time/clock.js';
import { LiteSignal } from '../time/lite-signal.js';
import type { FleetLink } from './fleet-link.js';

/** The shortest time between two reconciliations of one process, in ms. */
export const SYNC_MS = 1_000;

/** Runs `run` once after `ms`; returns what cancels it. */
export type Schedule = (run: () => void, ms: number) => () => void;

/** The global timer, `unref()`ed where it can be: a pending sync never keeps a process alive. */
export const unrefSchedule: Schedule = (run, ms) => {
  const timer = startTimer(run, ms);
  (timer as unknown as { unref?: () => void }).unref?.();
  return () => stopTimer(timer);
};

/** Timers for `clock`: unref'd global ones for the system clock, the clock's own `sleep` for an injected one. */
export function scheduleOn(clock: Clock): Schedule {
  if (clock === systemClock) return unrefSchedule;
  return (run, ms) => {
    const stop = new LiteSignal();
    clock.sleep(ms, stop).then(run, () => undefined);
    return () => stop.abort(undefined);
  };
}

type TokenQuota = RetryBudget & Required<Pick<RetryBudget, 'level' | 'setLevel'>>;

function isTokenQuota(budget: RetryBudget): budget is TokenQuota {
  return budget.options.type === 'tokens' && typeof budget.level === 'function' && typeof budget.setLevel === 'function';
}

/** A token quota that tells the sync when its tokens move; everything else is the quota's. */
class SharedTokens implements RetryBudget {
  constructor(
    readonly inner: TokenQuota,
    private readonly sync: BudgetSync,
  ) {}

  get options(): ResolvedRetryBudget {
    return this.inner.options;
  }

  recordCall(now: number): void {
    this.inner.recordCall(now);
  }

  tryRetry(now: number, timedOut: boolean): number {
    const cost = this.inner.tryRetry(now, timedOut);
    if (cost > 0) this.sync.moved();
    return cost;
  }

  onSuccess(now: number, lastRetryCost: number): void {
    const inner = this.inner;
    const before = inner.level();
    inner.onSuccess(now, lastRetryCost);
    if (inner.level() !== before) this.sync.moved();
  }

  stats(now: number): RetryBudgetStats {
    return this.inner.stats(now);
  }

  /** The inner quota under new options (the caller shares it again). */
  withOptions(options: ResolvedRetryBudget): RetryBudget {
    return this.inner.withOptions(options);
  }
}

/** Reconciles one client's token quota with the fleet's bucket. */
export class BudgetSync {
  private shared: SharedTokens | undefined = undefined;
  /** The local level that matches the fleet's bucket as last reconciled. */
  private base = 0;
  private cancel: (() => void) | undefined = undefined;
  private running = false;
  private lastAt = -Infinity;
  private closed = false;

  /**
   * @param link the fleet (its `reconcileBudget`).
   * @param clock spaces the syncs.
   * @param schedule the timer (see {@link scheduleOn}).
   */
  constructor(
    private readonly link: FleetLink,
    private readonly clock: Pick<Clock, 'now'>,
    private readonly schedule: Schedule = unrefSchedule,
  ) {}

  /** `budget` shared through this sync when it is a token quota; any other budget as it is. */
  share(budget: RetryBudget): RetryBudget {
    if (budget instanceof SharedTokens || !isTokenQuota(budget)) return budget;
    this.shared = new SharedTokens(budget, this);
    this.base = budget.level();
    return this.shared;
  }

  /** The local tokens moved: reconcile within a sync period. */
  moved(): void {
    if (this.cancel !== undefined || this.closed) return;
    this.cancel = this.schedule(this.run, Math.max(0, this.lastAt + SYNC_MS - this.clock.now()));
  }

  /** No more syncs; a pending one is dropped. */
  close(): void {
    this.closed = true;
    this.cancel?.();
    this.cancel = undefined;
  }

  private readonly run = (): void => {
    this.cancel = undefined;
    const shared = this.shared;
    if (this.closed || this.running || shared === undefined) return; // a running sync reschedules itself
    const inner = shared.inner;
    const sent = inner.level();
    const change = sent - this.base;
    if (change === 0) return;
    this.running = true;
    this.lastAt = this.clock.now();
    let asked: Promise<number>;
    try {
      asked = this.link.reconcileBudget(change, inner.options.type === 'tokens' ? inner.options.capacity : 0);
    } catch (err) {
      asked = Promise.reject(err);
    }
    asked.then(
      (fleet) => {
        this.running = false;
        if (this.closed || this.shared !== shared || !Number.isFinite(fleet)) return;
        const during = inner.level() - sent; // what moved while we asked
        inner.setLevel(fleet + during);
        this.base = fleet;
        if (during !== 0) this.moved();
      },
      () => {
        // The fleet is unreachable: the bucket goes on alone, and the change waits for the next sync.
        this.running = false;
        if (this.shared === shared) this.moved();
      },
    );
  };
}
