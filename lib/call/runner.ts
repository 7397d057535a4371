/**
 * The call lifecycle, in sequence: start the call (request interceptor),
 * gate and send each attempt (the adapter), close it, decide, wait, resend
 * (response interceptor), settle. Every decision comes from a module of its
 * own (gates, `classify*`, `decideRetry`, `attemptLimitMs`, the reporter);
 * this file only puts them in order.
 */
import { CanceledError, isAxiosError } from 'axios';
import type { AxiosAdapter, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { CircuitBreaker } from '../breaker/circuit-breaker.js';
import type { Bulkhead } from '../gates/bulkhead.js';
import { Gates } from '../gates/gates.js';
import { resolveRequestOptions } from '../options.js';
import type { ResolvedOptions } from '../options.js';
import type { FailureReason, WithResilience } from '../report/errors.js';
import { DeadlineExceededError } from '../report/errors.js';
import { protectError } from '../report/safe-error.js';
import { attemptTimeoutError, bulkheadFullError, circuitOpenError, deadlineError, statusError, throttledError } from '../report/failures.js';
import { Reporter } from '../report/reporter.js';
import type { EventSink } from '../report/reporter.js';
import { applyIdempotency } from '../retry/idempotency.js';
import type { RetryOutcome } from '../retry/retry-options.js';
import { decideRetry, shouldAskRetryIf } from '../retry/retry-policy.js';
import type { DecisionInput } from '../retry/retry-policy.js';
import type { Clock, RandomSource } from '../time/clock.js';
import { DeadlineScheduler } from '../time/deadline-scheduler.js';
import { attemptLimitMs } from '../time/time-budget.js';
import { breakerOutcomeOf, classifyError, classifyResponse, endReport } from './attempt-end.js';
import type { Closed } from './attempt-end.js';
import { Call, attemptOfConfig, attemptOfOutcome, tagError } from './call.js';
import type { Attempt, AttemptOwner } from './call.js';
import { awaitWithin, unwatchCaller, waitBetween, watchCaller } from './cancellation.js';
import type { Within } from './cancellation.js';
import { AdapterCache, newAttempt, nextConfig, restoreCaller, takeOver } from './dispatch.js';
import { OriginKeyCache, isReplayableBody, methodOf, newIdempotencyKey } from './request-facts.js';

type Unsuccessful = Exclude<Closed, { kind: 'success' }>;

function isThenable<T>(x: T | PromiseLike<T>): x is PromiseLike<T> {
  return x !== null && typeof x === 'object' && typeof (x as { then?: unknown }).then === 'function';
}

/** What the runner needs from the client. */
export interface RunnerHost {
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly sink: EventSink;
  /** The user set a per-attempt axios `timeout` on the client (it then applies when `attemptMs` is not given). */
  readonly timeoutGiven: boolean;
  /** Sends one more attempt through the request interceptors and the adapter, no response interceptors. */
  dispatch(config: InternalAxiosRequestConfig): Promise<AxiosResponse>;
}

export class CallRunner implements AttemptOwner {
  readonly report: Reporter;
  readonly gates: Gates;
  readonly scheduler: DeadlineScheduler;
  private opts: ResolvedOptions;
  private inFlightCount = 0;
  private disposed = false;
  private readonly waiting = new Set<Call>();
  private readonly origins = new OriginKeyCache();
  private readonly adapters = new AdapterCache();
  private readonly listeners = new WeakMap<Call, () => void>();
  private readonly clock: Clock;

  constructor(private readonly host: RunnerHost, options: ResolvedOptions) {
    this.clock = host.clock;
    this.opts = options;
    this.report = new Reporter(host.sink);
    this.scheduler = new DeadlineScheduler(host.clock);
    this.gates = new Gates(host.clock, host.random, this.report.breakerObserver, options);
  }

  get options(): ResolvedOptions {
    return this.opts;
  }

  /** New settings for calls that start from now on. */
  configure(options: ResolvedOptions): void {
    this.gates.configure(options);
    this.opts = options;
  }

  /** The client's clock, now. */
  now(): number {
    return this.clock.now();
  }

  /** Attempts in flight now. */
  get inFlight(): number {
    return this.inFlightCount;
  }

  // ---- start: the request interceptor (synchronous, first, never throws) ---

  readonly onRequest = (config: InternalAxiosRequestConfig): InternalAxiosRequestConfig => {
    const attempt = attemptOfConfig(config);
    // The runner's own resend carries a pending attempt; anything else (a replayed config included) is a new call.
    if (attempt === undefined || attempt.phase !== 'pending' || attempt.call.phase !== 'waiting' || attempt.config !== undefined) {
      this.startCall(config);
    }
    return config;
  };

  private startCall(config: InternalAxiosRequestConfig): void {
    const now = this.clock.now();
    const raw = (config as { resilience?: unknown }).resilience;
    let settings;
    let error: unknown;
    try {
      settings = raw === undefined ? undefined : resolveRequestOptions(raw, this.opts);
    } catch (err) {
      error = err;
    }
    const opts = settings?.options ?? this.opts;
    const timeout = config.timeout;
    const axiosTimeout = this.host.timeoutGiven || (typeof timeout === 'number' && timeout > 0) ? (timeout ?? 0) : undefined;
    const tb = opts.timeBudget;
    const call = new Call(opts, methodOf(config), config.url ?? '', now, now + tb.totalMs, attemptLimitMs(tb, axiosTimeout), settings?.idempotencyValue, this.clock);
    const listener = watchCaller(call, config, this.callerAborted);
    if (listener !== undefined) this.listeners.set(call, listener);
    takeOver(config, call, this.send, newAttempt(call, this));
    this.report.counters.calls++;
    this.gates.budget?.recordCall(now);
    if (error !== undefined) call.refusal = { error, reason: 'not-retryable' };
    else try {
      const breakerOn = opts.circuitBreaker !== false && settings?.bypassBreaker !== true;
      if (breakerOn || this.gates.throttle !== undefined) call.key = this.keyOf(config);
      if (breakerOn && call.key !== undefined) call.breaker = this.gates.breaker(call.key);
      call.idempotent = applyIdempotency(call.method, config.headers, opts.retry, call.idempotencyValue, newIdempotencyKey);
    } catch (err) {
      call.refusal = { error: err, reason: 'not-retryable' };
    }
  }

  /** The breaker (and throttle) key: by origin, one per client, or the user's function. */
  private keyOf(config: InternalAxiosRequestConfig): string {
    const breaker = this.opts.circuitBreaker;
    const k = breaker === false ? 'origin' : breaker.key;
    return k === 'origin' ? this.origins.originOf(config) : k === 'client' ? 'client' : String(k(config));
  }

  // ---- send: the adapter (gates, queue, timer, the real adapter) ----------

  private readonly send: AxiosAdapter = (config) => {
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
    if (call.stopped !== undefined) return this.refuse(attempt, this.abortError(call, attempt.config), 'aborted');
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
    if (call.stopped !== undefined) return this.refuse(attempt, this.abortError(call, config), 'aborted');
    if (remaining <= 0) return this.refuse(attempt, this.deadlineErrorOf(call, config), 'deadline');
    const key = call.key;
    const throttle = this.gates.throttle;
    if (throttle !== undefined && key !== undefined) {
      const p = throttle.admit(key, now);
      if (p !== -1) {
        this.report.throttled(call, key, p);
        return this.refuse(attempt, throttledError(key, p, config), 'throttled');
      }
    }
    const breaker = call.breaker;
    if (breaker !== undefined) {
      attempt.permit = breaker.acquire();
      if (attempt.permit === -1) {
        const remainingMs = breaker.remainingMs();
        this.report.circuitReject(call, breaker.key, remainingMs, breaker.state);
        return this.refuse(attempt, circuitOpenError(breaker.key, remainingMs, config, call.lastError), 'circuit-open');
      }
      const fleet = this.gates.fleet; // a HALF_OPEN trial may wait (at most opTimeoutMs) for the fleet's lease
      const lease = fleet === undefined || breaker.isClosed ? undefined : fleet.trialLease(breaker, Math.min(call.attemptMs, remaining));
      if (lease !== undefined) return void lease.then((granted) => this.leased(attempt, granted));
    }
    this.sendGated(attempt, now, remaining);
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
    this.inFlightCount++;
    if (config.timeout) config.timeout = 0; // the attempt's timer is ours
    const propagate = call.options.timeBudget.propagateHeader;
    if (propagate !== undefined && remaining !== Infinity) config.headers.set(propagate, String(Math.floor(remaining)));
    this.report.attempt(call, attempt, remaining);
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
    if (call.stopped !== undefined) return this.refuse(attempt, this.abortError(call, attempt.config), 'aborted');
    if (granted) return this.refuse(attempt, this.deadlineErrorOf(call, attempt.config), 'deadline');
    const remainingMs = breaker.remainingMs();
    this.report.circuitReject(call, breaker.key, remainingMs, breaker.state);
    return this.refuse(attempt, circuitOpenError(breaker.key, remainingMs, attempt.config, call.lastError), 'circuit-open');
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
      this.inFlightCount--;
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
    if (attempt.phase === 'queued') return this.refuse(attempt, this.deadlineErrorOf(call, attempt.config), 'deadline');
    attempt.cause = attempt.cutsDeadline ? 'deadline' : 'attempt-timeout';
    const err = attempt.cause === 'deadline' ? this.deadlineErrorOf(call, attempt.config) : attemptTimeoutError(attempt.timeoutMs, attempt.config);
    this.abort(attempt, err);
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

  private readonly callerAborted = (call: Call): void => {
    if (call.phase === 'settled') return;
    call.stopped = 'caller';
    this.stop(call);
  };

  private stop(call: Call): void {
    const attempt = call.current;
    if (attempt?.phase === 'queued') this.refuse(attempt, this.abortError(call, attempt.config), 'aborted');
    else if (attempt?.phase === 'sent') {
      attempt.cause = call.stopped;
      this.abort(attempt, this.abortError(call, attempt.config));
    }
    call.waitSignal?.abort(undefined);
  }

  // ---- close, decide, wait, resend: the response interceptor --------------

  readonly onResponse = (response: AxiosResponse): AxiosResponse | Promise<AxiosResponse> => {
    const attempt = attemptOfConfig(response.config);
    if (attempt === undefined || attempt.call.phase === 'settled') return response;
    const closed = this.close(attempt, response, undefined);
    return closed.kind === 'success' ? this.succeed(attempt.call, response) : this.retryLoop(attempt.call, closed);
  };

  readonly onError = (error: unknown): Promise<AxiosResponse> => {
    const attempt = attemptOfOutcome(error);
    if (attempt === undefined || attempt.call.phase === 'settled') return Promise.reject(error);
    const closed = this.close(attempt, undefined, error);
    // An error never classifies as a success; the check narrows the type.
    return closed.kind === 'success' ? Promise.reject(error) : this.retryLoop(attempt.call, closed);
  };

  /** Classifies the attempt's outcome and closes it: breaker permit, throttle, `attempt-end`. Once per attempt. */
  private close(attempt: Attempt, response: AxiosResponse | undefined, err: unknown): Closed {
    const call = attempt.call;
    if (attempt.refusal !== undefined) return { kind: 'final', reason: attempt.refusal, error: err };
    if (attempt.number > call.attempts) return { kind: 'final', reason: 'not-retryable', error: err }; // never sent: a user interceptor threw
    let closed: Closed;
    try {
      closed = response !== undefined ? classifyResponse(call.options.retry, response) : classifyError(err, attempt.cause);
    } catch (thrown) {
      closed = { kind: 'final', reason: 'not-retryable', error: thrown };
    }
    const breaker = call.breaker;
    const outcome = breakerOutcomeOf(closed, response, attempt.cause);
    if (breaker !== undefined && attempt.permit !== -1) breaker.release(attempt.permit, outcome);
    attempt.permit = -1;
    if (outcome === 'success' && this.gates.throttle !== undefined && call.key !== undefined) this.gates.throttle.accept(call.key, this.clock.now());
    if (closed.kind !== 'success') {
      call.lastError = closed.error;
      const r = response ?? (isAxiosError(err) ? err.response : undefined);
      if (r !== undefined) call.lastResponse = r;
    }
    if (this.host.sink.listening('attempt-end')) {
      const { outcome: kind, status, code } = endReport(closed, response, err);
      this.report.attemptEnd(call, attempt, this.clock.now(), kind, status, code);
    }
    return closed;
  }

  private async retryLoop(call: Call, first: Unsuccessful): Promise<AxiosResponse> {
    let closed = first;
    for (;;) {
      if (closed.kind === 'final') return this.fail(call, closed.error, closed.reason);
      const error = closed.error ?? statusError(closed.response as AxiosResponse);
      const input = this.decisionInput(call, closed);
      let verdict: boolean | undefined;
      const retryIf = call.options.retry === false ? undefined : call.options.retry.retryIf;
      if (retryIf !== undefined && shouldAskRetryIf(input)) {
        let within: Within<boolean | undefined>;
        try {
          const answer = retryIf(input.outcome);
          within = isThenable(answer) ? await awaitWithin(call, this.clock, answer, this.waiting) : { kind: 'value', value: answer };
        } catch (thrown) {
          return this.fail(call, thrown, 'not-retryable');
        }
        if (within.kind === 'stopped') return this.fail(call, this.abortError(call, call.current?.config), 'aborted');
        if (within.kind === 'deadline') return this.fail(call, closed.error, 'deadline');
        verdict = typeof within.value === 'boolean' ? within.value : undefined;
      }
      const decision = decideRetry(verdict === undefined ? input : this.decisionInput(call, closed), verdict);
      if (!decision.retry) {
        if (closed.response !== undefined) return this.succeed(call, closed.response); // validateStatus accepted it
        return this.fail(call, decision.reason === 'circuit-open' ? this.circuitOpen(call) : closed.error, decision.reason);
      }
      const budget = this.gates.budget;
      const cost = budget === undefined ? 0 : budget.tryRetry(this.clock.now(), closed.timedOut);
      if (cost === -1) {
        this.report.budgetExhausted(call);
        return this.fail(call, closed.error, 'retry-budget');
      }
      call.lastRetryCost = cost;
      call.backoffState = decision.backoffState;
      this.report.retry(call, decision.delayMs, decision.retryAfterMs, error, this.clock.now());
      call.phase = 'waiting';
      const last = (call.current as Attempt).config as InternalAxiosRequestConfig;
      if (!(await waitBetween(call, this.clock, decision.delayMs, this.waiting))) return this.fail(call, this.abortError(call, last), 'aborted');
      const next = newAttempt(call, this);
      let response: AxiosResponse | undefined;
      let err: unknown;
      try {
        response = await this.host.dispatch(nextConfig(last, next));
      } catch (e) {
        err = e;
      }
      const end = this.close(next, response, err);
      if (end.kind === 'success') return this.succeed(call, response as AxiosResponse);
      closed = end;
    }
  }

  private decisionInput(call: Call, closed: Extract<Closed, { kind: 'failed' }>): DecisionInput {
    const now = this.clock.now();
    const breaker = call.breaker;
    const config = call.current?.config;
    const outcome: RetryOutcome = this.report.outcome(call, call.attempts, closed.response ?? (isAxiosError(closed.error) ? closed.error.response : undefined), closed.error);
    return {
      retry: call.options.retry, end: closed.end, outcome, idempotent: call.idempotent,
      replayable: isReplayableBody(config?.data), remainingMs: call.deadline - now, nowEpochMs: Date.now(),
      breakerOpenMs: breaker === undefined ? 0 : breaker.remainingMs(), backoffState: call.backoffState, random: this.host.random,
    };
  }

  // ---- settle --------------------------------------------------------------

  private succeed(call: Call, response: AxiosResponse): AxiosResponse {
    const now = this.clock.now();
    this.settle(call);
    restoreCaller(response.config, call);
    this.gates.budget?.onSuccess(now, call.attempts > 1 ? call.lastRetryCost : 0);
    this.report.success(call, response.status, now);
    return response;
  }

  private fail(call: Call, err: unknown, reason: FailureReason): never {
    const now = this.clock.now();
    this.settle(call);
    let final = err;
    if (reason === 'deadline' && !(final instanceof DeadlineExceededError)) final = this.deadlineErrorOf(call, call.current?.config);
    if (final !== null && typeof final === 'object') {
      (final as WithResilience<object>).resilience = { attempts: call.attempts, elapsedMs: now - call.start, reason };
    }
    if (isAxiosError(final)) restoreCaller(final.config, call);
    protectError(final, call.options.redaction);
    this.report.failure(call, final, reason, now);
    throw final;
  }

  /** Ends the call: its slot, its caller listener; nothing stays in flight. */
  private settle(call: Call): void {
    call.phase = 'settled';
    const slot = call.slot;
    if (slot !== undefined) {
      call.slot = undefined;
      slot.leave();
    }
    const listener = this.listeners.get(call);
    if (listener !== undefined) {
      this.listeners.delete(call);
      unwatchCaller(call, listener);
    }
  }

  /** The breaker opened and stays open past the wait: the call fails now rather than sleep into a refusal. */
  private circuitOpen(call: Call): unknown {
    const breaker = call.breaker;
    if (breaker === undefined) return call.lastError;
    const remainingMs = breaker.remainingMs();
    this.report.circuitReject(call, breaker.key, remainingMs, breaker.state);
    return circuitOpenError(breaker.key, remainingMs, call.current?.config, call.lastError);
  }

  private abortError(call: Call, config: InternalAxiosRequestConfig | undefined): InstanceType<typeof CanceledError> {
    return new CanceledError(call.stopped === 'disposed' ? 'client disposed' : undefined, config);
  }

  private deadlineErrorOf(call: Call, config: InternalAxiosRequestConfig | undefined): DeadlineExceededError {
    const last = call.lastError;
    const response = call.lastResponse ?? (isAxiosError(last) ? last.response : undefined);
    return deadlineError(call.options.timeBudget.totalMs, config, last, response);
  }

  /** Aborts every attempt in flight or queued and every wait; stops the timer. */
  dispose(): void {
    this.disposed = true;
    const calls = new Set<Call>(this.waiting);
    for (const e of this.scheduler.entries()) calls.add((e as Attempt).call);
    for (const call of calls) {
      if (call.phase === 'settled') continue;
      call.stopped = 'disposed';
      this.stop(call);
    }
    this.scheduler.clear();
  }
}
