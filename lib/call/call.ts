/**
 * The state of one call and of each of its attempts.
 *
 * A call moves through one phase at a time, `starting -> (queued ->)
 * attempting <-> waiting -> settled`; `settled` is final, so a config
 * replayed after the call ended starts a new call by construction. An attempt
 * is `pending` (the runner is sending it), `sent` (its adapter runs), then
 * `ended`, exactly once. The attempt doubles as the request's abort signal
 * (`config.signal`) and as its entry in the deadline scheduler, so a call with
 * one attempt costs two objects.
 *
 * Both live on the request config under {@link STATE_KEY}: class instances,
 * so axios's `mergeConfig` passes them on by reference instead of copying.
 */
import type { AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { CircuitBreaker } from '../breaker/circuit-breaker.js';
import type { Bulkhead, BulkheadWaiter } from '../gates/bulkhead.js';
import type { ResolvedOptions } from '../options.js';
import type { FailureReason } from '../report/errors.js';
import { redactUrl } from '../report/redact.js';
import type { AbortSignalLike, Clock } from '../time/clock.js';
import type { Expiring } from '../time/deadline-scheduler.js';
import { LiteSignal } from '../time/lite-signal.js';
import type { HedgeRace } from './hedge-race.js';

/** The config key that carries the attempt (and through it, the call). */
export const STATE_KEY = '__resilientAxios';

/** Why we aborted an attempt (axios only ever reports "canceled"); 'hedge-lost': another attempt of the call won. */
export type AbortCause = 'attempt-timeout' | 'deadline' | 'caller' | 'disposed' | 'hedge-lost';

/** Something that can cancel: axios's `CancelToken` (subscribe/unsubscribe). */
export interface CancelTokenLike {
  subscribe(listener: (reason: unknown) => void): void;
  unsubscribe(listener: (reason: unknown) => void): void;
}

/** A refusal decided before anything was sent: the error the attempt fails with, and why. */
export interface Refusal {
  readonly error: unknown;
  readonly reason: FailureReason;
}

export type CallPhase = 'starting' | 'queued' | 'attempting' | 'waiting' | 'settled';

let lastId = 0;

export class Call {
  /** Unique within the process, the same on every event of the call. */
  readonly id = `c${(++lastId).toString(36)}`;
  phase: CallPhase = 'starting';
  /** Attempts sent so far (refused ones not counted); the first is 1. */
  attempts = 0;
  /** The attempt being sent or in flight, or the last one (hedges aside: they live in `hedge`). */
  current: Attempt | undefined = undefined;
  /** Hedging state, for a call that may be hedged (its method, its options); otherwise undefined. */
  hedge: HedgeRace | undefined = undefined;
  /** The breaker / throttle key (when either is on). */
  key: string | undefined = undefined;
  breaker: CircuitBreaker | undefined = undefined;
  /** The bulkhead whose slot this call holds (given back when the call settles). */
  slot: Bulkhead | undefined = undefined;
  /** Decided when the call started (invalid per-request options): its first attempt fails with it. */
  refusal: Refusal | undefined = undefined;
  /** May be retried by method (idempotent, or POST/PATCH with an idempotency key). */
  idempotent = false;
  /** Backoff state carried from one delay to the next (decorrelated jitter). */
  backoffState = 0;
  /** What the last retry took from the retry budget (refunded when the call succeeds). */
  lastRetryCost = 0;
  lastError: unknown = undefined;
  lastResponse: AxiosResponse | undefined = undefined;
  /** The wait between attempts (or for `retryIf`), aborted by the caller or `dispose()`. */
  waitSignal: LiteSignal | undefined = undefined;
  /** Set when the caller aborted or the client was disposed: no further attempt starts. */
  stopped: 'caller' | 'disposed' | undefined = undefined;
  callerSignal: AbortSignalLike | undefined = undefined;
  cancelToken: CancelTokenLike | undefined = undefined;
  /** The listener on the caller's signal / CancelToken, removed when the call settles. */
  callerListener: (() => void) | undefined = undefined;
  /** The request as the caller made it: restored on the config the caller sees. */
  adapter: unknown = undefined;
  transformRequest: unknown = undefined;
  transformResponse: unknown = undefined;
  timeout: unknown = undefined;

  constructor(
    readonly options: ResolvedOptions,
    /** Upper-case method. */
    readonly method: string,
    readonly rawUrl: string,
    readonly start: number,
    /** When the whole call must be over (clock ms). */
    readonly deadline: number,
    /** Per-attempt limit in ms (`Infinity`: none). */
    readonly attemptMs: number,
    /** The idempotency key value the request fixed, if any. */
    readonly idempotencyValue: string | undefined,
    readonly clock: Pick<Clock, 'now'>,
  ) {}

  private safeUrl: string | undefined = undefined;

  /** The request URL with secrets redacted (computed once, when first needed). */
  get url(): string {
    return (this.safeUrl ??= redactUrl(this.rawUrl, this.options.redaction));
  }

  get maxAttempts(): number {
    const retry = this.options.retry;
    return retry === false ? 1 : retry.maxAttempts;
  }

  /** Left out of `JSON.stringify(config)`: internal state, with cycles. */
  toJSON(): undefined {
    return undefined;
  }

  /** Compact in `console.log(err.config)` (Node reads this symbol; elsewhere it is inert). */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Call { ${this.id} ${this.method} ${this.phase}, ${this.attempts}/${this.maxAttempts} attempts }`;
  }
}

export type AttemptPhase = 'pending' | 'queued' | 'sent' | 'ended';

/** Who is told when an attempt's time is up or its bulkhead slot comes (the runner). */
export interface AttemptOwner {
  expired(attempt: Attempt, now: number): void;
  granted(attempt: Attempt): void;
}

/** One attempt: its abort signal, its scheduler entry, its breaker permit and its outcome's settlement. */
export class Attempt extends LiteSignal implements Expiring, BulkheadWaiter {
  phase: AttemptPhase = 'pending';
  /** This attempt's number (1-based); fixed when it is sent. */
  number: number;
  /** Breaker permit, or -1. */
  permit = -1;
  /** Effective limit of this attempt in ms: min(attemptMs, time left). */
  timeoutMs = Infinity;
  /** The call's deadline, not the attempt limit, ends this attempt. */
  cutsDeadline = false;
  sentAt = 0;
  /** When its outcome was closed (clock ms); 0 before. */
  closedAt = 0;
  cause: AbortCause | undefined = undefined;
  /** Scheduler entry: when this attempt (or its wait in the queue) must end. */
  deadline = Infinity;
  prevExpiring: Expiring | undefined = undefined;
  nextExpiring: Expiring | undefined = undefined;
  /** Settles what the adapter returned to axios (see `dispatch.ts`). */
  resolve: ((response: AxiosResponse) => void) | undefined = undefined;
  reject: ((error: unknown) => void) | undefined = undefined;
  /** The config this attempt was sent with. */
  config: InternalAxiosRequestConfig | undefined = undefined;
  /** Why it was refused before being sent, if it was. */
  refusal: FailureReason | undefined = undefined;
  /** Sent while an earlier attempt of the call was still in flight (or right after one failed, in its place). */
  hedge = false;
  /** What it took from the retry budget (refunded if it wins). */
  cost = 0;
  /** Its outcome was classified and reported (`AttemptSender.close`): once. */
  closed = false;

  constructor(
    readonly call: Call,
    private readonly owner: AttemptOwner,
  ) {
    super();
    this.number = call.attempts + 1;
  }

  expire(now: number): void {
    this.owner.expired(this, now);
  }

  grant(): void {
    this.owner.granted(this);
  }

  toJSON(): undefined {
    return undefined;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Attempt { ${this.call.id} #${this.number} ${this.phase} }`;
  }
}

