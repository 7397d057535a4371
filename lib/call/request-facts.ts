/**
 * Facts about a request that the engine needs once per call: whether its body
 * can be sent again, the origin it goes to (the default breaker key), and a
 * fresh idempotency key.
 */

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
