/**
 * Stand-ins for errors in event payloads: the same class, the same log form
 * as a protected rejection, and no secret anywhere, not even in
 * non-enumerable properties, so a listener may hand them to any logger.
 */
import { isAxiosError } from 'axios';
import { HEAVY, REDACTION, compactToJSON, define, isErrorLike, requestFacts, safeCause, safeValue, stackOf } from './log-form.js';
import type { ErrorLike } from './log-form.js';
import { isObject, redactConfig, redactHeaders, redactText } from './redact.js';
import type { Redaction } from './redaction.js';

const hasOwn = Object.hasOwn;

/**
 * A stand-in for `err` in event payloads that holds no secret: same prototype
 * (so `instanceof`, `axios.isAxiosError`, `code`, `status`, `response.status`
 * work), `message` and string fields redacted, `method` and redacted `url`, a
 * bounded `stack`, `config` as a redacted summary without the body,
 * `response` as `{ status, statusText, headers }` (headers redacted, no body),
 * no `request`, `cause` viewed the same way; the compact `toJSON`. `err` is
 * not changed. Values that are not error-like pass through.
 */
export function errorView<E>(err: E, redaction: Redaction): E {
  return (isErrorLike(err) ? view(err, redaction, 0) : err) as E;
}

function view(err: ErrorLike, r: Redaction, depth: number): ErrorLike {
  const out = Object.create(Object.getPrototypeOf(err) as object | null) as ErrorLike;
  const nested = (e: ErrorLike): unknown => view(e, r, depth + 1);
  for (const key of Object.keys(err)) {
    if (!HEAVY.has(key)) define(out, key, safeValue(err[key], r, depth, nested), true);
  }
  if (!hasOwn(out, 'message')) define(out, 'message', redactText(String(err.message), r), false);
  if (isAxiosError(err) && isObject(err.config)) {
    const facts = hasOwn(out, 'method') && hasOwn(out, 'url') ? undefined : requestFacts(err, r);
    if (facts !== undefined && !hasOwn(out, 'method')) define(out, 'method', facts.method, true);
    if (facts?.url !== undefined && !hasOwn(out, 'url')) define(out, 'url', facts.url, true);
    lazy(out, 'config', () => redactConfig(err.config, r));
  }
  const response = err.response;
  if (isObject(response)) {
    lazy(out, 'response', () => ({ status: response.status, statusText: response.statusText, headers: redactHeaders(response.headers, r) }));
  }
  lazy(out, 'stack', () => stackOf(err, r, depth));
  if (err.cause !== undefined) define(out, 'cause', safeCause(err.cause, r, depth, nested), false);
  define(out, REDACTION, r, false);
  define(out, 'toJSON', compactToJSON, false);
  return out;
}

/** A non-enumerable property computed on first read (formatting a stack or redacting headers costs). */
function lazy(obj: object, key: PropertyKey, compute: () => unknown): void {
  Object.defineProperty(obj, key, {
    enumerable: false,
    configurable: true,
    get(): unknown {
      const value = compute();
      define(obj, key, value, false);
      return value;
    },
    set(value: unknown): void {
      define(obj, key, value, false);
    },
  });
}
