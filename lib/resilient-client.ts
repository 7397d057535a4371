/**
 * `ResilientClient`: owns (or wraps) an axios instance, installs the engine's
 * interceptors, and exposes axios's methods, events, stats and breakers.
 * Holds no logic of its own beyond wiring.
 */
import axios from 'axios';
import type { AxiosInstance, AxiosRequestConfig, AxiosResponse, CreateAxiosDefaults, GenericFormData } from 'axios';
import type { BreakerStats, CircuitState } from './breaker/circuit-breaker.js';
import { systemClock } from './time/clock.js';
import type { Clock, RandomSource } from './time/clock.js';
import { ConfigError } from './common/config-error.js';
import { Engine } from './call/runner.js';
import type { CallCounters } from './call/runner.js';
import { SafeEmitter } from './report/events.js';
import { install } from './call/interceptors.js';
import type { Installed } from './call/interceptors.js';
import { resolveConfigure, resolveOptions, splitClientConfig } from './options.js';
import type { ResilienceOptions, ResolvedOptions } from './options.js';
import { isAbsoluteUrl, originOf } from './call/request-facts.js';

/** Everything `new ResilientClient()` accepts: axios instance defaults plus the resilience fields. */
export interface ResilientClientConfig extends CreateAxiosDefaults, ResilienceOptions {
  /** Wrap this existing instance instead of creating one (its interceptors keep working). */
  axios?: AxiosInstance;
  /** Time source, for deterministic tests. @default the system clock */
  clock?: Clock;
  /** Uniform [0, 1) random source for jitter. @default Math.random */
  random?: RandomSource;
}

/** One breaker, as `circuit()` shows it. */
export interface CircuitView {
  readonly key: string;
  readonly state: CircuitState;
  readonly stats: BreakerStats;
  /** Closes the breaker and forgets its failures. */
  reset(): void;
}

/** What `stats()` returns. */
export interface ClientStats extends Readonly<CallCounters> {
  /** Attempts in flight now. */
  readonly inFlight: number;
  /** Retry budget counters over its window, when it is on. */
  readonly retryBudget: { readonly calls: number; readonly retries: number; readonly refused: number } | undefined;
  /** Every breaker, least recently used first. */
  readonly breakers: ReadonlyArray<BreakerStats & { readonly key: string }>;
  /** Bulkhead slots and queue, when `concurrency` is on. */
  readonly bulkhead: { readonly active: number; readonly queued: number; readonly rejected: number; readonly max: number; readonly queue: number } | undefined;
  /** Keys tracked and attempts refused, when `adaptiveThrottle` is on. */
  readonly throttle: { readonly keys: number; readonly rejected: number } | undefined;
}

function checkClock(value: unknown): Clock {
  const c = value as Partial<Clock> | null;
  if (c === null || typeof c !== 'object' || typeof c.now !== 'function' || typeof c.sleep !== 'function') {
    throw new ConfigError('clock', value, 'an object with now() and sleep(ms, signal)');
  }
  return c as Clock;
}

function checkInstance(value: unknown, otherFields: Record<string, unknown>): AxiosInstance {
  const i = value as Partial<AxiosInstance> | null;
  const ok = typeof value === 'function' && i !== null && typeof i.request === 'function' && i.interceptors !== undefined && i.defaults !== undefined;
  if (!ok) {
    throw new ConfigError('axios', value, 'an axios instance');
  }
  const [field] = Object.keys(otherFields);
  if (field !== undefined) {
    throw new ConfigError(field, otherFields[field], 'left out when an instance is passed as `axios` (configure that instance instead)');
  }
  return i as AxiosInstance;
}

/**
 * An axios client that retries with jittered backoff, keeps every call within
 * its time budget, and stops calling a failing backend through circuit
 * breakers, reporting everything through typed events.
 *
 * @example
 * const payments = new ResilientClient({ baseURL: 'https://payments.internal', retry: { maxAttempts: 4 } });
 * payments.on('retry', (e) => log.warn(e, 'payments retry'));
 * const { data } = await payments.get('/charges/42');
 * @throws {ConfigError} for any invalid option.
 */
export class ResilientClient extends SafeEmitter {
  /** The underlying axios instance: add interceptors here. */
  readonly axios: AxiosInstance;
  private readonly engine: Engine;
  private readonly clock: Clock;
  private readonly installed: Installed;

  constructor(config: ResilientClientConfig = {}) {
    super();
    const { axios: axiosFields, resilience } = splitClientConfig(config as Record<string, unknown>);
    const options = resolveOptions(resilience);
    this.clock = resilience.clock === undefined ? systemClock : checkClock(resilience.clock);
    const random = resilience.random === undefined ? Math.random : (resilience.random as RandomSource);
    if (typeof random !== 'function') throw new ConfigError('random', random, 'a function returning a number in [0, 1)');
    const wrapped = resilience.axios !== undefined;
    this.axios = wrapped ? checkInstance(resilience.axios, axiosFields as Record<string, unknown>) : axios.create(axiosFields as CreateAxiosDefaults);
    const defaultTimeout = this.axios.defaults.timeout;
    const timeoutGiven = wrapped ? typeof defaultTimeout === 'number' && defaultTimeout > 0 : config.timeout !== undefined;
    this.engine = new Engine(
      {
        clock: this.clock,
        random,
        timeoutGiven,
        sink: { listening: (e) => this.listening(e), fire: (e, p) => this.fire(e, p) },
        dispatch: (c) => this.installed.dispatch(c),
      },
      options,
    );
    this.installed = install(this.axios, this.engine);
  }

