/**
 * A harness for engine-level tests: an adapter the test controls (it behaves
 * like axios's own: statuses go through validateStatus, an aborted signal
 * rejects with CanceledError), a client on a FakeClock wired to it, and small
 * promise helpers.
 */
import { AxiosError, AxiosHeaders, CanceledError } from 'axios';
import type { AxiosAdapter, AxiosResponse, GenericAbortSignal, InternalAxiosRequestConfig } from 'axios';
import { ConfigError } from '../../lib/common/config-error.js';
import type { WithResilience } from '../../lib/report/errors.js';
import type { ResilientEvents } from '../../lib/report/events.js';
import { ResilientClient } from '../../lib/resilient-client.js';
import type { ResilientClientConfig } from '../../lib/resilient-client.js';
import { FakeClock, flushMicrotasks } from './fake-clock.js';
import { recordEvents } from './record-events.js';

/**
 * What the adapter does with a request: answer at once with a status (and
 * headers), fail like a refused connection, or hang until told or aborted.
 */
export type Answer = number | { readonly status: number; readonly headers: Record<string, string> } | 'hang' | 'econnrefused';

/** One request that reached the adapter. */
export interface Exchange {
  readonly config: InternalAxiosRequestConfig;
  /** The URL as the caller wrote it (absolute or relative to baseURL). */
  readonly url: string;
  readonly signal: GenericAbortSignal | undefined;
  /** Clock time when the adapter was called. */
  readonly at: number;
  /** The request's axios `timeout` when the adapter was called. */
  readonly timeout: number | undefined;
  /** Header values as the adapter saw them. */
  readonly headers: Record<string, unknown>;
  /** The adapter settled this request (answered, failed, or saw the abort). */
  readonly done: boolean;
  /** It ended because its signal (or CancelToken) fired. */
  readonly aborted: boolean;
  /** Answers now; `data` defaults to `{ status }`. */
  respond(status: number, headers?: Record<string, string>, data?: unknown): void;
}

/**
 * An adapter that behaves like axios's own (http, xhr): statuses go through
 * `validateStatus` (a 5xx rejects with an AxiosError carrying the response); a
 * request in flight rejects with `CanceledError` when `config.signal` fires,
 * and with the token's reason when `config.cancelToken` does
 * (lib/adapters/http.js: `!reason || reason.type ? new CanceledError(null, config, req) : reason`).
 *
 * Each request is answered by `answer(url, index)` when given, else by the
 * next entry of `plan` (which the test fills), else it hangs.
 */
export function controllableAdapter(clock: FakeClock, answer?: (url: string, index: number) => Answer) {
  const exchanges: Exchange[] = [];
  const plan: Answer[] = [];
  const adapter: AxiosAdapter = (config) =>
    new Promise<AxiosResponse>((resolve, reject) => {
      const signal = config.signal;
      let done = false;
      let aborted = false;
      const onAbort = (reason?: unknown): void => {
        if (done) return;
        done = true;
        aborted = true;
        signal?.removeEventListener?.('abort', onAbort);
        config.cancelToken?.unsubscribe(onAbort);
        const typed = (reason as { type?: unknown } | undefined)?.type !== undefined;
        reject(reason === undefined || typed ? new CanceledError(undefined, config) : (reason as Error));
      };
      const finish = (): boolean => {
        if (done) return false;
        done = true;
        signal?.removeEventListener?.('abort', onAbort);
        config.cancelToken?.unsubscribe(onAbort);
        return true;
      };
      const url = config.url ?? '';
      const exchange: Exchange = {
        config,
        url,
        signal,
        at: clock.now(),
        timeout: config.timeout,
        headers: { ...(config.headers.toJSON() as Record<string, unknown>) },
        get done() {
          return done;
        },
        get aborted() {
          return aborted;
        },
        respond(status, headers = {}, data = { status }) {
          if (!finish()) throw new Error('exchange already settled');
          settle(config, status, headers, data, resolve, reject);
        },
      };
      exchanges.push(exchange);
      if (signal?.aborted === true) {
        onAbort();
        return;
      }
      config.cancelToken?.subscribe(onAbort);
      signal?.addEventListener?.('abort', onAbort);
      const a = answer !== undefined ? answer(url, exchanges.length - 1) : (plan.shift() ?? 'hang');
      if (a === 'hang') return;
      if (a === 'econnrefused') {
        if (finish()) reject(new AxiosError('connect ECONNREFUSED', 'ECONNREFUSED', config, {}));
      } else if (typeof a === 'number') exchange.respond(a);
      else exchange.respond(a.status, a.headers);
    });
  return { adapter, exchanges, plan };
}

