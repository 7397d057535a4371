/**
 * The state of one call across its attempts. One instance per call, stored on
 * the request config under {@link CALL_KEY}: a class instance, so axios's
 * `mergeConfig` passes it on by reference instead of deep-copying it.
 */
import type { AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import { redactUrl } from '../report/redact.js';
import type { Bulkhead, BulkheadWaiter } from '../gates/bulkhead.js';
import type { CircuitBreaker } from '../breaker/circuit-breaker.js';
import type { AbortSignalLike } from '../time/clock.js';
import type { Expiring } from '../time/deadline-scheduler.js';
import type { FailureReason } from '../report/errors.js';
import type { LiteSignal } from '../time/lite-signal.js';
import type { ResolvedOptions } from '../options.js';

/** The config key that carries a call's state. */
export const CALL_KEY = '__resilientAxiosCall';

/** Why we aborted the attempt in flight (axios only reports "canceled"). */
export const AbortCause = { None: 0, AttemptTimeout: 1, Deadline: 2, Caller: 3, Disposed: 4 } as const;
export type AbortCause = (typeof AbortCause)[keyof typeof AbortCause];

/** Something that can cancel: axios's `CancelToken` (subscribe/unsubscribe). */
export interface CancelTokenLike {
  subscribe(listener: (reason: unknown) => void): void;
  unsubscribe(listener: (reason: unknown) => void): void;
}

export class Call implements Expiring, BulkheadWaiter {
  /** Attempts sent so far; the first is 1. */
  attempt = 0;
  /** This attempt's deadline (scheduler entry). */
  deadline = Infinity;
  prevExpiring: Expiring | undefined = undefined;
  nextExpiring: Expiring | undefined = undefined;
  /** The current attempt's timer ends the call's budget rather than attemptMs. */
  attemptCutsDeadline = false;
  /** This attempt's effective limit, in ms. */
  timeoutMs = Infinity;
  inFlight = false;
  /** The attempt was aborted at its deadline; the next expiry abandons it. */
  graceArmed = false;
  abortCause: AbortCause = AbortCause.None;
  signal: LiteSignal | undefined = undefined;
  waitSignal: LiteSignal | undefined = undefined;
  breaker: CircuitBreaker | undefined = undefined;
  /** Breaker / throttle key (set when either is on). */
  key: string | undefined = undefined;
  /** Holds a bulkhead slot. */
  slot = false;
  /** The bulkhead this call entered or waits in (the one to give the slot back to, even after configure()). */
  bulkhead: Bulkhead | undefined = undefined;
  /** Waits in the bulkhead queue. */
  queued = false;
  /** Settles the queue wait: undefined to go on, else why it stopped. */
  queueDone: ((reason?: unknown) => void) | undefined = undefined;
  /** The queue wait ended before anybody waited on it: true (granted) or why it stopped. */
  queueOutcome: unknown = undefined;
  /** The adapter the request had before it was parked in the queue. */
  parkedAdapter: unknown = undefined;
  /** The request's own transformRequest, run (guarded) by the engine's. */
  transforms: unknown = undefined;
  permit = -1;
  /** A local refusal for the attempt being dispatched, and its reason. */
  refusal: unknown = undefined;
  refusalReason: FailureReason = 'not-retryable';
  idempotent = false;
  carry = 0;
  lastError: unknown = undefined;
  lastResponse: AxiosResponse | undefined = undefined;
  callerSignal: AbortSignalLike | undefined = undefined;
  cancelToken: CancelTokenLike | undefined = undefined;
  onCallerAbort: (() => void) | undefined = undefined;
  settled = false;

  constructor(
    readonly opts: ResolvedOptions,
    /** Upper-case method. */
    readonly method: string,
    readonly rawUrl: string,
    readonly start: number,
    /** When the whole call must be over (clock ms). */
    readonly callDeadline: number,
    /** Per-attempt limit, 0 for none. */
    readonly attemptMs: number,
    private readonly onExpire: (call: Call, now: number) => void,
  ) {}

  private safeUrl: string | undefined = undefined;

  /** The request URL with any password redacted (computed once, when first needed). */
  get url(): string {
    return (this.safeUrl ??= redactUrl(this.rawUrl));
  }

  /** Maximum attempts for this call. */
  get maxAttempts(): number {
    return this.opts.retry?.maxAttempts ?? 1;
  }

  expire(now: number): void {
    this.onExpire(this, now);
  }

  /** Left out of `JSON.stringify(config)`: internal state, with cycles. */
  toJSON(): undefined {
    return undefined;
  }

  /** Compact in `console.log(err.config)` (Node reads this symbol; elsewhere it is inert). */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Call { ${this.method} attempt ${this.attempt}/${this.maxAttempts} }`;
  }

  /** The bulkhead handed this call a slot. */
  grant(): void {
    this.slot = true;
    this.endQueue(true);
  }

  /** Ends the queue wait: `true` to proceed, otherwise why it stopped ('deadline' | 'aborted'). */
  endQueue(outcome: unknown): void {
    this.queued = false;
    const done = this.queueDone;
    if (done === undefined) this.queueOutcome = outcome;
    else done(outcome === true ? undefined : outcome);
  }
}

const owners = new WeakMap<object, Call>();

/** Records that `err` belongs to the call of `config` (for errors axios raises without a config). */
export function tagError(err: unknown, config: unknown): void {
  const call = callOf(config as InternalAxiosRequestConfig | undefined);
  if (call !== undefined && err !== null && typeof err === 'object' && !owners.has(err)) owners.set(err, call);
}

/** The call an error or response belongs to: through its config, or as tagged. */
export function callOfOutcome(x: unknown): Call | undefined {
  return callOf(configOf(x)) ?? (x !== null && typeof x === 'object' ? owners.get(x) : undefined);
}

/** The call state carried by a config, if any. */
export function callOf(config: InternalAxiosRequestConfig | undefined): Call | undefined {
  const c = (config as Record<string, unknown> | undefined)?.[CALL_KEY];
  return c instanceof Call ? c : undefined;
}

/** The config an error or response belongs to. */
export function configOf(x: unknown): InternalAxiosRequestConfig | undefined {
  return (x as { config?: InternalAxiosRequestConfig } | undefined)?.config;
}
