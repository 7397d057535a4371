/**
 * The attempt lifecycle: what the client's request interceptor does before
 * every attempt (budget, breaker, signal, events) and what its response
 * interceptor does after (classify, decide, wait, re-dispatch, finish).
 * Decisions come from the pure modules; this file only sequences them.
 */
import axios, { AxiosError, CanceledError, isAxiosError, isCancel } from 'axios';
import type { AxiosAdapter, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import { AdaptiveThrottle } from '../gates/adaptive-throttle.js';
import { BreakerRegistry } from '../breaker/breaker-registry.js';
import { Bulkhead } from '../gates/bulkhead.js';
import type { BreakerObserver, BreakerOutcome, CircuitBreaker } from '../breaker/circuit-breaker.js';
import { AbortCause, CALL_KEY, Call, callOf, callOfOutcome, configOf, tagError } from './call.js';
import type { AbortSignalLike, Clock, RandomSource } from '../time/clock.js';
import { DeadlineScheduler } from '../time/deadline-scheduler.js';
import { BulkheadFullError, CircuitOpenError, DeadlineExceededError, ThrottledError, errorView, protectError } from '../report/errors.js';
import type { FailureReason, WithResilience } from '../report/errors.js';
import type { ResilientEvents } from '../report/events.js';
import { LiteSignal } from '../time/lite-signal.js';
import { DEFAULT_IDEMPOTENCY_HEADER, resolveRequestOptions } from '../options.js';
import type { ResolvedOptions, RetryOutcome } from '../options.js';
import { authorityEnd, isAbsoluteUrl, isReplayableBody, newIdempotencyKey, originOf } from './request-facts.js';
import { decideRetry } from '../retry/retry-policy.js';
import type { AttemptEnd, Decision } from '../retry/retry-policy.js';
import { RetryBudget } from '../gates/retry-budget.js';

/** Where the engine reports events (the client, which owns the emitter). */
export interface EventSink {
  listening(event: keyof ResilientEvents): boolean;
  fire<K extends keyof ResilientEvents>(event: K, payload: Parameters<ResilientEvents[K]>[0]): void;
}

export interface EngineHost {
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly sink: EventSink;
  /** Sends one more attempt through the request interceptors and the adapter, no response interceptors. */
  dispatch(config: InternalAxiosRequestConfig): Promise<AxiosResponse>;
  /** The instance's configured `timeout` applies as attemptMs (it was given explicitly). */
  readonly timeoutGiven: boolean;
}

/** Counters reported by `stats()`. */
export interface CallCounters {
  calls: number;
  attempts: number;
  retries: number;
  successes: number;
  failures: number;
  /** Calls refused locally (open circuit, bulkhead, throttle, retry budget). */
  rejections: number;
}

const METHODS: Record<string, string> = {
  get: 'GET', post: 'POST', put: 'PUT', delete: 'DELETE', head: 'HEAD', options: 'OPTIONS', patch: 'PATCH', trace: 'TRACE',
};
const PASS_THROUGH = [(data: unknown): unknown => data];
/** How long an aborted attempt may take to come back before its call is abandoned. */
const ORPHAN_GRACE_MS = 1_000;
/** Error codes that describe our own request, not the server's health. */
const CLIENT_SIDE_CODES = new Set(['ERR_BAD_OPTION_VALUE', 'ERR_BAD_OPTION', 'ERR_INVALID_URL', 'ERR_NOT_SUPPORT', 'ERR_DEPRECATED', 'ERR_CANCELED']);

const refuseAdapter: AxiosAdapter = (config) => Promise.reject(callOf(config)?.refusal);

type Transform = (this: unknown, data: unknown, headers: unknown) => unknown;

/**
 * Runs the request's own transformRequest functions (axios calls this with
 * `this` = the config), tagging what they throw (e.g. a circular JSON body)
 * with the call, since axios raises such errors without a config.
 */
function runTransforms(this: InternalAxiosRequestConfig, data: unknown, headers: unknown): unknown {
  const own = callOf(this)?.transforms;
  const fns = (Array.isArray(own) ? own : own === undefined ? [] : [own]) as Transform[];
  let out = data;
  try {
    for (let i = 0; i < fns.length; i++) {
      if (i > 0) (headers as { normalize?: () => void } | undefined)?.normalize?.();
      out = fns[i].call(this, out, headers);
    }
  } catch (err) {
    tagError(err, this);
    throw err;
  }
  return out;
}
const GUARDED_TRANSFORMS = [runTransforms];

function headerOf(headers: unknown, name: string): unknown {
  const h = headers as { get?: (n: string) => unknown; [k: string]: unknown } | undefined;
  if (h === undefined || h === null) return undefined;
  return typeof h.get === 'function' ? h.get(name) : h[name];
}

/** The AxiosError axios would have raised for `res` (when validateStatus let it through). */
function statusError(res: AxiosResponse): AxiosError {
  const code = res.status >= 500 ? AxiosError.ERR_BAD_RESPONSE : AxiosError.ERR_BAD_REQUEST;
  return new AxiosError(`Request failed with status code ${res.status}`, code, res.config, res.request, res);
}

/** Gives the caller's own signal / CancelToken back to the config they see on the outcome. */
function restoreCaller(config: InternalAxiosRequestConfig, call: Call): void {
  const c = config as unknown as Record<string, unknown>;
  if (c.signal !== call.callerSignal) c.signal = call.callerSignal;
  if (call.cancelToken !== undefined) c.cancelToken = call.cancelToken;
}

/**
 * Builds one of our own errors without capturing a stack: the frames would all
 * be the engine's, and capturing them is most of what a local refusal costs.
 * axios appends the caller's frames to every rejection anyway.
 */
function withoutStack<T>(make: () => T): T {
  // V8's knob (Node, Chromium); elsewhere setting it is harmless.
  const E = Error as unknown as { stackTraceLimit: number | undefined };
  const limit = E.stackTraceLimit;
  E.stackTraceLimit = 0;
  try {
    return make();
  } finally {
    E.stackTraceLimit = limit;
  }
}

/** '/x' (but not '//host'): surely relative, no regex needed. */
function isPlainPath(url: string): boolean {
  return url.charCodeAt(0) === 47 && url.charCodeAt(1) !== 47;
}

/** '/', '?' or '#': the authority of a URL ends here. */
function isAuthorityStop(c: number): boolean {
  return c === 47 || c === 63 || c === 35;
}

/**
 * A failure after the status line and headers arrived: the connection closed
 * before the whole body, which axios reports as ERR_BAD_RESPONSE 'stream has
 * been aborted' *with* `err.response`. That is a network failure (reported as
 * ECONNRESET), not the status the response announced.
 */
function bodyLostCode(err: unknown): string | undefined {
  if (!isAxiosError(err) || err.response === undefined) return undefined;
  return err.code === AxiosError.ERR_BAD_RESPONSE && err.message === 'stream has been aborted' ? 'ECONNRESET' : undefined;
}

function isBreakerFailure(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

export class Engine {
  readonly counters: CallCounters = { calls: 0, attempts: 0, retries: 0, successes: 0, failures: 0, rejections: 0 };
  private opts: ResolvedOptions;
  private registry: BreakerRegistry | undefined;
  private budget: RetryBudget | undefined;
  private bulkhead: Bulkhead | undefined;
  private throttle: AdaptiveThrottle | undefined;
  readonly scheduler: DeadlineScheduler;
  private readonly waiting = new Set<Call>();
  private readonly expire = (call: Call, now: number): void => this.onExpire(call, now);
  private lastBase: unknown = undefined;
  private lastBaseOrigin = '';
  private lastAbsPrefix = '';
  private lastAbsOrigin = '';
  private readonly observer: BreakerObserver;

  constructor(private readonly host: EngineHost, options: ResolvedOptions) {
    this.opts = options;
    this.scheduler = new DeadlineScheduler(host.clock);
    const sink = host.sink;
    this.observer = {
      onOpen: (b, failures) => sink.fire('circuit-open', { key: b.key, failures }),
      onHalfOpen: (b) => sink.fire('circuit-half-open', { key: b.key }),
      onClose: (b) => sink.fire('circuit-close', { key: b.key }),
    };
    this.apply(options);
  }

  get options(): ResolvedOptions {
    return this.opts;
  }

  /** Swaps the settings; existing breakers keep their state under the new options. */
  apply(options: ResolvedOptions): void {
    this.opts = options;
    const b = options.breaker;
    if (b !== undefined) {
      if (this.registry === undefined) this.registry = new BreakerRegistry(b.options, this.host.clock, b.maxKeys, this.observer);
      else this.registry.setOptions(b.options, b.maxKeys);
    }
    const rb = options.retryBudget;
    this.budget = rb === undefined ? undefined : (this.budget?.withOptions(rb) ?? new RetryBudget(rb));
    const c = options.concurrency;
    if (c === undefined) {
      // Calls waiting in the old bulkhead go on, unlimited, instead of waiting for their deadline.
      const old = this.bulkhead;
      this.bulkhead = undefined;
      old?.drain();
    } else if (this.bulkhead === undefined) this.bulkhead = new Bulkhead(c);
    else this.bulkhead.setOptions(c);
    const t = options.throttle;
    const maxKeys = b?.maxKeys ?? 1_000;
    if (t === undefined) this.throttle = undefined;
    else if (this.throttle === undefined) this.throttle = new AdaptiveThrottle(t, this.host.random, maxKeys);
    else this.throttle.setOptions(t, maxKeys);
  }

  /** Bulkhead and throttle counters, when they are on. */
  overloadStats(): { bulkhead: ReturnType<Bulkhead['stats']> | undefined; throttle: ReturnType<AdaptiveThrottle['stats']> | undefined } {
    return { bulkhead: this.bulkhead?.stats(), throttle: this.throttle?.stats() };
  }

  /** Breakers known so far (least recently used first). */
  breakers(): CircuitBreaker[] {
    return this.registry === undefined ? [] : [...this.registry.values()];
  }

  /** The breaker for `key`, created if needed (breakers on), else undefined. */
  breaker(key: string): CircuitBreaker | undefined {
    return this.activeRegistry()?.get(key);
  }

  /** The breaker for `key` if a call has used it. */
  peekBreaker(key: string): CircuitBreaker | undefined {
    return this.activeRegistry()?.peek(key);
  }

  private activeRegistry(): BreakerRegistry | undefined {
    return this.opts.breaker === undefined ? undefined : this.registry;
  }

  /** Attempts in flight now (calls waiting for a bulkhead slot are scheduled for their deadline, but not counted). */
  inFlight(): number {
    let n = 0;
    for (const e of this.scheduler.entries()) if ((e as Call).inFlight) n++;
    return n;
  }

  /** Retry budget counters, when it is on. */
  budgetStats(): { calls: number; retries: number; refused: number } | undefined {
    return this.budget?.stats(this.host.clock.now());
  }

  // ---- request side -------------------------------------------------------

  /** Ties an error raised without a config (user interceptor, transformRequest) to its call. */
  readonly tagError = tagError;

  /** The request interceptor: runs first, before every attempt. Never throws (see AXIOS_FACTS: synchronous interceptors). */
  readonly onRequest = (config: InternalAxiosRequestConfig): InternalAxiosRequestConfig => {
    let call = callOf(config);
    try {
      if (call === undefined) {
        call = this.begin(config);
        if (call.refusal !== undefined) return config;
        if (call.queued) {
          this.park(call, config);
          return config;
        }
        this.startAttempt(call, config, call.start);
      } else {
        this.startAttempt(call, config);
      }
    } catch (err) {
      if (call === undefined) call = this.rescue(config);
      this.refuse(call, config, err, 'not-retryable');
    }
    return config;
  };

  private begin(config: InternalAxiosRequestConfig): Call {
    const c = config as InternalAxiosRequestConfig & { resilience?: unknown };
    const opts = c.resilience === undefined ? this.opts : resolveRequestOptions(c.resilience, this.opts);
    const now = this.host.clock.now();
    const tb = opts.timeBudget;
    const timeout = typeof config.timeout === 'number' ? config.timeout : 0;
    const attemptMs = tb.attemptExplicit || (!this.host.timeoutGiven && timeout === 0) ? tb.attemptMs : timeout;
    const method = METHODS[config.method ?? 'get'] ?? String(config.method).toUpperCase();
    const call = new Call(opts, method, config.url ?? '', now, now + tb.totalMs, attemptMs === Infinity ? 0 : attemptMs, this.expire);
    (config as unknown as Record<string, unknown>)[CALL_KEY] = call;
    if (config.data !== undefined) {
      call.transforms = config.transformRequest;
      config.transformRequest = GUARDED_TRANSFORMS;
    }
    this.counters.calls++;
    this.budget?.recordCall(now);
    if (opts.breaker !== undefined || this.throttle !== undefined) call.key = this.keyFor(config, opts);
    if (opts.breaker !== undefined && call.key !== undefined) call.breaker = this.registry?.get(call.key);
    call.idempotent = this.idempotency(call, config, opts);
    this.watchCaller(call, config);
    const bulkhead = (call.bulkhead = this.bulkhead);
    if (bulkhead !== undefined && !bulkhead.tryEnter()) this.queueOrRefuse(call, config, bulkhead);
    else call.slot = bulkhead !== undefined;
    return call;
  }

  private queueOrRefuse(call: Call, config: InternalAxiosRequestConfig, bulkhead: Bulkhead): void {
    if (bulkhead.enqueue(call)) {
      call.queued = true;
      return;
    }
    const { max, queue } = bulkhead.stats();
    this.refuse(call, config, new BulkheadFullError(max, queue, config), 'bulkhead-full');
    this.counters.rejections++;
    if (this.host.sink.listening('bulkhead-reject')) {
      this.host.sink.fire('bulkhead-reject', { method: call.method, url: call.url, max, queue });
    }
  }

  /**
   * A queued call cannot wait in a synchronous interceptor: its adapter is
   * swapped for one that waits for the slot (bounded by the call's deadline,
   * through the scheduler) and then starts the attempt as usual.
   */
  private park(call: Call, config: InternalAxiosRequestConfig): void {
    call.parkedAdapter = config.adapter;
    config.adapter = this.queuedAdapter;
    call.deadline = call.callDeadline;
    this.scheduler.add(call);
  }

  private readonly queuedAdapter: AxiosAdapter = (config) => {
    const call = callOf(config) as Call;
    const ready = call.queueOutcome !== undefined
      ? Promise.resolve(call.queueOutcome === true ? undefined : call.queueOutcome)
      : new Promise<unknown>((resolve) => { call.queueDone = resolve; });
    return ready.then((reason) => {
      this.scheduler.remove(call);
      if (reason !== undefined) {
        const why = reason as FailureReason;
        const err = why === 'deadline' ? this.deadlineError(call, config) : new CanceledError(undefined, config);
        this.refuse(call, config, err, why);
        throw err;
      }
      const adapter = (call.parkedAdapter as InternalAxiosRequestConfig['adapter']) ?? axios.defaults.adapter;
      if (adapter !== undefined) config.adapter = adapter;
      this.startAttempt(call, config);
      if (call.refusal !== undefined) throw call.refusal as unknown;
      return axios.getAdapter(adapter, config)(config);
    });
  };

  /** Leaves the queue without a slot (deadline, abort): the call fails as refused. */
  private unqueue(call: Call, reason: 'deadline' | 'aborted'): void {
    call.bulkhead?.dequeue(call);
    call.endQueue(reason);
  }

  /** A call whose options were invalid: minimal state so it fails cleanly. */
  private rescue(config: InternalAxiosRequestConfig): Call {
    const now = this.host.clock.now();
    const call = new Call(this.opts, METHODS[config.method ?? 'get'] ?? 'GET', config.url ?? '', now, Infinity, 0, this.expire);
    (config as unknown as Record<string, unknown>)[CALL_KEY] = call;
    this.counters.calls++;
    return call;
  }

  /** The breaker (and throttle) key: by origin, one per client, or the user's function. */
  private keyFor(config: InternalAxiosRequestConfig, opts: ResolvedOptions): string {
    const k = (opts.breaker ?? this.opts.breaker)?.key ?? 'origin';
    return k === 'origin' ? this.originKey(config) : k === 'client' ? 'client' : String(k(config));
  }

  private originKey(config: InternalAxiosRequestConfig): string {
    const url = config.url ?? '';
    if (config.allowAbsoluteUrls !== false && !isPlainPath(url)) {
      const prefix = this.lastAbsPrefix;
      const n = prefix.length;
      if (n > 0 && url.startsWith(prefix) && (url.length === n || isAuthorityStop(url.charCodeAt(n)))) return this.lastAbsOrigin;
      if (isAbsoluteUrl(url)) return this.absoluteOrigin(url);
    }
    if (config.baseURL !== this.lastBase) {
      this.lastBase = config.baseURL;
      this.lastBaseOrigin = originOf(config.baseURL ?? '');
    }
    return this.lastBaseOrigin;
  }

  /** Origin of an absolute URL; remembered, with its scheme and authority, for the next call (see originKey). */
  private absoluteOrigin(url: string): string {
    this.lastAbsOrigin = originOf(url);
    this.lastAbsPrefix = url.slice(0, authorityEnd(url, url.indexOf('//') + 2));
    return this.lastAbsOrigin;
  }

  /** Sets the idempotency key on POST/PATCH when asked; says whether the call may be retried by method. */
  private idempotency(call: Call, config: InternalAxiosRequestConfig, opts: ResolvedOptions): boolean {
    const retry = opts.retry;
    if (retry === undefined) {
      // No retries, but a key the caller fixed for this request is still sent.
      if (opts.idempotencyValue !== undefined && headerOf(config.headers, DEFAULT_IDEMPOTENCY_HEADER) == null) {
        config.headers.set(DEFAULT_IDEMPOTENCY_HEADER, opts.idempotencyValue);
      }
      return false;
    }
    if (retry.methods.has(call.method)) return true;
    if (call.method !== 'POST' && call.method !== 'PATCH') return false;
    const header = retry.idempotencyHeader;
    const headers = config.headers;
    if (header === undefined) return headerOf(headers, DEFAULT_IDEMPOTENCY_HEADER) != null;
    if (headerOf(headers, header) == null) headers.set(header, opts.idempotencyValue ?? newIdempotencyKey());
    return true;
  }

  /** Listens to the caller's signal / CancelToken for the whole call (one listener, removed at the end). */
  private watchCaller(call: Call, config: InternalAxiosRequestConfig): void {
    const signal = config.signal as AbortSignalLike | undefined;
    const token = config.cancelToken as unknown as Call['cancelToken'];
    if (signal === undefined && token === undefined) return;
    const onAbort = (call.onCallerAbort = () => this.callerAborted(call));
    if (signal !== undefined) {
      call.callerSignal = signal;
      if (signal.aborted) call.abortCause = AbortCause.Caller;
      else signal.addEventListener('abort', onAbort);
    }
    if (token !== undefined) {
      call.cancelToken = token;
      // The engine owns cancellation: attempts see only their own signal. Left on
      // the config, axios would reject with the token's reason, which has no config.
      config.cancelToken = undefined;
      token.subscribe(onAbort);
    }
  }

  private callerAborted(call: Call): void {
    if (call.settled) return;
    call.abortCause = AbortCause.Caller;
    if (call.queued) this.unqueue(call, 'aborted');
    call.signal?.abort(undefined);
    call.waitSignal?.abort(undefined);
  }

  /** `now`: the time, when the caller just read it (the first attempt starts when the call does). */
  private startAttempt(call: Call, config: InternalAxiosRequestConfig, now = this.host.clock.now()): void {
    call.refusal = undefined;
    call.graceArmed = false;
    if (call.abortCause === AbortCause.Caller) {
      this.refuse(call, config, new CanceledError(undefined, config), 'aborted');
      return;
    }
    const remaining = call.callDeadline - now;
    if (remaining <= 0) {
      this.refuse(call, config, this.deadlineError(call, config), 'deadline');
      return;
    }
    if (this.throttle !== undefined && call.key !== undefined && !this.passThrottle(call, call.key, config, now)) return;
    const breaker = call.breaker;
    if (breaker !== undefined && !this.admit(call, breaker, config)) return;
    call.attempt++;
    this.counters.attempts++;
    const limited = call.attemptMs > 0 && call.attemptMs < remaining;
    call.timeoutMs = limited ? call.attemptMs : remaining;
    call.attemptCutsDeadline = !limited;
    call.deadline = now + call.timeoutMs;
    call.inFlight = true;
    const signal = (call.signal = new LiteSignal());
    config.signal = signal;
    if (config.timeout) config.timeout = 0;
    this.scheduler.add(call);
    const propagate = call.opts.timeBudget.propagateHeader;
    if (propagate !== undefined && remaining !== Infinity) config.headers.set(propagate, String(Math.floor(remaining)));
    if (this.host.sink.listening('attempt')) {
      this.host.sink.fire('attempt', {
        method: call.method, url: call.url, attempt: call.attempt,
        maxAttempts: call.maxAttempts, timeoutMs: call.timeoutMs, remainingMs: remaining,
      });
    }
  }

  private admit(call: Call, breaker: CircuitBreaker, config: InternalAxiosRequestConfig): boolean {
    const permit = breaker.acquire();
    call.permit = permit;
    if (permit !== -1) return true;
    this.refuse(call, config, this.circuitOpen(call, breaker, config), 'circuit-open');
    return false;
  }

  /** The refusal of an open breaker: counted, announced, with the last attempt's error as cause. */
  private circuitOpen(call: Call, breaker: CircuitBreaker, config: InternalAxiosRequestConfig | undefined): CircuitOpenError {
    const remainingMs = breaker.remainingMs();
    const err = withoutStack(() => new CircuitOpenError(breaker.key, remainingMs, config));
    if (call.lastError !== undefined) Object.defineProperty(err, 'cause', { value: call.lastError, configurable: true, writable: true });
    this.counters.rejections++;
    if (this.host.sink.listening('circuit-reject')) {
      this.host.sink.fire('circuit-reject', { key: breaker.key, method: call.method, url: call.url, remainingMs, state: breaker.state });
    }
    return err;
  }

  private passThrottle(call: Call, key: string, config: InternalAxiosRequestConfig, now: number): boolean {
    const p = (this.throttle as AdaptiveThrottle).admit(key, now);
    if (p === -1) return true;
    this.refuse(call, config, new ThrottledError(key, p, config), 'throttled');
    this.counters.rejections++;
    if (this.host.sink.listening('throttle')) {
      this.host.sink.fire('throttle', { key, method: call.method, url: call.url, probability: p });
    }
    return false;
  }

  /** Makes this attempt fail locally with `err`: nothing is sent. */
  private refuse(call: Call, config: InternalAxiosRequestConfig, err: unknown, reason: FailureReason): void {
    tagError(err, config);
    call.refusal = err;
    call.refusalReason = reason;
    config.adapter = refuseAdapter;
  }

  private deadlineError(call: Call, config: InternalAxiosRequestConfig | undefined): DeadlineExceededError {
    const last = call.lastError;
    const response = call.lastResponse ?? (isAxiosError(last) ? last.response : undefined);
    return withoutStack(() => new DeadlineExceededError(call.opts.timeBudget.totalMs, config ?? configOf(last), last, response));
  }

  /** The scheduler's callback: this attempt's limit has passed. */
  private onExpire(call: Call, now: number): void {
    if (call.queued) {
      this.unqueue(call, 'deadline');
      return;
    }
    if (call.graceArmed) {
      this.abandon(call);
      return;
    }
    // Safety net: if the attempt has not ended ORPHAN_GRACE_MS after its abort (an
    // adapter that ignores config.signal, or that rejected with an error axios could
    // not tie to its config), the call's slot, permit and timer are freed anyway.
    call.graceArmed = true;
    call.deadline = now + ORPHAN_GRACE_MS;
    this.scheduler.add(call);
    if (call.abortCause !== AbortCause.Caller) {
      call.abortCause = call.attemptCutsDeadline ? AbortCause.Deadline : AbortCause.AttemptTimeout;
    }
    call.signal?.abort(undefined);
  }

  /** Ends a call whose attempt never came back (see onExpire): resources freed, `failure` emitted. */
  private abandon(call: Call): void {
    if (call.settled) return;
    const end = this.endAttempt(call, undefined, new CanceledError('attempt abandoned: the adapter ignored its abort', undefined));
    try {
      this.fail(call, call.lastError, end.kind === 'final' ? end.reason : 'not-retryable');
    } catch {
      // fail() rejects for a caller; here nobody awaits this attempt any more.
    }
  }

  // ---- response side ------------------------------------------------------

  /** The response interceptor (fulfilled): runs first, once per call. */
  readonly onResponse = (response: AxiosResponse): AxiosResponse | Promise<AxiosResponse> => {
    const call = callOf(response.config);
    if (call === undefined || call.settled) return response;
    this.endAttempt(call, response, undefined);
    if (call.opts.retry?.statusCodes.has(response.status) === true) return this.loop(call, response, undefined);
    return this.succeed(call, response);
  };

  /** The response interceptor (rejected): runs first, once per call. */
  readonly onError = (error: unknown): Promise<AxiosResponse> => {
    const call = callOfOutcome(error);
    if (call === undefined || call.settled) return Promise.reject(error);
    return this.loop(call, undefined, error);
  };

  private async loop(call: Call, res: AxiosResponse | undefined, err: unknown): Promise<AxiosResponse> {
    for (;;) {
      const end = this.endAttempt(call, res, err);
      err = call.lastError;
      if (res !== undefined && !(call.opts.retry?.statusCodes.has(res.status) ?? false)) return this.succeed(call, res);
      let decision: Decision;
      try {
        decision = this.decide(call, end, res, err);
      } catch (thrown) {
        // A throwing retryIf or custom backoff: the call ends with that error, cleanly.
        return this.fail(call, thrown, 'not-retryable');
      }
      if (!decision.retry) {
        if (res !== undefined) return this.succeed(call, res);
        return this.fail(call, err, decision.reason);
      }
      const breaker = call.breaker;
      if (breaker !== undefined && breaker.remainingMs() > decision.delayMs) {
        // The breaker opened and stays open past the wait: fail now rather than sleep into a refusal.
        return this.fail(call, this.circuitOpen(call, breaker, configOf(res ?? err)), 'circuit-open');
      }
      this.announceRetry(call, decision, res, err);
      try {
        await this.wait(call, decision.delayMs);
      } catch {
        return this.fail(call, new CanceledError(call.abortCause === AbortCause.Disposed ? 'client disposed' : undefined, configOf(res ?? err)), 'aborted');
      }
      try {
        res = await this.host.dispatch(this.nextConfig(res, err));
        err = undefined;
      } catch (e) {
        res = undefined;
        err = e;
      }
    }
  }

  /** Closes the attempt: timer, breaker, and what kind of end it was. Translates our own aborts. */
  private endAttempt(call: Call, res: AxiosResponse | undefined, err: unknown): AttemptEnd {
    const wasInFlight = call.inFlight;
    if (wasInFlight) {
      call.inFlight = false;
      this.scheduler.remove(call);
    }
    const cause = call.abortCause;
    if (call.refusal !== undefined && err === call.refusal) {
      call.lastError = err;
      return { kind: 'final', reason: call.refusalReason };
    }
    let end: AttemptEnd;
    let outcome: BreakerOutcome;
    const lost = res === undefined ? bodyLostCode(err) : undefined;
    const response = res ?? (isAxiosError(err) && lost === undefined ? err.response : undefined);
    if (response !== undefined) {
      call.lastResponse = response;
      // Headers are read only if a retry is considered (decide): AxiosHeaders lookups are not free.
      end = { kind: 'response', status: response.status, retryAfter: undefined, date: undefined };
      outcome = isBreakerFailure(response.status) ? 'failure' : 'success';
    } else if (cause === AbortCause.Caller || cause === AbortCause.Disposed || (isCancel(err) && cause === AbortCause.None)) {
      end = { kind: 'final', reason: 'aborted' };
      outcome = 'ignore';
    } else if (cause === AbortCause.Deadline) {
      err = this.deadlineError(call, configOf(err));
      end = { kind: 'final', reason: 'deadline' };
      outcome = 'failure';
    } else if (cause === AbortCause.AttemptTimeout) {
      const e = err as AxiosError | undefined;
      err = new AxiosError(`timeout of ${call.timeoutMs}ms exceeded`, AxiosError.ETIMEDOUT, e?.config, e?.request);
      end = { kind: 'error', code: AxiosError.ETIMEDOUT };
      outcome = 'failure';
    } else if (isAxiosError(err)) {
      end = { kind: 'error', code: lost ?? err.code };
      outcome = err.code !== undefined && CLIENT_SIDE_CODES.has(err.code) ? 'ignore' : 'failure';
    } else {
      end = { kind: 'final', reason: 'not-retryable' };
      outcome = 'ignore';
    }
    if (cause !== AbortCause.Caller && cause !== AbortCause.Disposed) call.abortCause = AbortCause.None;
    if (err !== undefined) call.lastError = err;
    if (wasInFlight && call.breaker !== undefined && call.permit !== -1) {
      call.breaker.release(call.permit, outcome);
      call.permit = -1;
    }
    if (wasInFlight && outcome === 'success' && this.throttle !== undefined && call.key !== undefined) {
      this.throttle.accept(call.key, this.host.clock.now());
    }
    return end;
  }

  private decide(call: Call, end: AttemptEnd, res: AxiosResponse | undefined, err: unknown): Decision {
    const config = configOf(res ?? err);
    const now = this.host.clock.now();
    const last = call.lastResponse;
    if (end.kind === 'response' && last !== undefined) {
      end = { kind: 'response', status: end.status, retryAfter: headerOf(last.headers, 'retry-after'), date: headerOf(last.headers, 'date') };
    }
    const decision = decideRetry({
      retry: call.opts.retry,
      end,
      outcome: this.outcome(call, res, err),
      idempotent: call.idempotent,
      replayable: isReplayableBody(config?.data),
      remainingMs: call.callDeadline - now,
      nowEpochMs: Date.now(),
      carry: call.carry,
      random: this.host.random,
    });
    if (decision.retry) {
      if (this.budget !== undefined && !this.budget.tryRetry(now)) {
        this.counters.rejections++;
        if (this.host.sink.listening('retry-budget-exhausted')) {
          const { calls, retries } = this.budget.stats(now);
          this.host.sink.fire('retry-budget-exhausted', { method: call.method, url: call.url, attempt: call.attempt, calls, retries });
        }
        return { retry: false, reason: 'retry-budget' };
      }
      call.carry = decision.carry;
    }
    return decision;
  }

  private outcome(call: Call, res: AxiosResponse | undefined, err: unknown): RetryOutcome {
    const base = { method: call.method, url: call.url, attempt: call.attempt };
    const response = res ?? (isAxiosError(err) ? err.response : undefined);
    if (response !== undefined && err !== undefined) return { ...base, response, error: err };
    if (response !== undefined) return { ...base, response };
    return { ...base, error: err };
  }

  private announceRetry(call: Call, d: Decision & { retry: true }, res: AxiosResponse | undefined, err: unknown): void {
    this.counters.retries++;
    if (!this.host.sink.listening('retry')) return;
    const response = res ?? (isAxiosError(err) ? err.response : undefined);
    this.host.sink.fire('retry', {
      method: call.method, url: call.url, attempt: call.attempt, delayMs: d.delayMs,
      status: response?.status, code: isAxiosError(err) ? err.code : undefined,
      error: errorView(err ?? statusError(res as AxiosResponse), call.opts.redactHeaders), retryAfterMs: d.retryAfterMs,
      remainingMs: call.callDeadline - this.host.clock.now() - d.delayMs,
    });
  }

  private async wait(call: Call, ms: number): Promise<void> {
    if (call.abortCause === AbortCause.Caller) throw new Error('aborted');
    if (ms <= 0) return;
    const signal = (call.waitSignal = new LiteSignal());
    this.waiting.add(call);
    try {
      await this.host.clock.sleep(ms, signal);
    } finally {
      this.waiting.delete(call);
      call.waitSignal = undefined;
    }
    const cause = call.abortCause as AbortCause;
    if (cause === AbortCause.Caller || cause === AbortCause.Disposed) throw new Error('aborted');
  }

  /** The next attempt's config: the last one, with its body already serialised (transformRequest not run again). */
  private nextConfig(res: AxiosResponse | undefined, err: unknown): InternalAxiosRequestConfig {
    const last = configOf(res ?? err) as InternalAxiosRequestConfig;
    const next: Record<string, unknown> = { ...last, transformRequest: PASS_THROUGH };
    delete next.signal; // the last attempt's (maybe aborted) signal; ours for the next attempt is set by onRequest
    return next as unknown as InternalAxiosRequestConfig;
  }

  // ---- settling -----------------------------------------------------------

  private succeed(call: Call, res: AxiosResponse): AxiosResponse {
    this.settle(call);
    if (res.config !== undefined) restoreCaller(res.config, call);
    this.counters.successes++;
    if (this.host.sink.listening('success')) {
      this.host.sink.fire('success', {
        method: call.method, url: call.url, attempts: call.attempt,
        elapsedMs: this.host.clock.now() - call.start, status: res.status,
      });
    }
    return res;
  }

  private fail(call: Call, err: unknown, reason: FailureReason): never {
    this.settle(call);
    this.counters.failures++;
    const now = this.host.clock.now();
    let final = err;
    if (reason === 'deadline' && !(err instanceof DeadlineExceededError)) final = this.deadlineError(call, configOf(err));
    if (isAxiosError(final)) {
      const info = { attempts: call.attempt, elapsedMs: now - call.start, reason };
      (final as WithResilience).resilience = info;
      if (final.config !== undefined) restoreCaller(final.config, call);
      protectError(final, call.opts.redactHeaders);
    }
    if (this.host.sink.listening('failure')) {
      const status = isAxiosError(final) ? final.response?.status : undefined;
      this.host.sink.fire('failure', {
        method: call.method, url: call.url, attempts: call.attempt, elapsedMs: now - call.start,
        error: errorView(final, call.opts.redactHeaders), reason, status,
        code: isAxiosError(final) ? final.code : undefined, remainingMs: call.callDeadline - now,
      });
    }
    throw final;
  }

  /** Ends the call: no timer, no listener left behind. */
  private settle(call: Call): void {
    call.settled = true;
    if (call.slot) {
      call.slot = false;
      call.bulkhead?.leave();
    }
    if (call.inFlight) {
      call.inFlight = false;
      this.scheduler.remove(call);
    }
    const onAbort = call.onCallerAbort;
    if (onAbort !== undefined) {
      call.callerSignal?.removeEventListener('abort', onAbort);
      call.cancelToken?.unsubscribe(onAbort);
      call.onCallerAbort = undefined;
    }
  }

  /** Aborts every attempt in flight and every wait, and stops the timer. */
  dispose(): void {
    for (const e of this.scheduler.entries()) {
      const call = e as Call;
      call.abortCause = AbortCause.Disposed;
      if (call.queued) this.unqueue(call, 'aborted');
      else call.signal?.abort(undefined);
    }
    for (const call of this.waiting) {
      call.abortCause = AbortCause.Disposed;
      call.waitSignal?.abort(undefined);
    }
    this.scheduler.clear();
  }
}
