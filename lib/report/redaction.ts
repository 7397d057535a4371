/**
 * What counts as a secret: header names and URL query parameter names whose
 * values never reach a log. Resolved once from the defaults and the
 * `redactHeaders` / `redactQuery` options into a frozen {@link Redaction}.
 */
import * as v from '../common/validate.js';

/** What replaces a secret. */
export const REDACTED = '[REDACTED]';

/**
 * Headers whose values are secrets by default (lower case; matched in any
 * case); `redactHeaders` adds to them.
 */
export const SENSITIVE_HEADERS: readonly string[] = Object.freeze([
  'authorization', 'proxy-authorization', 'cookie', 'set-cookie',
  'x-api-key', 'api-key', 'x-auth-token', 'x-amz-security-token',
]);

/**
 * URL query (and fragment) parameters whose values are secrets by default
 * (lower case; matched in any case): OAuth tokens, API keys, passwords and
 * request signatures, AWS SigV4 presigned URLs included. `redactQuery` adds to them.
 */
export const SENSITIVE_QUERY: readonly string[] = Object.freeze([
  'access_token', 'refresh_token', 'id_token', 'api_key', 'apikey', 'token', 'password', 'secret',
  'client_secret', 'signature', 'sig', 'x-amz-signature', 'x-amz-credential', 'x-amz-security-token',
]);

/** The resolved redaction rules: lower-case names whose values are secrets. */
export interface Redaction {
  /** Header names, lower case. */
  readonly headers: ReadonlySet<string>;
  /** URL query and fragment parameter names, lower case (matched after percent-decoding). */
  readonly query: ReadonlySet<string>;
}

/** The rules a client has when given no `redactHeaders` / `redactQuery`. */
export const DEFAULT_REDACTION: Redaction = Object.freeze({
  headers: new Set(SENSITIVE_HEADERS),
  query: new Set(SENSITIVE_QUERY),
});

/**
 * Resolves `redactHeaders` and `redactQuery` (extra names, added to the
 * defaults) over `base`: a list left `undefined` keeps `base`'s names, so
 * `configure({ redactQuery })` keeps the headers set earlier.
 * @throws {ConfigError} naming the field, e.g. `redactHeaders[1] must be a valid HTTP header name, got "bad header"`.
 */
export function resolveRedaction(extraHeaders?: unknown, extraQuery?: unknown, base: Redaction = DEFAULT_REDACTION): Redaction {
  if (extraHeaders === undefined && extraQuery === undefined) return base;
  const headers = extraHeaders === undefined ? base.headers
    : withDefaults(SENSITIVE_HEADERS, v.arrayOf('redactHeaders', extraHeaders, v.header));
  const query = extraQuery === undefined ? base.query
    : withDefaults(SENSITIVE_QUERY, v.arrayOf('redactQuery', extraQuery, v.text));
  return Object.freeze({ headers, query });
}

function withDefaults(defaults: readonly string[], extra: readonly string[]): ReadonlySet<string> {
  return new Set([...defaults, ...extra.map((name) => name.toLowerCase())]);
}
