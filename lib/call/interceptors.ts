/**
 * Thin glue between axios and the call runner. Our request interceptor must run
 * before the user's (it sees the request as the caller made it) and our
 * response interceptor before theirs (they see only the final outcome), even
 * for interceptors added later or already on a wrapped instance. So each of
 * the instance's interceptor managers is wrapped: `use`/`eject`/`clear` go to
 * the user's manager untouched (ids stay valid) and `forEach` yields ours at
 * the right end.
 */
import { Axios } from 'axios';
import { tagError } from './call.js';
import type { AxiosInstance, AxiosRequestConfig, AxiosResponse, InternalAxiosRequestConfig } from 'axios';

interface Handler {
  fulfilled: ((value: never) => unknown) | undefined;
  rejected: ((error: unknown) => unknown) | undefined;
  synchronous: boolean;
  runWhen: null;
}

/** The parts of axios's InterceptorManager we rely on (stable across axios 1.x). */
interface AnyManager {
  use(...args: unknown[]): number;
  eject(id: number): void;
  clear(): void;
  forEach(fn: (h: Handler) => void): void;
  handlers?: unknown;
}

type Guard = (h: Handler) => Handler;

/** An interceptor manager that always yields `own` first or last, around the user's (optionally guarded). */
class PinnedManager {
  private readonly guarded = new WeakMap<Handler, Handler>();

  constructor(
    readonly inner: AnyManager,
    private readonly own: Handler,
    private readonly ownFirst: () => boolean,
    private readonly guard?: Guard,
  ) {}

  use(...args: unknown[]): number {
    return this.inner.use(...args);
  }

  eject(id: number): void {
    this.inner.eject(id);
  }

  clear(): void {
    this.inner.clear();
  }

  get handlers(): unknown {
    return this.inner.handlers;
  }

  set handlers(value: unknown) {
    this.inner.handlers = value;
  }

  forEach(fn: (h: Handler) => void): void {
    const first = this.ownFirst();
    if (first) fn(this.own);
    const guard = this.guard;
    const handlers = this.inner.handlers;
    if (Array.isArray(handlers) && handlers.length === 0) {
      // No user interceptors: nothing to walk (the common case, on every request).
    } else if (guard === undefined) this.inner.forEach(fn);
    else {
      this.inner.forEach((h) => {
        let g = this.guarded.get(h);
        if (g === undefined) this.guarded.set(h, (g = guard(h)));
        fn(g);
      });
    }
    if (!first) fn(this.own);
  }
}

/**
 * Wraps a user's request interceptor so that what it throws or rejects with is
 * tagged with the request's config: axios passes such errors on without one,
 * and the runner must still find (and end) the call they belong to.
 */
function guardWith(tag: (err: unknown, config: unknown) => void): Guard {
  return (h) => {
    const f = h.fulfilled as ((config: unknown) => unknown) | undefined;
    if (f === undefined) return h;
    const fulfilled = (config: unknown): unknown => {
      try {
        const out = f(config);
        if (out !== null && typeof out === 'object' && typeof (out as PromiseLike<unknown>).then === 'function') {
          return Promise.resolve(out).catch((err: unknown) => {
            tag(err, config);
            throw err;
          });
        }
        return out;
      } catch (err) {
        tag(err, config);
        throw err;
      }
    };
    return { ...h, fulfilled: fulfilled };
  };
}

export interface Hooks {
  readonly onRequest: (config: InternalAxiosRequestConfig) => InternalAxiosRequestConfig;
  readonly onResponse: (response: AxiosResponse) => AxiosResponse | Promise<AxiosResponse>;
  readonly onError: (error: unknown) => AxiosResponse | Promise<AxiosResponse>;
}

export interface Installed {
  /** Sends one attempt: request interceptors (ours, then the user's) and the adapter, no response interceptors. */
  dispatch(config: InternalAxiosRequestConfig): Promise<AxiosResponse>;
  /** Puts the instance's own managers back. */
  uninstall(): void;
}

/** Installs `hooks` on `instance` (see the module comment). */
export function install(instance: AxiosInstance, hooks: Hooks): Installed {
  const managers = instance.interceptors as unknown as { request: AnyManager; response: AnyManager };
  const original = { request: managers.request, response: managers.response };
  // axios runs request interceptors in reverse order of registration unless
  // `transitional.legacyInterceptorReqResOrdering` is false (then in order).
  const requestOrderIsReversed = (): boolean =>
    (instance.defaults.transitional as { legacyInterceptorReqResOrdering?: boolean } | undefined)?.legacyInterceptorReqResOrdering !== false;
  const request = new PinnedManager(
    original.request,
    { fulfilled: hooks.onRequest as Handler['fulfilled'], rejected: undefined, synchronous: true, runWhen: null },
    () => !requestOrderIsReversed(),
    guardWith(tagError),
  );
  const response = new PinnedManager(
    original.response,
    { fulfilled: hooks.onResponse as Handler['fulfilled'], rejected: hooks.onError, synchronous: false, runWhen: null },
    () => true,
  );
  managers.request = request;
  managers.response = response;

  // A second dispatcher over the same defaults and request interceptors, with
  // no response interceptors: retries go through it.
  const inner = new Axios(instance.defaults as AxiosRequestConfig);
  (inner.interceptors as unknown as { request: unknown }).request = request;

  return {
    dispatch: (config) => inner.request(config),
    uninstall: () => {
      if (managers.request === (request as unknown)) managers.request = original.request;
      if (managers.response === (response as unknown)) managers.response = original.response;
    },
  };
}
