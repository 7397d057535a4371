/**
 * Facts about a request that a call needs once: its method, whether its body
 * can be sent again, the origin it goes to (the default breaker key, with a
 * cache for the common case of one origin), and a fresh idempotency key.
 */
import type { InternalAxiosRequestConfig } from 'axios';

/** axios's lower-case methods, upper-cased without a string operation. */
export const METHODS: Readonly<Record<string, string>> = {
  get: 'GET', post: 'POST', put: 'PUT', delete: 'DELETE', head: 'HEAD', options: 'OPTIONS', patch: 'PATCH', trace: 'TRACE',
};

/** The upper-case method of a request (GET when none). */
export function methodOf(config: InternalAxiosRequestConfig): string {
  const m = config.method ?? 'get';
  return METHODS[m] ?? String(m).toUpperCase();
}

/**
 * A body that can be sent again as it is: none, a string, bytes,
 * `URLSearchParams`, `Blob` or spec `FormData`. Streams (Node `Readable`, web
 * `ReadableStream`, the `form-data` package) and async iterables are consumed
 * by the first attempt and are never re-sent.
 */
export function isReplayableBody(data: unknown): boolean {
  if (data === undefined || data === null || typeof data !== 'object') return true;
  const d = data as { pipe?: unknown; getReader?: unknown; [Symbol.asyncIterator]?: unknown };
  return typeof d.pipe !== 'function' && typeof d.getReader !== 'function' && typeof d[Symbol.asyncIterator] !== 'function';
}

const ABSOLUTE = /^([a-z][a-z\d+\-.]*:)?\/\//i;
const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443', 'ws:': '80', 'wss:': '443' };

/** True when `url` is absolute (as axios decides it). */
export function isAbsoluteUrl(url: string): boolean {
  return ABSOLUTE.test(url);
}

/**
 * `scheme://host:port`, lower-cased, default port made explicit, userinfo
 * dropped. Relative URLs resolve against the page's origin in browsers; in
 * Node they give ''.
 */
export function originOf(url: string): string {
  const m = ABSOLUTE.exec(url);
  if (m === null) return pageOrigin();
  const scheme = m[1] === undefined ? pageProtocol() : m[1].toLowerCase();
  const schemeEnd = m[0].length - 2;
  let host = url.slice(schemeEnd + 2, authorityEnd(url, schemeEnd + 2));
  const at = host.lastIndexOf('@');
  if (at !== -1) host = host.slice(at + 1);
  host = host.toLowerCase();
  const portSep = host.lastIndexOf(':');
  const hasPort = portSep !== -1 && host.indexOf(']', portSep) === -1;
  if (!hasPort) host += `:${DEFAULT_PORTS[scheme] ?? ''}`;
  return `${scheme}//${host}`;
}

/** Index where the authority (host and port) of an absolute URL ends: the first '/', '?' or '#' after `from`. */
export function authorityEnd(url: string, from: number): number {
  for (let i = from; i < url.length; i++) {
    const c = url.charCodeAt(i);
    if (c === 47 || c === 63 || c === 35) return i;
  }
  return url.length;
}

function pageOrigin(): string {
  const loc = (globalThis as { location?: { origin?: string } }).location;
  return loc?.origin === undefined ? '' : originOf(loc.origin);
}

function pageProtocol(): string {
  return (globalThis as { location?: { protocol?: string } }).location?.protocol ?? 'http:';
}

/** A random UUID v4: `crypto.randomUUID` where present, else built from `getRandomValues`. */
export function newIdempotencyKey(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string; getRandomValues?: (a: Uint8Array) => Uint8Array } }).crypto;
  if (c?.randomUUID) return c.randomUUID();
  const b = new Uint8Array(16);
  if (c?.getRandomValues) c.getRandomValues(b);
  else for (let i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** '/x' (but not '//host'): surely relative, no regex needed. */
function isPlainPath(url: string): boolean {
  return url.charCodeAt(0) === 47 && url.charCodeAt(1) !== 47;
}

/**
 * The origin a request goes to, as axios will build its URL: its own absolute
 * URL (unless `allowAbsoluteUrls` is false), else `baseURL`'s. Remembers the
 * last base and the last absolute prefix, so the usual call pays a string
 * comparison instead of a parse.
 */
export class OriginKeyCache {
  private lastBase: unknown = undefined;
  private lastBaseOrigin = '';
  private lastAbsPrefix = '';
  private lastAbsOrigin = '';

  originOf(config: InternalAxiosRequestConfig): string {
    const url = config.url ?? '';
    if (config.allowAbsoluteUrls !== false && !isPlainPath(url)) {
      const prefix = this.lastAbsPrefix;
      const n = prefix.length;
      if (n > 0 && url.startsWith(prefix) && (url.length === n || authorityEnd(url, n) === n)) return this.lastAbsOrigin;
      if (isAbsoluteUrl(url)) {
        this.lastAbsOrigin = originOf(url);
        this.lastAbsPrefix = url.slice(0, authorityEnd(url, url.indexOf('//') + 2));
        return this.lastAbsOrigin;
      }
    }
    if (config.baseURL !== this.lastBase) {
      this.lastBase = config.baseURL;
      this.lastBaseOrigin = originOf(config.baseURL ?? '');
    }
    return this.lastBaseOrigin;
  }
}
