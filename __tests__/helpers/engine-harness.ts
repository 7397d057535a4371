/**
 * A harness for engine-level tests: an adapter the test controls (it behaves
 * like axios's own: statuses go through validateStatus, an aborted signal
 * rejects with CanceledError), and small promise helpers for a FakeClock.
 */
import { AxiosError, AxiosHeaders, CanceledError } from 'axios';
import type { AxiosAdapter, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import { ConfigError } from '../../lib/common/config-error.js';
import type { WithResilience } from '../../lib/report/errors.js';
import type { FakeClock } from './fake-clock.js';
import { flushMicrotasks } from './fake-clock.js';

/** What the adapter does with a request: answer at once with a status, fail like a network error, or hang. */
export type Answer = number | 'hang' | 'econnrefused';

/** One request that reached the adapter. */
export interface Exchange {
  readonly config: InternalAxiosRequestConfig;
  /** The URL as the caller wrote it (absolute or relative to baseURL). */
  readonly url: string;
  /** Clock time when the adapter was called. */
  readonly at: number;
  /** The request's axios `timeout` when the adapter was called. */
  readonly timeout: number | undefined;
  readonly aborted: boolean;
  respond(status: number): void;
}

/**
 * An adapter that behaves like axios's own: statuses go through
 * `validateStatus` (a 5xx rejects with an AxiosError carrying the response),
 * and a request in flight rejects with `CanceledError` when `config.signal`
 * fires. `answer` picks the behaviour for each request (default: hang).
 */
export function controllableAdapter(clock: FakeClock, answer: (url: string, index: number) => Answer) {
  const exchanges: Exchange[] = [];
  const adapter: AxiosAdapter = (config) =>
    new Promise<AxiosResponse>((resolve, reject) => {
      let done = false;
      let aborted = false;
      const signal = config.signal;
      const onAbort = (): void => {
        if (done) return;
        done = true;
        aborted = true;
        reject(new CanceledError(undefined, config));
      };
      const url = config.url ?? '';
      const exchange: Exchange = {
        config,
        url,
        at: clock.now(),
        timeout: config.timeout,
        get aborted() {
          return aborted;
        },
        respond(status) {
          if (done) throw new Error('exchange already settled');
          done = true;
          signal?.removeEventListener?.('abort', onAbort);
          settle(config, status, {}, { status }, resolve, reject);
        },
      };
      exchanges.push(exchange);
      if (signal?.aborted === true) {
        onAbort();
        return;
      }
      signal?.addEventListener?.('abort', onAbort);
      const a = answer(url, exchanges.length - 1);
      if (a === 'econnrefused') {
        done = true;
        signal?.removeEventListener?.('abort', onAbort);
        reject(new AxiosError('connect ECONNREFUSED', 'ECONNREFUSED', config, {}));
      } else if (a !== 'hang') exchange.respond(a);
    });
  return { adapter, exchanges };
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
