/**
 * One attempt, from sending to its end. Sending is the client's adapter. It admits the attempt (the
 * call's refusal, the bulkhead with its queue, throttling, the breaker),
 * starts its timer, calls the request's own adapter, and settles what axios
 * waits for exactly once: with the real outcome, or with ours when the
 * attempt is cut (its limit, the deadline, the caller, `dispose()`), whatever
 * the adapter does after. Closing the outcome is `closer.ts`'s.
 */
import type { AxiosAdapter, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { CircuitBreaker } from '../breaker/circuit-breaker.js';
import type { Bulkhead } from '../gates/bulkhead.js';
import type { Gates } from '../gates/gates.js';
import type { FailureReason } from '../report/errors.js';
import { attemptTimeoutError, bulkheadFullError, circuitOpenError, throttledError } from '../report/failures.js';
import type { Reporter } from '../report/reporter.js';
import type { Clock } from '../time/clock.js';
import type { DeadlineScheduler } from '../time/deadline-scheduler.js';
import { attemptOfConfig, tagError } from './call.js';
import { abortError, deadlineErrorOf } from './call-failures.js';
import type { Attempt, AttemptOwner, Call } from './call.js';
import { AdapterCache } from './dispatch.js';

export class AttemptSender implements AttemptOwner {
  /** Attempts in flight now. */
  inFlight = 0;
  /** Set by `dispose()`: no attempt starts any more. */
  disposed = false;
  private readonly adapters = new AdapterCache();

  constructor(
    private readonly clock: Clock,
    private readonly gates: Gates,
    private readonly report: Reporter,
    private readonly scheduler: DeadlineScheduler,
  ) {}

  /** The adapter every request of the client goes through (see `dispatch.ts`). */
  readonly send: AxiosAdapter = (config) => {
    const attempt = attemptOfConfig(config);
    if (attempt === undefined || attempt.phase !== 'pending') {
      // Not an attempt of ours (our adapter copied onto another request): just send it.
      return this.adapters.get(attempt?.call.adapter, config)(config);
    }
    attempt.config = config;
    return new Promise<AxiosResponse>((resolve, reject) => {
      attempt.resolve = resolve;
      attempt.reject = reject;
      this.admit(attempt);
    });
  };

  private admit(attempt: Attempt): void {
    const call = attempt.call;
    if (call.refusal !== undefined) return this.refuse(attempt, call.refusal.error, call.refusal.reason);
    if (call.phase !== 'starting') return this.gateAndSend(attempt);
    if (call.stopped !== undefined) return this.refuse(attempt, abortError(call, attempt.config), 'aborted');
    const bulkhead = this.gates.bulkhead;
    const entry = this.gates.enter(attempt);
    if (entry === 'full') {
      const { max, queue } = (bulkhead as Bulkhead).stats();
      this.report.bulkheadFull(call, max, queue);
      return this.refuse(attempt, bulkheadFullError(max, queue, attempt.config), 'bulkhead-full');
    }
    call.slot = bulkhead;
    if (entry === 'entered') return this.gateAndSend(attempt);
    call.phase = 'queued';
    attempt.phase = 'queued';
    attempt.deadline = call.deadline;
    this.scheduler.add(attempt);
  }

  /** The bulkhead handed a queued attempt its slot. */
  granted(attempt: Attempt): void {
    this.scheduler.remove(attempt);
    attempt.phase = 'pending';
    this.gateAndSend(attempt);
  }

  private gateAndSend(attempt: Attempt): void {
    const call = attempt.call;
    const config = attempt.config as InternalAxiosRequestConfig;
    const now = this.clock.now();
    const remaining = call.deadline - now;
    if (this.disposed) call.stopped = 'disposed';
    if (call.stopped !== undefined) return this.refuse(attempt, abortError(call, config), 'aborted');
    if (attempt.aborted) return this.refuse(attempt, attempt.reason ?? abortError(call, config), 'aborted'); // lost a race on its way
    if (remaining <= 0) return this.refuse(attempt, deadlineErrorOf(call, config), 'deadline');
    const key = call.key;
    const throttle = this.gates.throttle;
    // A hedge passed the throttle and took its breaker permit when it was decided (see hedger.ts).
    if (throttle !== undefined && key !== undefined && !attempt.hedge) {
      const p = throttle.admit(key, now);
      if (p !== -1) {
        this.report.throttled(call, key, p);
        return this.refuse(attempt, throttledError(key, p, config), 'throttled');
      }
    }
    const breaker = call.breaker;
    if (breaker !== undefined && !attempt.hedge) {
      attempt.permit = breaker.acquire();
      if (attempt.permit === -1) return this.refuseOpen(attempt, breaker);
      const fleet = this.gates.fleet; // a HALF_OPEN trial may wait (at most opTimeoutMs) for the fleet's lease
      const lease = fleet === undefined || breaker.isClosed ? undefined : fleet.trialLease(breaker, Math.min(call.attemptMs, remaining));
      if (lease !== undefined) return void lease.then((granted) => this.leased(attempt, granted));
    }
    this.sendGated(attempt, now, remaining);
  }

  /**
   * A trial waited for the fleet's lease: sends it, or (lease held elsewhere, caller
   * gone, deadline passed) gives its permit back and refuses it.
   */
  private leased(attempt: Attempt, granted: boolean): void {
    const call = attempt.call;
    const breaker = call.breaker as CircuitBreaker;
    const now = this.clock.now();
    if (this.disposed) call.stopped = 'disposed';
    if (granted && call.stopped === undefined && call.deadline > now) return this.sendGated(attempt, now, call.deadline - now);
    breaker.release(attempt.permit, 'ignore');
    attempt.permit = -1;
    if (call.stopped !== undefined) return this.refuse(attempt, abortError(call, attempt.config), 'aborted');
    if (granted) return this.refuse(attempt, deadlineErrorOf(call, attempt.config), 'deadline');
    this.refuseOpen(attempt, breaker);
  }

  /** Sends an attempt that passed the gates. */
  private sendGated(attempt: Attempt, now: number, remaining: number): void {
    const call = attempt.call;
    const config = attempt.config as InternalAxiosRequestConfig;
    call.phase = 'attempting';
    attempt.phase = 'sent';
    attempt.number = ++call.attempts;
    attempt.sentAt = now;
    attempt.cutsDeadline = call.attemptMs >= remaining;
    attempt.timeoutMs = attempt.cutsDeadline ? remaining : call.attemptMs;
    attempt.deadline = now + attempt.timeoutMs;
    this.scheduler.add(attempt);
    this.inFlight++;
    if (config.timeout) config.timeout = 0; // the attempt's timer is ours
    const propagate = call.options.timeBudget.propagateHeader;
    if (propagate !== undefined && remaining !== Infinity) config.headers.set(propagate, String(Math.floor(remaining)));
    this.report.attempt(call, attempt, remaining);
    call.hedge?.sent(attempt);
    let out: Promise<AxiosResponse>;
    try {
      out = this.adapters.get(call.adapter, config)(config);
    } catch (err) {
      out = Promise.reject(err);
    }
    out.then(
      (response) => this.finish(attempt, response, undefined),
      (err: unknown) => this.finish(attempt, undefined, err),
    );
  }

  /** The breaker refused the attempt (OPEN, its trial slots taken, or the fleet's trial held elsewhere). */
  private refuseOpen(attempt: Attempt, breaker: CircuitBreaker): void {
    const remainingMs = breaker.remainingMs();
    this.report.circuitReject(attempt.call, breaker.key, remainingMs, breaker.state);
    this.refuse(attempt, circuitOpenError(breaker.key, remainingMs, attempt.config, attempt.call.lastError), 'circuit-open');
  }

  /** Fails the attempt locally: nothing is sent. */
  private refuse(attempt: Attempt, error: unknown, reason: FailureReason): void {
    attempt.refusal = reason;
    this.finish(attempt, undefined, error);
  }

  /** Settles what the adapter returned, once: the real outcome, or ours when we cut the attempt. */
  private finish(attempt: Attempt, response: AxiosResponse | undefined, err: unknown): void {
    const phase = attempt.phase;
    if (phase === 'ended') return;
    attempt.phase = 'ended';
    if (phase === 'sent') {
      this.inFlight--;
      this.scheduler.remove(attempt);
    } else if (phase === 'queued') {
      this.scheduler.remove(attempt);
      attempt.call.slot?.dequeue(attempt);
      attempt.call.slot = undefined;
    }
    if (response !== undefined) return attempt.resolve?.(response);
    tagError(err, attempt.config);
    attempt.reject?.(err);
  }

  /** The scheduler's callback: a queued attempt reached the deadline, or a sent one its limit. */
  expired(attempt: Attempt, _now: number): void {
    const call = attempt.call;
    if (attempt.phase === 'queued') return this.refuse(attempt, deadlineErrorOf(call, attempt.config), 'deadline');
    attempt.cause = attempt.cutsDeadline ? 'deadline' : 'attempt-timeout';
    const err = attempt.cause === 'deadline' ? deadlineErrorOf(call, attempt.config) : attemptTimeoutError(attempt.timeoutMs, attempt.config);
    this.abort(attempt, err);
  }

  /**
   * Cuts an attempt that lost a race: a sent one is aborted and settled with
   * `err` now; one still on its way (the user's request interceptors) is
   * marked, and refused with `err` when it reaches the adapter.
   */
  cut(attempt: Attempt, err: unknown): void {
    attempt.cause = 'hedge-lost';
    if (attempt.phase === 'sent') this.abort(attempt, err);
    else if (attempt.phase === 'pending') {
      try {
        attempt.abort(err);
      } catch {
        // a listener threw: the attempt is refused all the same
      }
    }
  }

  /**
   * Aborts an attempt's request and settles it with `err` now, whatever its
   * adapter does. The signal then leaves the config: axios re-checks it when
   * the adapter settles and would swap any error for a plain "canceled".
   */
  private abort(attempt: Attempt, err: unknown): void {
    try {
      attempt.abort(undefined);
    } catch {
      // an adapter's abort listener threw: the attempt ends all the same
    }
    if (attempt.config !== undefined && attempt.config.signal === attempt) delete attempt.config.signal;
    this.finish(attempt, undefined, err);
  }

  /** The caller's signal or CancelToken fired. */
  readonly callerAborted = (call: Call): void => {
    if (call.phase === 'settled') return;
    call.stopped = 'caller';
    this.stop(call);
  };

  /** Ends what the call is doing now (a queued or sent attempt, a wait): the caller aborted, or the client is disposed. */
  stop(call: Call): void {
    const race = call.hedge;
    if (race === undefined) this.stopAttempt(call, call.current);
    else for (const attempt of race.inFlight.slice()) this.stopAttempt(call, attempt);
    call.waitSignal?.abort(undefined);
  }

  private stopAttempt(call: Call, attempt: Attempt | undefined): void {
    if (attempt?.phase === 'queued') this.refuse(attempt, abortError(call, attempt.config), 'aborted');
    else if (attempt?.phase === 'sent') {
      attempt.cause = call.stopped;
      this.abort(attempt, abortError(call, attempt.config));
    }
  }
}
