/**
 * The call lifecycle, in sequence: start the call (request interceptor),
 * send each attempt (the adapter: `sender.ts`), close it (response
 * interceptor: `closer.ts`), then decide, wait and resend (`retrier.ts`),
 * and settle. Every decision comes from a module of its own (gates,
 * `classify*`, `decideRetry`, `attemptLimitMs`, the reporter); this file only
 * puts them in order.
 */
import { isAxiosError } from 'axios';
import type { AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import { Gates } from '../gates/gates.js';
import { resolveRequestOptions } from '../options.js';
import type { ResolvedOptions } from '../options.js';
import type { FailureReason, WithResilience } from '../report/errors.js';
import { DeadlineExceededError } from '../report/errors.js';
import { protectError } from '../report/safe-error.js';
import { Reporter } from '../report/reporter.js';
import type { EventSink } from '../report/reporter.js';
import { mayHedgeMethod } from '../hedge/hedge-options.js';
import { applyIdempotency } from '../retry/idempotency.js';
import { DEFAULT_IDEMPOTENCY_HEADER } from '../retry/retry-options.js';
import type { Clock, RandomSource } from '../time/clock.js';
import { DeadlineScheduler } from '../time/deadline-scheduler.js';
import { attemptLimitMs } from '../time/time-budget.js';
import { Call, attemptOfConfig, attemptOfOutcome } from './call.js';
import type { Attempt } from './call.js';
import { unwatchCaller, watchCaller } from './cancellation.js';
import { AttemptCloser } from './closer.js';
import { newAttempt, restoreCaller, takeOver } from './dispatch.js';
import { HedgeLostError, HedgeRace } from './hedge-race.js';
import type { HedgeStats } from './hedge-race.js';
import { Hedger } from './hedger.js';
import { Retrier } from './retrier.js';
import { deadlineErrorOf } from './call-failures.js';
import { AttemptSender } from './sender.js';
import { OriginKeyCache, methodOf, newIdempotencyKey } from './request-facts.js';

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

export class CallRunner {
  readonly report: Reporter;
  readonly gates: Gates;
  readonly scheduler: DeadlineScheduler;
  private readonly sender: AttemptSender;
  private readonly closer: AttemptCloser;
  private readonly hedger: Hedger;
  private readonly retrier: Retrier;
  private opts: ResolvedOptions;
  private readonly waiting = new Set<Call>();
  private readonly origins = new OriginKeyCache();
  private readonly clock: Clock;

  constructor(private readonly host: RunnerHost, options: ResolvedOptions) {
    this.clock = host.clock;
    this.opts = options;
    this.report = new Reporter(host.sink);
    this.scheduler = new DeadlineScheduler(host.clock);
    this.gates = new Gates(host.clock, host.random, this.report.breakerObserver, options);
    this.sender = new AttemptSender(host.clock, this.gates, this.report, this.scheduler);
    this.closer = new AttemptCloser(host.clock, this.gates, this.report);
    this.hedger = new Hedger({
      clock: host.clock, gates: this.gates, report: this.report, sender: this.sender, closer: this.closer, dispatch: (c) => host.dispatch(c),
    });
    this.retrier = new Retrier({
      clock: host.clock, random: host.random, gates: this.gates, report: this.report, sender: this.sender, closer: this.closer, hedger: this.hedger,
      waiting: this.waiting, dispatch: (c) => host.dispatch(c),
      succeed: (call, response) => this.succeed(call, response), fail: (call, err, reason) => this.fail(call, err, reason),
    });
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
    return this.sender.inFlight;
  }

  /** Hedges sent, won and refused since the client was made. */
  hedgeStats(): HedgeStats {
    return this.hedger.stats();
  }

  // ---- start: the request interceptor (synchronous, first, never throws) ---

  readonly onRequest = (config: InternalAxiosRequestConfig): InternalAxiosRequestConfig => {
    const attempt = attemptOfConfig(config);
    // The runner's own resend (a retry, or a hedge beside the attempts in flight) carries a pending attempt;
    // anything else (a replayed config included) is a new call.
    if (attempt === undefined || attempt.phase !== 'pending' || attempt.config !== undefined
      || (attempt.call.phase !== 'waiting' && !(attempt.hedge && attempt.call.phase !== 'settled'))) {
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
    call.callerListener = watchCaller(call, config, this.sender.callerAborted);
    takeOver(config, call, this.sender.send, newAttempt(call, this.sender));
    this.report.counters.calls++;
    this.gates.budget?.recordCall(now);
    if (error !== undefined) call.refusal = { error, reason: 'not-retryable' };
    else try {
      const breakerOn = opts.circuitBreaker !== false && settings?.bypassBreaker !== true;
      if (breakerOn || this.gates.throttle !== undefined) call.key = this.keyOf(config);
      if (breakerOn && call.key !== undefined) call.breaker = this.gates.breaker(call.key);
      call.idempotent = applyIdempotency(call.method, config.headers, opts.retry, call.idempotencyValue, newIdempotencyKey);
      const hedge = opts.hedge;
      if (hedge !== false && opts.retry !== false) {
        const m = call.method;
        const keyed = (m === 'POST' || m === 'PATCH') && config.headers.get(opts.retry.idempotencyKey || DEFAULT_IDEMPOTENCY_HEADER) != null;
        if (mayHedgeMethod(hedge, opts.retry, m, keyed)) call.hedge = new HedgeRace(call, hedge, this.hedger);
      }
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

  // ---- close, decide, wait, resend: the response interceptor --------------

  readonly onResponse = (response: AxiosResponse): AxiosResponse | Promise<AxiosResponse> => {
    const attempt = attemptOfConfig(response.config);
    if (attempt === undefined || attempt.call.phase === 'settled') return response;
    if (attempt.call.hedge !== undefined) return this.raced(attempt, attempt.call.hedge, response, undefined);
    const closed = this.closer.close(attempt, response, undefined);
    return closed.kind === 'success' ? this.succeed(attempt.call, response, attempt.closedAt) : this.retrier.next(attempt.call, closed);
  };

  readonly onError = (error: unknown): AxiosResponse | Promise<AxiosResponse> => {
    const attempt = attemptOfOutcome(error);
    if (attempt === undefined || attempt.call.phase === 'settled') return Promise.reject(error);
    if (attempt.call.hedge !== undefined) return this.raced(attempt, attempt.call.hedge, undefined, error);
    const closed = this.closer.close(attempt, undefined, error);
    // An error never classifies as a success; the check narrows the type.
    return closed.kind === 'success' ? Promise.reject(error) : this.retrier.next(attempt.call, closed);
  };

  /**
   * Attempt 1's outcome of a hedged call reached axios's outer chain: its own
   * (reported to the race), or the marker it was cut with when another attempt
   * won. Either way the call goes on with what the race decides.
   */
  private async raced(attempt: Attempt, race: HedgeRace, response: AxiosResponse | undefined, error: unknown): Promise<AxiosResponse> {
    if (!(error instanceof HedgeLostError) && !attempt.closed) {
      this.hedger.report(race, attempt, this.closer.close(attempt, response, error), response);
    }
    const end = await race.next();
    if (end.closed.kind !== 'success') return this.retrier.next(race.call, end.closed);
    race.call.lastRetryCost = end.attempt.cost;
    return this.succeed(race.call, end.response as AxiosResponse);
  }

  // ---- settle --------------------------------------------------------------

  private succeed(call: Call, response: AxiosResponse, now = this.clock.now()): AxiosResponse {
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
    if (reason === 'deadline' && !(final instanceof DeadlineExceededError)) final = deadlineErrorOf(call, call.current?.config);
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
    if (call.hedge !== undefined) this.hedger.end(call.hedge);
    const slot = call.slot;
    if (slot !== undefined) {
      call.slot = undefined;
      slot.leave();
    }
    const listener = call.callerListener;
    if (listener !== undefined) {
      call.callerListener = undefined;
      unwatchCaller(call, listener);
    }
  }

  /** Aborts every attempt in flight or queued and every wait; stops the timer. */
  dispose(): void {
    this.sender.disposed = true;
    const calls = new Set<Call>(this.waiting);
    for (const e of this.scheduler.entries()) calls.add((e as Attempt).call);
    for (const call of calls) {
      if (call.phase === 'settled') continue;
      call.stopped = 'disposed';
      this.sender.stop(call);
    }
    this.scheduler.clear();
    this.hedger.dispose();
  }
}
