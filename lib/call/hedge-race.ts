/**
 * One hedged call's race: its attempts in flight, its hedge timer (an entry in
 * the hedger's scheduler), whether one more copy has room, and how it ended
 * (handed to the runner when it asks); the error a losing attempt is settled
 * with; the hedging counters. The decisions are the hedger's (`hedger.ts`).
 */
import { AxiosError } from 'axios';
import type { AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { ResolvedHedge } from '../hedge/hedge-options.js';
import { hedgeRoom } from '../hedge/hedge-policy.js';
import type { Expiring } from '../time/deadline-scheduler.js';
import type { Closed } from './attempt-end.js';
import type { Attempt, AttemptPhase, Call } from './call.js';

/** Who a race tells about its attempts and its timer (the hedger). */
export interface RaceOwner {
  /** One of the race's attempts went out. */
  sent(race: HedgeRace, attempt: Attempt): void;
  /** The hedge delay passed with the race's last attempt unanswered. */
  delayPassed(race: HedgeRace): void;
}

/** `attempt-end`'s code for an attempt cut because another one won. */
export const ERR_HEDGE_LOST = 'ERR_HEDGE_LOST';

/** What an attempt that lost a race is settled with. Internal: the runner recognises it; the caller never sees it. */
export class HedgeLostError extends AxiosError {
  constructor(config: InternalAxiosRequestConfig | undefined) {
    super('another attempt of the call won', ERR_HEDGE_LOST, config);
    this.name = 'HedgeLostError';
  }
}

/** How a race ended for the runner: the winner's outcome, or (nothing left in flight) the last failure. */
export interface RaceEnd {
  readonly attempt: Attempt;
  readonly closed: Closed;
  readonly response: AxiosResponse | undefined;
}

/** `stats().hedges`. */
export interface HedgeStats {
  /** Hedges sent. */
  readonly sent: number;
  /** Calls whose success came from a hedge. */
  readonly won: number;
  /** Hedges not sent although the delay had passed (or a sibling failed), by cause. */
  readonly refused: {
    /** The retry budget had no token for the copy. */
    readonly budget: number;
    /** The breaker was not CLOSED (no copies to a recovering backend). */
    readonly breaker: number;
    /** Adaptive throttling refused the copy. */
    readonly throttle: number;
    /** The server pushed back (429, 503 or `Retry-After`): hedging stopped for the call. */
    readonly pushback: number;
  };
}

/** One hedged call's attempts in flight, its hedge timer (a scheduler entry) and its outcome. */
export class HedgeRace implements Expiring {
  /** Attempts launched and not yet reported (attempt 1 from the start). */
  readonly inFlight: Attempt[] = [];
  /** Hedges launched. */
  hedges = 0;
  /** The server pushed back: no more hedges for this call. */
  pushback = false;
  /** A final outcome won: later outcomes are recorded and ignored. */
  decided = false;
  /** Waiting to be read by the runner. */
  private result: RaceEnd | undefined = undefined;
  /** The runner, waiting for `result`. */
  private waiter: ((end: RaceEnd) => void) | undefined = undefined;
  lastFailure: RaceEnd | undefined = undefined;
  /** A sent attempt's config: the template for the next copy. */
  template: InternalAxiosRequestConfig | undefined = undefined;
  deadline = Infinity;
  prevExpiring: Expiring | undefined = undefined;
  nextExpiring: Expiring | undefined = undefined;

  constructor(
    readonly call: Call,
    readonly options: ResolvedHedge,
    private readonly owner: RaceOwner,
  ) {
    if (call.current !== undefined) this.inFlight.push(call.current);
  }

  /** Attempts in flight in `phase` ('pending': on their way through the request interceptors). */
  count(phase: AttemptPhase): number {
    let n = 0;
    for (const a of this.inFlight) if (a.phase === phase) n++;
    return n;
  }

  /** One more copy may go at `now`: hedges and attempts left, no pushback, time left, the call running. */
  room(now: number): boolean {
    const call = this.call;
    if (call.phase === 'settled' || call.stopped !== undefined) return false;
    return hedgeRoom({
      hedges: this.hedges, maxHedges: this.options.maxHedges, attempts: call.attempts + this.count('pending'), maxAttempts: call.maxAttempts,
      pushback: this.pushback, remainingMs: call.deadline - now,
    });
  }

  /** Hands the race's end to the runner, now if it waits, else when it asks (`next`). */
  deliver(end: RaceEnd): void {
    const waiter = this.waiter;
    if (waiter === undefined) {
      this.result = end;
      return;
    }
    this.waiter = undefined;
    waiter(end);
  }

  /** The race's next end: a winner, or the last failure once nothing is in flight. */
  next(): Promise<RaceEnd> {
    const end = this.result;
    if (end !== undefined) {
      this.result = undefined;
      return Promise.resolve(end);
    }
    return new Promise<RaceEnd>((resolve) => {
      this.waiter = resolve;
    });
  }

  /** One of the call's attempts went out (the sender's hook). */
  sent(attempt: Attempt): void {
    this.owner.sent(this, attempt);
  }

  /** The hedge delay passed with the last attempt still unanswered. */
  expire(): void {
    this.owner.delayPassed(this);
  }
}
