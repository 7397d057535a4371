/**
 * `ResilientClient`: owns (or wraps) an axios instance, installs the call
 * runner's interceptors, and exposes axios's methods, events, stats and
 * breakers. Holds no logic of its own beyond wiring.
 */
import axios from 'axios';
import type { AxiosInstance, AxiosRequestConfig, AxiosResponse, GenericFormData } from 'axios';
import type { BreakerStats, CircuitState } from './breaker/circuit-breaker.js';
import { splitClientConfig } from './client-config.js';
import type { ResilientClientConfig } from './client-config.js';
import { ConfigError } from './common/config-error.js';
import { install } from './call/interceptors.js';
import type { Installed } from './call/interceptors.js';
import { isAbsoluteUrl, originOf } from './call/request-facts.js';
import { CallRunner } from './call/runner.js';
import type { HedgeStats } from './call/hedge-race.js';
import type { GateStats } from './gates/gates.js';
import { resolveConfigure, resolveOptions } from './options.js';
import type { ResilienceOptions, ResolvedOptions } from './options.js';
import { SafeEmitter } from './report/safe-emitter.js';
import type { CallCounters } from './report/reporter.js';
import { systemClock } from './time/clock.js';

export type { ResilientClientConfig } from './client-config.js';

/** One breaker, as `circuit()` shows it. */
export interface CircuitView {
  /** The breaker's key: `scheme://host:port` with per-origin keys, `'client'`, or what `circuitBreaker.key` returned. */
  readonly key: string;
  /** Its state now (read without moving it). */
  readonly state: CircuitState;
  /** Its counters now (a fresh snapshot at each read). */
  readonly stats: BreakerStats;
  /** Closes the breaker and forgets its failures. */
  reset(): void;
}

/** What `stats()` returns. */
export interface ClientStats extends Readonly<CallCounters>, GateStats {
  /** Attempts in flight now. */
  readonly inFlight: number;
  /** Every breaker, least recently used first. */
  readonly breakers: ReadonlyArray<BreakerStats & {
    /** The breaker's key, as in events and `circuit(key)`. */
    readonly key: string
  }>;
  /** Hedged copies sent, calls they won, and copies not sent (by cause). All 0 while `hedge` is off. */
  readonly hedges: HedgeStats;
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
  private readonly runner: CallRunner;
  private readonly installed: Installed;

  constructor(config: ResilientClientConfig = {}) {
    super();
    const parts = splitClientConfig(config);
    const options = resolveOptions(parts.resilience);
    this.axios = parts.instance ?? axios.create(parts.axiosDefaults);
    this.runner = new CallRunner(
      {
        clock: parts.clock ?? systemClock,
        random: parts.random,
        timeoutGiven: parts.timeoutGiven,
        sink: { listening: (e) => this.listening(e), fire: (e, p) => this.fire(e, p) },
        dispatch: (c) => this.installed.dispatch(c),
      },
      options,
    );
    this.installed = install(this.axios, this.runner);
    if (parts.fleet !== undefined) this.runner.gates.attachFleet(parts.fleet);
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

  /** The resilience settings in force: the options' own keys, resolved and frozen (`false` for a feature that is off). */
  get settings(): ResolvedOptions {
    return this.runner.options;
  }

  /**
   * Changes resilience settings at run time, validated like the constructor's.
   * Calls already in flight keep the settings they started with.
   * @throws {ConfigError} leaving the settings unchanged.
   */
  configure(partial: ResilienceOptions): void {
    this.runner.configure(resolveConfigure(partial, this.runner.options));
  }

  /** Counters since the client was made, and every breaker's state. Reading changes nothing. */
  stats(): ClientStats {
    const runner = this.runner;
    return {
      ...runner.report.counters,
      inFlight: runner.inFlight,
      breakers: runner.gates.breakers().map((b) => ({ key: b.key, ...b.stats() })),
      hedges: runner.hedgeStats(),
      ...runner.gates.stats(runner.now()),
    };
  }

  /**
   * One breaker: by key (with per-origin keys, any absolute URL of that
   * origin works), or (no key) the client-wide breaker, or the breaker of
   * `baseURL`'s origin. Undefined when breakers are off, or for a key no call
   * has used yet (the default key is created on demand).
   */
  circuit(key?: string): CircuitView | undefined {
    const gates = this.runner.gates;
    const breaker = key === undefined ? gates.breaker(this.defaultBreakerKey()) : gates.peekBreaker(this.normaliseKey(key));
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
    const breaker = this.runner.options.circuitBreaker;
    return breaker !== false && breaker.key === 'origin' && isAbsoluteUrl(key) ? originOf(key) : key;
  }

  private defaultBreakerKey(): string {
    const breaker = this.runner.options.circuitBreaker;
    const key = breaker === false ? 'origin' : breaker.key;
    if (key === 'client') return 'client';
    if (typeof key === 'function') throw new ConfigError('key', undefined, 'given when circuitBreaker.key is a function');
    const base = this.axios.defaults.baseURL ?? '';
    return originOf(isAbsoluteUrl(base) ? base : '');
  }

  /**
   * Stops every timer the client holds: attempts in flight are aborted and
   * pending waits reject (`CanceledError`, reason 'aborted'). The instance is
   * given back its own interceptor managers, so it behaves as plain axios after.
   * A `fleet` link is closed (`await using` waits for it).
   */
  dispose(): void {
    this.runner.dispose();
    this.installed.uninstall();
    fleetClosing.set(this, this.runner.gates.detachFleet());
  }
}

/** What `dispose()` started closing: the fleet link (settled at once without one). */
const fleetClosing = new WeakMap<ResilientClient, Promise<void>>();

// `await using client = new ResilientClient(...)` (where the runtime has `Symbol.asyncDispose`): disposes the client.
const asyncDispose = (Symbol as { asyncDispose?: symbol }).asyncDispose;
if (typeof asyncDispose === 'symbol') {
  Object.defineProperty(ResilientClient.prototype, asyncDispose, {
    configurable: true,
    writable: true,
    value(this: ResilientClient): Promise<void> {
      this.dispose();
      return fleetClosing.get(this) ?? Promise.resolve();
    },
  });
}
