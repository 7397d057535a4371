/**
 * Redaction of secrets from what reaches logs: user and password inside URLs,
 * secret query parameters (in URLs and in free text such as error messages and
 * stacks), secret header values, and log-safe summaries of request configs.
 * Every function returns a copy and never touches what a request actually uses.
 */
import { REDACTED } from './redaction.js';
import type { Redaction } from './redaction.js';

export { REDACTED, SENSITIVE_HEADERS, SENSITIVE_QUERY, DEFAULT_REDACTION, resolveRedaction } from './redaction.js';
export type { Redaction } from './redaction.js';

/** A host with an optional numeric port: what an authority without userinfo looks like. */
const HOST_PORT = /^(?:\[[0-9a-f:.]*\]|[^\s:@[\]]*)(?::\d*)?$/i;
const AUTHORITY_END = '/?#\\';
/** Where a URL ends inside free text. */
const TEXT_END = ' \t\r\n"\'<>`';

/**
 * `https://user:secret@host/p?access_token=t` -> `https://[REDACTED]@host/p?access_token=[REDACTED]`:
 * the userinfo (user and password) of the URL and of any URL nested in it,
 * and the values of the query and fragment parameters named in `redaction.query`
 * (any case, percent-decoded), are replaced. Non-strings are returned as they are.
 */
export function redactUrl(url: string, redaction: Redaction): string;
export function redactUrl(url: unknown, redaction: Redaction): unknown;
export function redactUrl(url: unknown, redaction: Redaction): unknown {
  if (typeof url !== 'string' || (!url.includes('@') && !url.includes('='))) return url;
  return redactParams(redactUserinfo(url, false), redaction.query, false);
}

/**
 * Redacts every URL inside free text (an error message, a stack, a Node
 * error's `input`): userinfo after any `scheme://`, and secret parameters
 * after any `?`, `&` or `#`. A URL ends at whitespace or a quote.
 */
export function redactText(text: string, redaction: Redaction): string {
  if (!text.includes('@') && !text.includes('=')) return text;
  return redactParams(redactUserinfo(text, true), redaction.query, true);
}

function endOf(s: string, from: number, stops: string): number {
  let i = from;
  while (i < s.length && !stops.includes(s.charAt(i))) i++;
  return i;
}

/**
 * The userinfo ends at the last `@` of the authority. When the authority is
 * not a host (an unparseable URL such as `http://u:p#ss@host`, whose password
 * holds a delimiter), everything up to the URL's last `@` is taken as userinfo.
 */
function redactUserinfo(s: string, text: boolean): string {
  let out = '';
  let last = 0;
  let next = s.startsWith('//') ? 0 : s.indexOf('://');
  while (next !== -1) {
    const start = next + (s.startsWith('://', next) ? 3 : 2);
    const tokenEnd = text ? endOf(s, start, TEXT_END) : s.length;
    const end = Math.min(endOf(s, start, AUTHORITY_END), tokenEnd);
    let at = s.lastIndexOf('@', end - 1);
    if (at < start && !HOST_PORT.test(s.slice(start, end))) at = s.lastIndexOf('@', tokenEnd - 1);
    if (at > start) {
      out += s.slice(last, start) + REDACTED;
      last = at;
    }
    next = s.indexOf('://', Math.max(start, at));
  }
  return last === 0 ? s : out + s.slice(last);
}

function paramName(raw: string): string {
  if (!raw.includes('%') && !raw.includes('+')) return raw.toLowerCase();
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' ')).toLowerCase();
  } catch {
    return raw.toLowerCase();
  }
}

function redactParams(s: string, names: ReadonlySet<string>, text: boolean): string {
  const nameStops = text ? `=&#?${TEXT_END}` : '=&#?';
  const valueStops = text ? `&#${TEXT_END}` : '&#';
  let out = '';
  let last = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charAt(i);
    if (c !== '?' && c !== '&' && c !== '#') continue;
    const eq = endOf(s, i + 1, nameStops);
    if (s.charAt(eq) !== '=' || !names.has(paramName(s.slice(i + 1, eq)))) continue;
    const end = endOf(s, eq + 1, valueStops);
    if (end === eq + 1) continue;
    out += s.slice(last, eq + 1) + REDACTED;
    last = end;
    i = end - 1;
  }
  return last === 0 ? s : out + s.slice(last);
}

type HeaderBag = Record<string, unknown>;

/** A non-null object. */
export function isObject(value: unknown): value is HeaderBag {
  return value !== null && typeof value === 'object';
}

/**
 * A plain-object copy of `headers` (an object, or axios's `AxiosHeaders`,
 * including method buckets such as `common`) with the values of the headers
 * named in `redaction.headers` replaced.
 */
export function redactHeaders(headers: unknown, redaction: Redaction): unknown {
  if (!isObject(headers)) return headers;
  const plain = typeof headers.toJSON === 'function' ? (headers.toJSON as () => HeaderBag)() : headers;
  const out: HeaderBag = {};
  for (const key of Object.keys(plain)) {
    const value = plain[key];
    if (redaction.headers.has(key.toLowerCase())) out[key] = REDACTED;
    else if (isObject(value) && !Array.isArray(value)) out[key] = redactHeaders(value, redaction);
    else out[key] = value;
  }
  return out;
}

/** `params` (a plain object or `URLSearchParams`) as a plain object with secret parameters redacted. */
export function redactParamsObject(params: unknown, redaction: Redaction): unknown {
  if (!isObject(params)) return params;
  const entries = params instanceof URLSearchParams ? [...params.entries()] : Object.entries(params);
  const out: HeaderBag = {};
  for (const [key, value] of entries) out[key] = redaction.query.has(key.toLowerCase()) ? REDACTED : value;
  return out;
}

const DROPPED_CONFIG_KEYS = new Set(['data', 'httpAgent', 'httpsAgent', 'signal', 'cancelToken', 'adapter', 'resilience', 'env']);

/**
 * A shallow, log-safe summary of an axios request config: URLs, headers,
 * `params`, `auth` and `proxy.auth` passwords redacted; the body, functions,
 * agents and signals left out.
 */
export function redactConfig(config: unknown, redaction: Redaction): Record<string, unknown> | undefined {
  if (!isObject(config)) return undefined;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(config)) {
    const value = config[key];
    if (DROPPED_CONFIG_KEYS.has(key) || key.startsWith('__') || typeof value === 'function') continue;
    out[key] = value;
  }
  out.headers = redactHeaders(config.headers, redaction);
  out.url = redactUrl(config.url, redaction);
  if (config.baseURL !== undefined) out.baseURL = redactUrl(config.baseURL, redaction);
  if (config.params !== undefined) out.params = redactParamsObject(config.params, redaction);
  if (isObject(config.auth)) out.auth = { ...config.auth, password: REDACTED };
  const proxy = config.proxy;
  if (isObject(proxy) && isObject(proxy.auth)) out.proxy = { ...proxy, auth: { ...proxy.auth, password: REDACTED } };
  return out;
}
