/**
 * Rejections and event errors that are safe to log however they are logged.
 *
 * How the sinks walk an error decides the mechanism:
 * - pino's `err` serializer copies `message`, `stack` (with every cause's
 *   appended) and each enumerable property, own or inherited (`for..in`);
 *   it never calls the error's `toJSON`.
 * - winston's `format.errors()` copies own enumerable properties, `message`
 *   and `stack` (and `cause` when asked); `format.json()` then calls `toJSON`
 *   on nested values.
 * - `util.inspect` / `console.log` in Node call `[Symbol.for('nodejs.util.inspect.custom')]`,
 *   else print the stack, the enumerable properties and `[cause]`.
 * - Chromium's console describes an error by its `stack` and previews its own
 *   properties, enumerable or not, strings in full and objects by class name.
 * - `JSON.stringify` calls `toJSON`; `String(err)` reads `name` and `message`.
 *
 * So {@link protectError} changes the rejection in place: `config`, `request`
 * and `response` become non-enumerable (still there, unchanged, for a replay),
 * text fields (`message`, `stack`, a Node error's `input`) are redacted, and
 * `method`, the redacted `url`, a compact `toJSON` and an inspect hook are added.
 * `errorView` (`./error-view.ts`) builds a stand-in for event payloads that
 * holds no secret at all; the inspect hook prints that view.
 */
import { errorView } from './error-view.js';
import { MAX_DEPTH, REDACTION, compactToJSON, field, hideRequestData, isErrorLike, redactionOf, requestFacts, stackOf } from './log-form.js';
import type { ErrorLike } from './log-form.js';
import { redactText } from './redact.js';
import type { Redaction } from './redaction.js';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** Adds to `into` what sets `obj[key]` to `value` (or sets it now, when it can only be assigned). */
function replace(obj: ErrorLike, key: string, value: unknown, into: PropertyDescriptorMap): void {
  if (obj[key] === value) return;
  const d = Object.getOwnPropertyDescriptor(obj, key);
  if (d === undefined || d.configurable === true) into[key] = field(value, d?.enumerable ?? false);
  else if (d.writable === true) obj[key] = value;
}

/**
 * Makes a rejection safe in every sink (see the module comment), any error
 * type, in place, and returns it. `err.config`, `err.request` and
 * `err.response` keep their values (every header and the body, for a replay)
 * but are no longer enumerable; `message`, `stack` and other string fields
 * are redacted; an AxiosError gains enumerable `method` and `url` (redacted);
 * the stack is bounded (Node-internal frames and axios's inlined `Caused by:`
 * dropped). The cause chain is protected too. Idempotent; never throws.
 */
export function protectError<E>(err: E, redaction: Redaction): E {
  if (isErrorLike(err)) protect(err, redaction, 0);
  return err;
}

/**
 * Redacts `err` in place (and what it holds, to {@link MAX_DEPTH}); every change is
 * collected first and made in one `Object.defineProperties` (one call into the
 * engine's runtime instead of one per field).
 */
function protect(err: ErrorLike, r: Redaction, depth: number): void {
  const changes = Object.create(null) as PropertyDescriptorMap;
  try {
    hideRequestData(err, changes);
    for (const key of Object.keys(err)) {
      const value = err[key];
      if (typeof value === 'string') replace(err, key, redactText(value, r), changes);
      else if (depth < MAX_DEPTH && isErrorLike(value) && value !== err) protect(value, r, depth + 1);
    }
    replace(err, 'message', redactText(err.message, r), changes);
    const cause = err.cause;
    if (depth < MAX_DEPTH && isErrorLike(cause) && cause !== err) protect(cause, r, depth + 1);
    const stack = stackOf(err, r, depth);
    if (stack !== undefined) replace(err, 'stack', stack, changes);
    const facts = requestFacts(err, r);
    if (facts !== undefined) {
      changes.method = field(facts.method, true);
      if (facts.url !== undefined) changes.url = field(facts.url, true);
    }
    changes[REDACTION] = field(r, false);
    changes.toJSON = field(compactToJSON, false);
    changes[INSPECT] = field(inspectAsView, false);
    Object.defineProperties(err, changes);
  } catch {
    // a frozen or exotic error: what could be changed is changed
  }
}

function inspectAsView(this: ErrorLike): unknown {
  return errorView(this, redactionOf(this));
}