/** The base URL of clients made by {@link fakeClockClient}. */
export const BASE = 'http://api.test';
/** Their breaker key (origin with the default port). */
export const ORIGIN = 'http://api.test:80';

/**
 * A client on a FakeClock with a {@link controllableAdapter}, `random` pinned
 * at 0.5, recording the events named in `record`. `elapsed()` is ms since it was made.
 */
export function fakeClockClient<N extends keyof ResilientEvents = never>(
  config: ResilientClientConfig = {},
  { answer, record = [] }: { answer?: (url: string, index: number) => Answer; record?: readonly N[] } = {},
) {
  const clock = new FakeClock();
  const start = clock.now();
  const { adapter, exchanges, plan } = controllableAdapter(clock, answer);
  const client = new ResilientClient({ baseURL: BASE, adapter, clock, random: () => 0.5, ...config });
  const events = recordEvents(client, ...record);
  const elapsed = (): number => clock.now() - start;
  return { clock, client, exchanges, plan, events, elapsed };
}

/** Settled state of a promise, readable synchronously. */
export function track<T>(promise: Promise<T>) {
  const t = {
    state: 'pending' as 'pending' | 'resolved' | 'rejected',
    value: undefined as T | undefined,
    error: undefined as unknown,
    done: undefined as unknown as Promise<void>,
  };
  t.done = promise.then(
    (v) => {
      t.state = 'resolved';
      t.value = v;
    },
    (e: unknown) => {
      t.state = 'rejected';
      t.error = e;
    },
  );
  return t;
}

/** Lets axios's promise chain (interceptors, adapter) run without moving the clock. */
export async function settleChain(): Promise<void> {
  await flushMicrotasks(50);
}

/** The rejection of `p`; fails the test if `p` resolves. */
export async function rejection(p: Promise<unknown>): Promise<WithResilience> {
  try {
    await p;
  } catch (err) {
    return err as WithResilience;
  }
  throw new Error('expected the call to reject, it resolved');
}

/** Runs `p` to completion, advancing the fake clock by `stepMs` while it is pending (backoff waits). */
export async function drive<T>(clock: FakeClock, p: Promise<T>, stepMs = 100): Promise<{ value?: T; error?: unknown }> {
  const t = track(p);
  for (let i = 0; i < 1_000 && t.state === 'pending'; i++) {
    await settleChain();
    if (t.state === 'pending') await clock.advance(stepMs);
  }
  await t.done;
  return t.state === 'resolved' ? { value: t.value as T } : { error: t.error };
}

/** Resolves or rejects as axios's own `settle` would: `validateStatus` decides, an error carries the response. */
export function settle(
  config: InternalAxiosRequestConfig,
  status: number,
  headers: Record<string, string>,
  data: unknown,
  resolve: (r: AxiosResponse) => void,
  reject: (e: AxiosError) => void,
): void {
  const response: AxiosResponse = { data, status, statusText: String(status), headers: new AxiosHeaders(headers), config, request: {} };
  const validate = config.validateStatus;
  if (validate === undefined || validate === null || validate(status)) resolve(response);
  else {
    const code = status >= 500 ? AxiosError.ERR_BAD_RESPONSE : AxiosError.ERR_BAD_REQUEST;
    reject(new AxiosError(`Request failed with status code ${status}`, code, config, {}, response));
  }
}

/** Runs `fn`, expecting a ConfigError; returns it for further checks. */
export function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}
