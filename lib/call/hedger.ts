/**
 * Hedged requests: when a call's attempt has not answered after `delayMs`,
 * another copy goes out while the first stays in flight, and the first final
 * outcome wins ("The Tail at Scale"; gRPC A6 hedging; Polly v8).
 *
 * Why it is built this way:
 * - **A hedge is an attempt like any other.** It is sent through the host's
 *   `dispatch` (the user's request interceptors, then our adapter), so it gets
 *   its own signal, timer, `attempt`/`attempt-end` events and breaker permit
 *   from the sender, and is marked `hedge: true`. The call keeps its attempts
 *   in flight in its {@link HedgeRace}.
 * - **Gates are asked before anything runs.** Throttle, breaker (only while
 *   CLOSED: a recovering backend gets no extra copies) and a retry-budget
 *   token are taken when the hedge is decided, so a refused hedge costs no
 *   interceptor run and never fails the call; it is counted in `stats().hedges`.
 * - **One timer per client for all hedges**: a {@link DeadlineScheduler} of its
 *   own, made on first use. Its entries all sit `delayMs` after a send, so
 *   they arrive in order and insert at the tail in O(1); mixed into the
 *   attempts' scheduler (deadlines seconds away) each would walk past every
 *   attempt in flight. A call with hedging off has no race and pays nothing.
 * - **Attempt 1's outcome comes through axios's outer chain**, which only our
 *   response interceptor can complete. So a race is decided here (losers cut
 *   in the same tick, their breaker permits released as 'ignore'), and the
 *   runner reads the result when attempt 1's outcome reaches it: its real
 *   outcome, or, when it lost, a {@link HedgeLostError} its adapter promise was
 *   settled with (never seen by the caller).
 * - **Answers already in hand go first.** Node runs due timers before it
 *   reads the sockets, so in a busy process the hedge timer can fire while
 *   the first attempt's answer waits unread. With the system clock, a due
 *   hedge is decided in a `setImmediate` (after the sockets are read): an
 *   answer that came in meanwhile wins and no copy is sent. Injected clocks
 *   decide at once (deterministic tests).
 * - **Budget refunds follow the winner**: a call won by attempt 1 refunds like
 *   a first-attempt success, one won by a copy refunds what that copy took. So
 *   in a brownout, where every copy loses to the attempt sent before it, the
 *   token bucket drains and caps the extra load.
 */
