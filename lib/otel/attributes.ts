/**
 * The OpenTelemetry HTTP client semantic conventions, as pure functions of
 * what a call and its attempts report: where the call goes (`url.full`
 * redacted, `server.address`, `server.port`, the method) and what an attempt's
 * end means (`error.type`, and whether the span is an error).
 *
 * @see https://opentelemetry.io/docs/specs/semconv/http/http-spans/#http-client-span
 */
import type { AttemptEndEvent } from '../index.js';
import { knownMethod } from '../telemetry/labels.js';

/** Where a call goes, as span and metric attributes (computed once per call). */
export interface Target {
  /** `http.request.method`: a known method, else `_OTHER`. */
  readonly method: string;
  /** `http.request.method_original`, set only when `method` is `_OTHER`. */
  readonly methodOriginal: string | undefined;
  /** The span name: the method, or `HTTP` for an unknown one. */
  readonly spanName: string;
  /** `url.full`, credentials and secret query values redacted; undefined when the URL does not parse. */
  readonly urlFull: string | undefined;
  readonly address: string | undefined;
  readonly port: number | undefined;
}

/** What replaces a secret in `url.full` (the conventions' own word, not the core's `[REDACTED]`). */
const REDACTED = 'REDACTED';

/**
 * Query parameters the conventions name as secrets (matched in any case here,
 * on top of the client's `redactQuery` list, which already holds most of them).
 */
const CONVENTION_SECRETS: ReadonlySet<string> = new Set(['awsaccesskeyid', 'signature', 'sig', 'x-amz-signature', 'x-amz-credential', 'x-amz-security-token', 'x-goog-signature']);

const DEFAULT_PORTS: Readonly<Record<string, number>> = { 'http:': 80, 'https:': 443 };
/** An absolute URL: scheme, authority, path, query, fragment (parsed by hand: `new URL` costs more than a call). */
const PARTS = /^([a-z][a-z\d+\-.]*:)\/\/([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/i;
/** An authority's host (an IPv6 literal in brackets, or a name) and port. */
const HOST_PORT = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/;
/** What axios takes for an absolute URL (`isAbsoluteURL`). */
const ABSOLUTE = /^([a-z][a-z\d+\-.]*:)?\/\//i;

function paramName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' ')).toLowerCase();
  } catch {
    return raw.toLowerCase();
  }
}

/** `?a=1&access_token=t` -> `?a=1&access_token=REDACTED` (also for a `#` fragment); the names are kept. */
function redactParams(part: string, secrets: ReadonlySet<string>): string {
  if (part.length <= 1 || !part.includes('=')) return part;
  const pairs = part.slice(1).split('&');
  for (let i = 0; i < pairs.length; i++) {
    const eq = pairs[i].indexOf('=');
    if (eq <= 0) continue;
    const name = paramName(pairs[i].slice(0, eq));
    if (secrets.has(name) || CONVENTION_SECRETS.has(name)) pairs[i] = `${pairs[i].slice(0, eq + 1)}${REDACTED}`;
  }
  return part.charAt(0) + pairs.join('&');
}

/** The parts of a request config that make its URL. */
export interface UrlConfig {
  readonly url?: string | undefined;
  readonly baseURL?: string | undefined;
  readonly params?: unknown;
  readonly allowAbsoluteUrls?: boolean | undefined;
}

/**
 * The URL a request goes to, as axios builds it (`buildFullPath`): `baseURL`
 * and `url` joined unless `url` is absolute. With `params`, `getUri` (axios's
 * own serialiser, and slower) builds it.
 */
export function fullUrlOf(config: UrlConfig, getUri: () => string): string {
  if (config.params !== undefined && config.params !== null) return getUri();
  const url = config.url ?? '';
  const base = config.baseURL;
  if (base === undefined || base === '' || (ABSOLUTE.test(url) && config.allowAbsoluteUrls !== false)) return url;
  if (url === '') return base;
  let end = base.length;
  while (end > 0 && base.charCodeAt(end - 1) === 47) end--;
  return `${base.slice(0, end)}/${url.replace(/^\/+/, '')}`;
}

/**
 * The attributes of a call to `fullUrl` with `method` (upper case).
 * `secrets`: lower-case query parameter names whose values are redacted (the
 * client's `settings.redaction.query`). `base` resolves a relative URL (a
 * browser page's address); without it such a URL gives no `url.full` nor server.
 */
export function targetOf(method: string, fullUrl: string, secrets: ReadonlySet<string>, base?: string): Target {
  const known = knownMethod(method);
  const methodOriginal = known === method ? undefined : method;
  const spanName = known === '_OTHER' ? 'HTTP' : known;
  let m = PARTS.exec(fullUrl);
  if (m === null && base !== undefined) {
    try {
      m = PARTS.exec(new URL(fullUrl, base).href);
    } catch {
      // not a URL even against the page: no url.full
    }
  }
  if (m === null) return { method: known, methodOriginal, spanName, urlFull: undefined, address: undefined, port: undefined };
  const [, scheme, authority, path, query = '', fragment = ''] = m;
  const at = authority.lastIndexOf('@');
  const hostPort = at === -1 ? authority : authority.slice(at + 1);
  const hp = HOST_PORT.exec(hostPort);
  const host = hp === null ? hostPort : hp[1];
  const address = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const port = hp?.[2] !== undefined && hp[2] !== '' ? Number(hp[2]) : DEFAULT_PORTS[scheme.toLowerCase()];
  const urlFull = `${scheme}//${at === -1 ? '' : `${REDACTED}:${REDACTED}@`}${hostPort}${path}${redactParams(query, secrets)}${redactParams(fragment, secrets)}`;
  return { method: known, methodOriginal, spanName, urlFull, address: address === '' ? undefined : address, port };
}

/**
 * `error.type` for an attempt's end, or undefined when the attempt did not
 * fail: the status (as a string) for 4xx and 5xx, else the error code
 * (`ECONNRESET`, `ETIMEDOUT` for an attempt cut by `attemptMs`,
 * `ERR_DEADLINE_EXCEEDED` for one cut by the call's deadline), `_OTHER` when
 * there is none. An attempt cancelled by the caller or by `dispose()`
 * (`ERR_CANCELED`) is no error: the conventions leave its status unset.
 */
export function errorTypeOf(e: Pick<AttemptEndEvent, 'outcome' | 'status' | 'code'>): string | undefined {
  if (e.outcome === 'aborted') return e.code === 'ERR_CANCELED' ? undefined : (e.code ?? '_OTHER');
  if (e.status !== undefined && e.status >= 400) return String(e.status);
  if (e.code !== undefined) return e.code;
  return e.outcome === 'error' ? '_OTHER' : undefined;
}
