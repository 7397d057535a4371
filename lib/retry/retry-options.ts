/**
 * `retry` options: their types, their defaults, and their resolver. Resolved
 * options keep the user's keys and nesting, made complete and frozen.
 */
import type { AxiosResponse } from 'axios';
import { ConfigError } from '../common/config-error.js';
import * as v from '../common/validate.js';
import type { BackoffFunction, BackoffType, Jitter, ResolvedBackoff } from './backoff.js';

/** What an attempt produced, as given to `retryIf` and custom backoff functions. */
export interface RetryOutcome {
  /** The call's id, the same on every event of the call. */
  readonly callId: string;
  /** Upper-case HTTP method. */
  readonly method: string;
  /** The request URL (secrets redacted). */
  readonly url: string;
  /** The attempt that just ended; the first attempt is 1. */
  readonly attempt: number;
  /** The attempt's response, when it got one (any status). */
  readonly response?: AxiosResponse;
  /** The attempt's error; absent when the response was accepted by `validateStatus` but its status is retried. */
  readonly error?: unknown;
}

/**
 * Decides retry by itself when it returns (or resolves to) a boolean; `undefined`
 * keeps the built-in decision. A promise is awaited within the call's deadline;
 * a throw or a rejection fails the call with that error (`reason: 'not-retryable'`).
 * Not asked when no attempt is left.
 */
export type RetryIf = (outcome: RetryOutcome) => boolean | undefined | Promise<boolean | undefined>;

/**
 * Asked about every response axios resolved with; `false` makes it a failed
 * attempt (`code === 'ERR_BAD_RESPONSE_BODY'`), retried like a listed status.
 */
export type ValidateResponse = (response: AxiosResponse) => boolean;

/** How long to wait between attempts. */
export interface BackoffOptions {
  /** Delay strategy, or `(attempt, outcome) => ms`. @default 'exponential' */
  type?: BackoffType | BackoffFunction<RetryOutcome>;
  /** First delay in ms. @default 100 */
  baseMs?: number;
  /** Exponential multiplier (>= 1). @default 2 */
  factor?: number;
  /** Cap on any single delay in ms (`Infinity` for none). @default 20_000 */
  maxMs?: number;
  /** 'full': U(0, d); 'equal': d/2 + U(0, d/2); a number f in (0, 1]: d x U(1-f, 1+f). @default 'full' */
  jitter?: Jitter;
}

/** `Retry-After` handling. */
export interface RetryAfterOptions {
  /** Honour `Retry-After` on retried responses. @default true */
  respect?: boolean;
  /** A longer `Retry-After` (ms) fails the call at once (`reason: 'retry-after-too-long'`). @default 60_000 */
  maxMs?: number;
}

/** Which failures are retried, how often and how far apart. */
export interface RetryOptions {
  /** Total attempts, the first included (integer >= 1). @default 3 */
  maxAttempts?: number;
  /** Methods that may be retried. @default RFC 9110 idempotent methods: GET HEAD OPTIONS PUT DELETE TRACE */
  methods?: readonly string[];
  /** Response statuses that are retried. @default 408 429 500 502 503 504 */
  statusCodes?: readonly number[];
  /**
   * Error codes (no response) that are retried; attempt timeouts have code `ETIMEDOUT`.
   * @default ECONNRESET ECONNREFUSED ECONNABORTED ETIMEDOUT EPIPE EAI_AGAIN ENETUNREACH EHOSTUNREACH ERR_NETWORK
   */
  errorCodes?: readonly string[];
  /** Overrides the decision when it returns a boolean (see {@link RetryIf}). */
  retryIf?: RetryIf;
  /** Turns a response into a failed attempt when it returns false (see {@link ValidateResponse}). */
  validateResponse?: ValidateResponse;
  /** The wait before each retry. @default { type: 'exponential', baseMs: 100, factor: 2, maxMs: 20_000, jitter: 'full' } */
  backoff?: BackoffOptions;
  /** `Retry-After` handling. @default { respect: true, maxMs: 60_000 } */
  retryAfter?: RetryAfterOptions;
  /**
   * POST and PATCH carry an idempotency key header (`true`: `Idempotency-Key`; a
   * string: that header name), one value per call reused on every attempt, and
   * become retryable. A key the caller set is kept. @default false
   */
  idempotencyKey?: boolean | string;
}

/**
 * `retry` after defaults and validation (`false` in the resolved options when off).
 * @inline
 */