/** The attempt a config belongs to, if any. */
export function attemptOfConfig(config: unknown): Attempt | undefined {
  const a = (config as Record<string, unknown> | null | undefined)?.[STATE_KEY];
  return a instanceof Attempt ? a : undefined;
}

const owners = new WeakMap<object, Attempt>();

/** Records that `err` was raised by the attempt of `config` (for errors axios raises without a config). */
export function tagError(err: unknown, config: unknown): void {
  // An error that carries the config already leads to its attempt (a WeakMap entry costs ~5 µs).
  if (err === null || typeof err !== 'object' || (err as { config?: unknown }).config === config) return;
  const attempt = attemptOfConfig(config);
  if (attempt !== undefined && !owners.has(err)) owners.set(err, attempt);
}

/** The attempt an outcome (response or error) belongs to: through its config, or as tagged. */
export function attemptOfOutcome(x: unknown): Attempt | undefined {
  if (x === null || typeof x !== 'object') return undefined;
  return owners.get(x) ?? attemptOfConfig((x as { config?: unknown }).config);
}

/** What `attemptOf(config)` tells an interceptor about the attempt a config carries. */
export interface AttemptInfo {
  /** The call's id, as on its events. */
  readonly callId: string;
  /** This attempt's number; the first is 1. */
  readonly attempt: number;
  /** This call's maximum number of attempts (`retry.maxAttempts`; 1 when retry is off). */
  readonly maxAttempts: number;
  /** Time left in the call's budget, in ms (read when asked). */
  readonly remainingMs: number;
  /** True for a hedged attempt (sent while an earlier one is still in flight, or at once after one failed). */
  readonly hedge: boolean;
}

/**
 * What the attempt a config carries is: inside a request interceptor (or on
 * any attempt's config, `err.config` included) `{ callId, attempt,
 * maxAttempts, remainingMs, hedge }`, else undefined. How an interceptor
 * signs, counts or traces each attempt (OpenTelemetry's
 * `http.request.resend_count` is `attempt - 1`).
 */
export function attemptOf(config: unknown): AttemptInfo | undefined {
  const a = attemptOfConfig(config);
  if (a === undefined) return undefined;
  const call = a.call;
  return { callId: call.id, attempt: a.number, maxAttempts: call.maxAttempts, remainingMs: Math.max(0, call.deadline - call.clock.now()), hedge: a.hedge };
}