  /** Same as axios `request`. */
  request<T = unknown, R = AxiosResponse<T>, D = unknown>(config: AxiosRequestConfig<D>): Promise<R> {
    return this.axios.request<T, R, D>(config) as Promise<R>;
  }

  /** Same as axios `get`. */
  get<T = unknown, R = AxiosResponse<T>, D = unknown>(url: string, config?: AxiosRequestConfig<D>): Promise<R> {
    return this.axios.get<T, R, D>(url, config) as Promise<R>;
  }

  /** Same as axios `delete`. */
  delete<T = unknown, R = AxiosResponse<T>, D = unknown>(url: string, config?: AxiosRequestConfig<D>): Promise<R> {
    return this.axios.delete<T, R, D>(url, config) as Promise<R>;
  }

  /** Same as axios `head`. */
  head<T = unknown, R = AxiosResponse<T>, D = unknown>(url: string, config?: AxiosRequestConfig<D>): Promise<R> {
    return this.axios.head<T, R, D>(url, config) as Promise<R>;
  }

  /** Same as axios `options`. */
  options<T = unknown, R = AxiosResponse<T>, D = unknown>(url: string, config?: AxiosRequestConfig<D>): Promise<R> {
    return this.axios.options<T, R, D>(url, config) as Promise<R>;
  }

  /** Same as axios `post`. Retried only with an idempotency key (see `retry.idempotencyKey`). */
  post<T = unknown, R = AxiosResponse<T>, D = unknown>(url: string, data?: D, config?: AxiosRequestConfig<D>): Promise<R> {
    return this.axios.post<T, R, D>(url, data, config) as Promise<R>;
  }

  /** Same as axios `put`. */
  put<T = unknown, R = AxiosResponse<T>, D = unknown>(url: string, data?: D, config?: AxiosRequestConfig<D>): Promise<R> {
    return this.axios.put<T, R, D>(url, data, config) as Promise<R>;
  }

  /** Same as axios `patch`. Retried only with an idempotency key. */
  patch<T = unknown, R = AxiosResponse<T>, D = unknown>(url: string, data?: D, config?: AxiosRequestConfig<D>): Promise<R> {
    return this.axios.patch<T, R, D>(url, data, config) as Promise<R>;
  }

  /** Same as axios `postForm`. */
  postForm<T = unknown, R = AxiosResponse<T>, D = unknown>(url: string, data?: D | GenericFormData, config?: AxiosRequestConfig<D>): Promise<R> {
    return this.axios.postForm<T, R, D>(url, data as D, config) as Promise<R>;
  }

  /** Same as axios `putForm`. */
  putForm<T = unknown, R = AxiosResponse<T>, D = unknown>(url: string, data?: D | GenericFormData, config?: AxiosRequestConfig<D>): Promise<R> {
    return this.axios.putForm<T, R, D>(url, data as D, config) as Promise<R>;
  }

  /** Same as axios `patchForm`. */
  patchForm<T = unknown, R = AxiosResponse<T>, D = unknown>(url: string, data?: D | GenericFormData, config?: AxiosRequestConfig<D>): Promise<R> {
    return this.axios.patchForm<T, R, D>(url, data as D, config) as Promise<R>;
  }

  /** Same as axios `getUri`. */
  getUri(config?: AxiosRequestConfig): string {
    return this.axios.getUri(config);
  }

  /** The resilience settings in force (resolved, frozen). */
  get settings(): ResolvedOptions {
    return this.engine.options;
  }

  /**
   * Changes resilience settings at run time, validated like the constructor's.
   * Calls already in flight keep the settings they started with.
   * @throws {ConfigError} leaving the settings unchanged.
   */
  configure(partial: ResilienceOptions): void {
    this.engine.apply(resolveConfigure(partial, this.engine.options));
  }

  /** Counters since the client was made, and every breaker's state. */
  stats(): ClientStats {
    return {
      ...this.engine.counters,
      inFlight: this.engine.inFlight(),
      retryBudget: this.engine.budgetStats(),
      breakers: this.engine.breakers().map((b) => ({ key: b.key, ...b.stats() })),
      ...this.engine.overloadStats(),
    };
  }

  /**
   * One breaker: by key (with per-origin keys, any absolute URL of that
   * origin works), or (no key) the client-wide breaker, or the breaker of
   * `baseURL`'s origin. Undefined when breakers are off, or for a key no call
   * has used yet (the default key is created on demand).
   */
  circuit(key?: string): CircuitView | undefined {
    const breaker = key === undefined ? this.engine.breaker(this.defaultBreakerKey()) : this.engine.peekBreaker(this.normaliseKey(key));
    if (breaker === undefined) return undefined;
    return {
      key: breaker.key,
      get state() {
        return breaker.state;
      },
      get stats() {
        return breaker.stats();
      },
      reset: () => breaker.reset(),
    };
  }

  private normaliseKey(key: string): string {
    return this.engine.options.breaker?.key === 'origin' && isAbsoluteUrl(key) ? originOf(key) : key;
  }

  private defaultBreakerKey(): string {
    const key = this.engine.options.breaker?.key;
    if (key === 'client') return 'client';
    if (typeof key === 'function') throw new ConfigError('key', undefined, 'given when circuitBreaker.key is a function');
    const base = this.axios.defaults.baseURL ?? '';
    return originOf(isAbsoluteUrl(base) ? base : '');
  }

  /**
   * Stops every timer the client holds: attempts in flight are aborted and
   * pending waits reject (`CanceledError`, reason 'aborted'). The instance is
   * given back its own interceptor managers, so it behaves as plain axios after.
   */
  dispose(): void {
    this.engine.dispose();
    this.installed.uninstall();
  }
}