export interface ResolvedRetry {
  /** Total attempts, the first included. */
  readonly maxAttempts: number;
  /** Methods that may be retried, upper case. */
  readonly methods: ReadonlySet<string>;
  /** Response statuses that are retried. */
  readonly statusCodes: ReadonlySet<number>;
  /** Error codes (no response) that are retried. */
  readonly errorCodes: ReadonlySet<string>;
  /** The `retryIf` given, if any. */
  readonly retryIf: RetryIf | undefined;
  /** The `validateResponse` given, if any. */
  readonly validateResponse: ValidateResponse | undefined;
  /** The wait before each retry, complete. */
  readonly backoff: ResolvedBackoff<RetryOutcome>;
  /** `Retry-After` handling, complete. */
  readonly retryAfter: {
    /** Honour `Retry-After` on retried responses. */
    readonly respect: boolean;
    /** A longer `Retry-After`, in ms, fails the call at once (`reason: 'retry-after-too-long'`). */
    readonly maxMs: number
  };
  /** The header that carries the idempotency key, or false when off. */
  readonly idempotencyKey: string | false;
}

/** RFC 9110 idempotent methods. */
export const DEFAULT_METHODS = ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE'] as const;
export const DEFAULT_STATUS_CODES = [408, 429, 500, 502, 503, 504] as const;
export const DEFAULT_ERROR_CODES = [
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN',
  'ENETUNREACH', 'EHOSTUNREACH', 'ERR_NETWORK',
] as const;
export const DEFAULT_IDEMPOTENCY_HEADER = 'Idempotency-Key';

export const DEFAULT_RETRY: ResolvedRetry = Object.freeze({
  maxAttempts: 3,
  methods: new Set<string>(DEFAULT_METHODS),
  statusCodes: new Set<number>(DEFAULT_STATUS_CODES),
  errorCodes: new Set<string>(DEFAULT_ERROR_CODES),
  retryIf: undefined,
  validateResponse: undefined,
  backoff: Object.freeze({ type: 'exponential', baseMs: 100, factor: 2, maxMs: 20_000, jitter: 'full' }),
  retryAfter: Object.freeze({ respect: true, maxMs: 60_000 }),
  idempotencyKey: false,
});

const BACKOFF_TYPES = ['exponential', 'linear', 'constant', 'fibonacci', 'decorrelated'] as const;

const BACKOFF_FIELDS: v.Fields<ResolvedBackoff<RetryOutcome>> = {
  type: v.choice<BackoffType, BackoffFunction<RetryOutcome>>(BACKOFF_TYPES, true),
  baseMs: v.num(0),
  factor: v.num(1),
  maxMs: v.num(0, { allowInfinity: true }),
  jitter,
};

const RETRY_AFTER_FIELDS: v.Fields<ResolvedRetry['retryAfter']> = {
  respect: v.boolean,
  maxMs: v.num(0, { allowInfinity: true }),
};

const RETRY_FIELDS: v.Fields<ResolvedRetry> = {
  maxAttempts: v.int(1),
  methods: v.methodSet,
  statusCodes: (p, x) => new Set(v.arrayOf(p, x, statusCode)),
  errorCodes: (p, x) => new Set(v.arrayOf(p, x, v.text)),
  retryIf: v.func,
  validateResponse: v.func,
  backoff: v.nested(BACKOFF_FIELDS),
  retryAfter: v.nested(RETRY_AFTER_FIELDS),
  idempotencyKey: idempotencyHeader,
};

/**
 * Resolves `retry` (an object, or a boolean) over `base`.
 * @throws {ConfigError} naming the first invalid field under `path`.
 */
export function resolveRetry(path: string, raw: unknown, base: ResolvedRetry): ResolvedRetry | false {
  if (raw === false) return false;
  if (raw === true) return base;
  return v.section(path, raw, RETRY_FIELDS, base, 'an object or a boolean');
}

function statusCode(path: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 100 || value > 599) {
    throw new ConfigError(path, value, 'an HTTP status code (an integer from 100 to 599)');
  }
  return value;
}

function idempotencyHeader(path: string, value: unknown): string | false {
  if (value === false) return false;
  if (value === true) return DEFAULT_IDEMPOTENCY_HEADER;
  if (typeof value === 'string') return v.header(path, value);
  throw new ConfigError(path, value, 'a boolean or a header name');
}

function jitter(path: string, value: unknown): Jitter {
  if (typeof value === 'number') return v.number(path, value, 0, { exclusiveMin: true, max: 1 });
  if (value === 'none' || value === 'full' || value === 'equal') return value;
  throw new ConfigError(path, value, "'none', 'full', 'equal' or a number in (0, 1]");
}