import type { AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { Gates } from '../gates/gates.js';
import { failureWeight, isPushback } from '../hedge/hedge-policy.js';
import type { Reporter } from '../report/reporter.js';
import type { ResolvedRetry } from '../retry/retry-options.js';
import type { Clock } from '../time/clock.js';
import { systemClock } from '../time/clock.js';
import { DeadlineScheduler } from '../time/deadline-scheduler.js';
import type { Closed } from './attempt-end.js';
import { Attempt } from './call.js';
import { nextConfig } from './dispatch.js';
import { HedgeLostError } from './hedge-race.js';
import type { HedgeRace, HedgeStats, RaceEnd, RaceOwner } from './hedge-race.js';
import { isReplayableBody } from './request-facts.js';
import type { AttemptCloser } from './closer.js';
import type { AttemptSender } from './sender.js';

/** What the hedger needs from the runner. */
export interface HedgeHost {
  readonly clock: Clock;
  readonly gates: Gates;
  readonly report: Reporter;
  readonly sender: AttemptSender;
  readonly closer: AttemptCloser;
  dispatch(config: InternalAxiosRequestConfig): Promise<AxiosResponse>;
}

type Immediate = (fn: () => void) => unknown;

export class Hedger implements RaceOwner {
  private timers: DeadlineScheduler | undefined = undefined;
  /** Races whose delay passed, decided after the sockets are read (see the module comment). */
  private due: HedgeRace[] = [];
  private readonly counts = { sent: 0, won: 0, refused: { budget: 0, breaker: 0, throttle: 0, pushback: 0 } };

  constructor(private readonly host: HedgeHost) {}

  /** The counters, copied. */
  stats(): HedgeStats {
    const c = this.counts;
    return { sent: c.sent, won: c.won, refused: { ...c.refused } };
  }

  // ---- the timer ------------------------------------------------------------

  /** An attempt of a hedged call went out: report a hedge, and arm the timer for the next copy. */
  sent(race: HedgeRace, attempt: Attempt): void {
    race.template = attempt.config;
    if (attempt.hedge) {
      this.counts.sent++;
      this.host.report.hedge(race.call, attempt.number, race.count('sent'), this.host.clock.now());
    }
    this.arm(race);
  }

  private arm(race: HedgeRace): void {
    const timers = (this.timers ??= new DeadlineScheduler(this.host.clock));
    timers.remove(race);
    if (race.decided || !race.room(this.host.clock.now())) return;
    const at = this.host.clock.now() + race.options.delayMs;
    if (at >= race.call.deadline) return; // the deadline ends the call first
    race.deadline = at;
    timers.add(race);
  }

  private disarm(race: HedgeRace): void {
    this.timers?.remove(race);
  }

  /** The scheduler's callback. */
  delayPassed(race: HedgeRace): void {
    if (race.decided) return;
    const immediate = this.host.clock === systemClock ? (globalThis as { setImmediate?: Immediate }).setImmediate : undefined;
    if (immediate === undefined) {
      this.hedge(race, false);
      return;
    }
    this.due.push(race);
    if (this.due.length === 1) immediate(this.decideDue);
  }

  private readonly decideDue = (): void => {
    const due = this.due;
    this.due = [];
    for (const race of due) if (!race.decided) this.hedge(race, false);
  };

  // ---- sending ----------------------------------------------------------------

  /**
   * Sends one more copy if the room and the gates allow it; a refusal is
   * counted and changes nothing else. Returns whether a copy went.
   */
  private hedge(race: HedgeRace, timedOut: boolean): boolean {
    const template = race.template;
    const now = this.host.clock.now();
    if (template === undefined || !race.room(now) || !isReplayableBody(template.data)) return false;
    const gates = this.host.gates;
    const call = race.call;
    const refused = this.counts.refused;
    const throttle = gates.throttle;
    if (throttle !== undefined && call.key !== undefined && throttle.admit(call.key, now) !== -1) {
      refused.throttle++;
      return false;
    }
    const breaker = call.breaker;
    let permit = -1;
    if (breaker !== undefined) {
      if (!breaker.isClosed) {
        refused.breaker++;
        return false;
      }
      permit = breaker.acquire();
    }
    let cost = 0;
    const budget = gates.budget;
    if (budget !== undefined) {
      cost = budget.tryRetry(now, timedOut);
      if (cost === -1) {
        breaker?.release(permit, 'ignore');
        refused.budget++;
        return false;
      }
    }
    const attempt = new Attempt(call, this.host.sender);
    attempt.hedge = true;
    attempt.permit = permit;
    attempt.cost = cost;
    attempt.number = call.attempts + 1 + race.count('pending');
    race.hedges++;
    this.launch(race, attempt, template);
    return true;
  }

  /** Sends `attempt` (a hedge, or a retry the runner decided) and reports its outcome to the race. */
  launch(race: HedgeRace, attempt: Attempt, template: InternalAxiosRequestConfig): void {
    this.disarm(race); // re-armed when this attempt goes out
    race.inFlight.push(attempt);
    this.host.dispatch(nextConfig(template, attempt)).then(
      (response) => this.arrived(race, attempt, response, undefined),
      (err: unknown) => this.arrived(race, attempt, undefined, err),
    );
  }

  private arrived(race: HedgeRace, attempt: Attempt, response: AxiosResponse | undefined, err: unknown): void {
    if (attempt.closed) return; // cut as a loser: already closed
    this.report(race, attempt, this.host.closer.close(attempt, response, err), response);
  }

  // ---- outcomes ---------------------------------------------------------------

  /** An attempt's classified outcome (attempt 1's from the runner, the others' from `launch`). */
  report(race: HedgeRace, attempt: Attempt, closed: Closed, response: AxiosResponse | undefined): void {
    const i = race.inFlight.indexOf(attempt);
    if (i !== -1) race.inFlight.splice(i, 1);
    if (race.decided) return;
    const end: RaceEnd = { attempt, closed, response };
    if (closed.kind === 'failed') {
      // A race exists only with retries on (`resilience.retry: false` turns hedging off for the call).
      const weight = failureWeight(race.call.options.retry as ResolvedRetry, closed.end, race.call.idempotent);
      if (weight === 'final') return this.decide(race, end);
      race.lastFailure = end;
      if (!race.pushback && isPushback(closed.end)) this.pushedBack(race, weight === 'retryable');
      if (weight === 'retryable' && this.hedge(race, closed.timedOut)) return;
    } else if (closed.kind === 'success' || !attempt.hedge || attempt.refusal === undefined) {
      return this.decide(race, end);
    }
    // A failure, or a copy refused on its way out (the call was stopped or ran out of time: its siblings end it).
    if (race.inFlight.length === 0) {
      this.disarm(race);
      race.deliver(race.lastFailure ?? end);
    }
  }

  /** The server pushed back: no more copies for this call (counted when this failure would have sent one at once). */
  private pushedBack(race: HedgeRace, wouldHedge: boolean): void {
    if (wouldHedge && race.room(this.host.clock.now())) this.counts.refused.pushback++;
    race.pushback = true;
    this.disarm(race);
  }

  /** A final outcome: it wins; every other attempt in flight is cut now. */
  private decide(race: HedgeRace, end: RaceEnd): void {
    race.decided = true;
    this.disarm(race);
    const losers = race.inFlight.splice(0);
    for (const loser of losers) this.cut(loser);
    if (end.attempt.hedge && end.closed.kind === 'success') this.counts.won++;
    race.deliver(end);
  }

  /** Cuts a loser and closes it ('ignore' for the breaker, `attempt-end` 'aborted'). One already ended is closed when its outcome arrives. */
  private cut(loser: Attempt): void {
    if (loser.phase === 'ended' || loser.closed) return;
    const err = new HedgeLostError(loser.config);
    this.host.sender.cut(loser, err);
    this.host.closer.close(loser, undefined, err);
  }

  /** The call settled: no timer, nothing left in flight. */
  end(race: HedgeRace): void {
    race.decided = true;
    this.disarm(race);
    for (const a of race.inFlight.splice(0)) this.cut(a);
  }

  /** `dispose()`: drops every hedge timer. */
  dispose(): void {
    this.timers?.clear();
    this.due = [];
  }
}
