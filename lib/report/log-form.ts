/**
 * The form in which an error is logged: which fields (never `config`,
 * `request`, `response` nor a body), the request's method and redacted URL,
 * the redacted, bounded stack, and the compact `toJSON` built from them.
 * Shared by `protectError` (the rejection itself), `errorView` (event
 * payloads) and our error classes.
 */
import { Axios, isAxiosError } from 'axios';
import type { AxiosRequestConfig } from 'axios';
import { compactStack } from './compact-stack.js';
import { isObject, redactText, redactUrl } from './redact.js';
import { DEFAULT_REDACTION } from './redaction.js';
import type { Redaction } from './redaction.js';

/** An error, or what pino logs as one. */
export type ErrorLike = Error & Record<PropertyKey, unknown>;

/** Own properties too heavy or too secret for a log: hidden on rejections, absent from views and JSON. */
export const HEAVY: ReadonlySet<PropertyKey> = new Set(['config', 'request', 'response']);
/** Where a protected error or a view keeps the {@link Redaction} it was made with. */
export const REDACTION = Symbol('resilient-axios.redaction');
/** How deep cause chains (and errors held in properties) are followed. */
export const MAX_DEPTH = 4;
/** Longest `url` written into a log line (after redaction). */
const MAX_URL_CHARS = 300;
/** Stack budgets: the rejection's own, and each error in its cause chain; they keep a pino line under 1.5 kB. */
const STACK_CHARS = 640;
const CAUSE_STACK_CHARS = 240;

/** Pino's test: what has a string `message` is logged as an error. */
export function isErrorLike(value: unknown): value is ErrorLike {
  return value !== null && typeof value === 'object' && typeof (value as { message?: unknown }).message === 'string';
}

/** A writable, configurable data property's descriptor. */
export function field(value: unknown, enumerable: boolean): PropertyDescriptor {
  return { value, enumerable, writable: true, configurable: true };
}

/** Defines a writable, configurable data property. */
export function define(obj: object, key: PropertyKey, value: unknown, enumerable: boolean): void {
  Object.defineProperty(obj, key, field(value, enumerable));
}

/**
 * Adds to `into` what makes `config`, `request` and `response` non-enumerable
 * on `err`, values unchanged: no sink that walks enumerable properties dumps them.
 */
export function hideRequestData(err: object, into: PropertyDescriptorMap): void {
  for (const key of HEAVY) {
    const d = Object.getOwnPropertyDescriptor(err, key);
    if (d?.enumerable === true && d.configurable === true) into[key as string] = { ...d, enumerable: false };
  }
}

/** The redaction `err` was protected or viewed with, else the default one. */
export function redactionOf(err: unknown): Redaction {
  return (err as { [REDACTION]?: Redaction })[REDACTION] ?? DEFAULT_REDACTION;
}

/** `err.stack` redacted and bounded (tighter for a cause, `depth` > 0); undefined when it has none. */
export function stackOf(err: ErrorLike, r: Redaction, depth: number): string | undefined {
  const stack = err.stack;
  if (typeof stack !== 'string') return undefined;
  return compactStack(redactText(stack, r), depth === 0 ? STACK_CHARS : CAUSE_STACK_CHARS, isErrorLike(err.cause));
}

/** Builds URLs as axios does, without merging the global defaults (which costs ~15x more). */
let uriBuilder: { getUri(config: AxiosRequestConfig): string } | undefined;

/**
 * The last URL built without `params`, and what it was built from: failures
 * come in runs against one endpoint, and even axios's `getUri` costs a
 * config merge (~5 µs).
 */
const lastUri = { baseURL: undefined as unknown, url: undefined as unknown, allowAbsoluteUrls: undefined as unknown, uri: undefined as string | undefined };

/** What axios's `getUri` returns for these pieces (throws what it throws). */
function axiosUri(baseURL: unknown, url: unknown, params: unknown, paramsSerializer: unknown, allowAbsoluteUrls: unknown): string {
  const cacheable = params === undefined || params === null;
  const last = lastUri;
  if (cacheable && last.uri !== undefined && last.baseURL === baseURL && last.url === url && last.allowAbsoluteUrls === allowAbsoluteUrls) return last.uri;
  uriBuilder ??= new Axios({});
  const uri = uriBuilder.getUri({ baseURL, url, params, paramsSerializer, allowAbsoluteUrls } as AxiosRequestConfig);
  if (cacheable) Object.assign(last, { baseURL, url, allowAbsoluteUrls, uri });
  return uri;
}

/** The request's full URL (`baseURL`, `url`, `params`), redacted and bounded. */
function requestUrl(config: Record<string, unknown>, r: Redaction): string | undefined {
  let url: unknown = config.url;
  try {
    url = axiosUri(config.baseURL, url, config.params, config.paramsSerializer, config.allowAbsoluteUrls);
  } catch {
    // an unparseable URL or a throwing serializer: log the url as given
  }
  if (typeof url !== 'string') return undefined;
  const safe = redactUrl(url, r);
  return safe.length > MAX_URL_CHARS ? `${safe.slice(0, MAX_URL_CHARS - 1)}…` : safe;
}

/** Upper-case `method` and redacted `url` of the request an AxiosError came from; undefined for other errors. */
export function requestFacts(err: ErrorLike, r: Redaction): { method: string; url: string | undefined } | undefined {
  const config = err.config;
  if (!isAxiosError(err) || !isObject(config)) return undefined;
  const method = typeof config.method === 'string' ? config.method.toUpperCase() : 'GET';
  return { method, url: requestUrl(config, r) };
}

/** A field as logged: strings redacted, errors through `nested` (up to {@link MAX_DEPTH}), the rest as it is. */
export function safeValue(value: unknown, r: Redaction, depth: number, nested: (e: ErrorLike) => unknown): unknown {
  if (typeof value === 'string') return redactText(value, r);
  if (isErrorLike(value)) return depth < MAX_DEPTH ? nested(value) : undefined;
  return value;
}

/** A cause as logged: errors in the same safe form, primitives as they are, other objects left out. */
export function safeCause(cause: unknown, r: Redaction, depth: number, nested: (e: ErrorLike) => unknown): unknown {
  return isObject(cause) && !isErrorLike(cause) ? undefined : safeValue(cause, r, depth, nested);
}

/**
 * The compact log form of an error: `name`, `message`, its enumerable fields
 * (`code`, `status`, `method`, `url`, `resilience`, ...) but never `config`,
 * `request`, `response` nor a body, the bounded `stack`, and `cause` in the same form.
 */
function compactJSON(err: ErrorLike, r: Redaction, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = { name: err.name, message: redactText(String(err.message), r) };
  const nested = (e: ErrorLike): unknown => compactJSON(e, r, depth + 1);
  for (const key of Object.keys(err)) {
    if (!HEAVY.has(key) && typeof err[key] !== 'function') out[key] = safeValue(err[key], r, depth, nested);
  }
  if (isAxiosError(err) && !('url' in out)) Object.assign(out, requestFacts(err, r));
  out.stack = stackOf(err, r, depth);
  if (err.cause !== undefined && !('cause' in out)) out.cause = safeCause(err.cause, r, depth, nested);
  return out;
}

/** `toJSON` of protected errors, views and our error classes: the compact log form. */
export function compactToJSON(this: ErrorLike): Record<string, unknown> {
  return compactJSON(this, redactionOf(this), 0);
}
