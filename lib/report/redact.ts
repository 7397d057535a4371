/**
 * Redaction of secrets from what reaches logs: header values such as
 * `Authorization`, and passwords inside URLs. Every function returns a copy and
 * never touches the config a request actually uses.
 */

/** What replaces a secret. */
export const REDACTED = '[REDACTED]';

/** Headers whose values are secrets by default (lower case); `redactHeaders` adds to them. */
export const SENSITIVE_HEADERS: readonly string[] = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie'];

const SCHEME_END = '://';

/**
 * `https://user:secret@host/p` -> `https://user:[REDACTED]@host/p`; a lone
 * userinfo (often a token, as in `https://TOKEN@host`) is redacted whole.
 */
export function redactUrl(url: string): string;
export function redactUrl(url: unknown): unknown;
export function redactUrl(url: unknown): unknown {
  if (typeof url !== 'string' || !url.includes('@')) return url;
  const start = url.indexOf(SCHEME_END);
  const from = start === -1 ? (url.startsWith('//') ? 2 : -1) : start + SCHEME_END.length;
  if (from === -1) return url;
  let end = url.length;
  for (const stop of ['/', '?', '#']) {
    const i = url.indexOf(stop, from);
    if (i !== -1 && i < end) end = i;
  }
  const at = url.lastIndexOf('@', end - 1);
  if (at < from) return url;
  const userinfo = url.slice(from, at);
  const colon = userinfo.indexOf(':');
  const safe = colon === -1 ? REDACTED : `${userinfo.slice(0, colon)}:${REDACTED}`;
  return url.slice(0, from) + safe + url.slice(at);
}

type HeaderBag = Record<string, unknown> | { toJSON(): Record<string, unknown> };

function isHeaderBag(value: unknown): value is HeaderBag {
  return value !== null && typeof value === 'object';
}

/**
 * A plain-object copy of `headers` (an object, or axios's `AxiosHeaders`,
 * including method buckets such as `common`) with sensitive values replaced.
 */
export function redactHeaders(headers: unknown, sensitive: ReadonlySet<string>): unknown {
  if (!isHeaderBag(headers)) return headers;
  const plain = typeof (headers as { toJSON?: unknown }).toJSON === 'function'
    ? (headers as { toJSON(): Record<string, unknown> }).toJSON()
    : (headers as Record<string, unknown>);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(plain)) {
    const value = plain[key];
    if (sensitive.has(key.toLowerCase())) out[key] = REDACTED;
    else if (value !== null && typeof value === 'object' && !Array.isArray(value)) out[key] = redactHeaders(value, sensitive);
    else out[key] = value;
  }
  return out;
}

const DROPPED_CONFIG_KEYS = new Set(['httpAgent', 'httpsAgent', 'signal', 'cancelToken', 'adapter', 'resilience']);

/**
 * A shallow, log-safe copy of an axios request config: headers, URL passwords,
 * `auth` and `proxy.auth` redacted; agents, signals and adapters dropped.
 */
export function redactConfig(config: unknown, sensitive: ReadonlySet<string>): Record<string, unknown> | undefined {
  if (config === null || typeof config !== 'object') return undefined;
  const src = config as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(src)) {
    if (DROPPED_CONFIG_KEYS.has(key) || key.startsWith('__')) continue;
    out[key] = src[key];
  }
  out.headers = redactHeaders(src.headers, sensitive);
  out.url = redactUrl(src.url);
  if (src.baseURL !== undefined) out.baseURL = redactUrl(src.baseURL);
  if (isHeaderBag(src.auth)) out.auth = { ...(src.auth as Record<string, unknown>), password: REDACTED };
  const proxy = src.proxy as { auth?: unknown } | undefined | false;
  if (proxy && isHeaderBag(proxy.auth)) out.proxy = { ...proxy, auth: { ...(proxy.auth as Record<string, unknown>), password: REDACTED } };
  return out;
}
