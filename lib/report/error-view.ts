/**
 * Stand-ins for errors in event payloads: the same class, the same log form
 * as a protected rejection, and no secret anywhere, not even in
 * non-enumerable properties, so a listener may hand them to any logger.
 */
import { isAxiosError } from 'axios';
import { HEAVY, REDACTION, compactToJSON, define, field, isErrorLike, requestFacts, safeCause, safeValue, stackOf } from './log-form.js';
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

/**
 * A non-enumerable field computed on first read, then kept as a plain value;
 * assignable like one.
 */
function lazy(key: string, compute: () => unknown): PropertyDescriptor {
  return {
    enumerable: false,
    configurable: true,
    get(this: object): unknown {
      const value = compute();
      define(this, key, value, false);
      return value;
    },
    set(this: object, value: unknown): void {
      define(this, key, value, false);
    },
  };
}

/** Builds the view in one step (one `Object.create` with every field) rather than a definition per field. */
function view(err: ErrorLike, r: Redaction, depth: number): ErrorLike {
  const nested = (e: ErrorLike): unknown => view(e, r, depth + 1);
  const props: PropertyDescriptorMap = Object.create(null) as PropertyDescriptorMap;
  for (const key of Object.keys(err)) {
    if (!HEAVY.has(key)) props[key] = field(safeValue(err[key], r, depth, nested), true);
  }
  if (!hasOwn(props, 'message')) props.message = field(redactText(String(err.message), r), false);
  if (isAxiosError(err) && isObject(err.config)) {
    const facts = hasOwn(props, 'method') && hasOwn(props, 'url') ? undefined : requestFacts(err, r);
    if (facts !== undefined && !hasOwn(props, 'method')) props.method = field(facts.method, true);
    if (facts?.url !== undefined && !hasOwn(props, 'url')) props.url = field(facts.url, true);
    props.config = lazy('config', () => redactConfig(err.config, r));
  }
  const response = err.response;
  if (isObject(response)) {
    props.response = lazy('response', () => ({ status: response.status, statusText: response.statusText, headers: redactHeaders(response.headers, r) }));
  }
  props.stack = lazy('stack', () => stackOf(err, r, depth));
  if (err.cause !== undefined) props.cause = field(safeCause(err.cause, r, depth, nested), false);
  props[REDACTION] = field(r, false);
  props.toJSON = field(compactToJSON, false);
  return Object.create(Object.getPrototypeOf(err) as object | null, props) as ErrorLike;
}
