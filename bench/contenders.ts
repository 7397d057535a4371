/**
 * The libraries under test, each configured as close to the others as it
 * allows: up to 3 attempts (2 retries), exponential backoff, a breaker that
 * opens after 5 consecutive failures for 30 s where the library has one.
 */
import axios from 'axios';
import type { AxiosInstance, CreateAxiosDefaults } from 'axios';
import axiosRetry, { exponentialDelay } from 'axios-retry';
import * as rax from 'retry-axios';
import { ConsecutiveBreaker, ExponentialBackoff, TimeoutStrategy, circuitBreaker, handleAll, retry, timeout, wrap } from 'cockatiel';
import type { IPolicy } from 'cockatiel';
import CircuitBreaker from 'opossum';
import { createRequire } from 'node:module';
import { core } from './built.js';
import type { ResilientClientConfig } from '../lib/index.js';

/** How a scenario bends the defaults. */
export interface Tuning {
  /** Backoff of (about) zero, so a scenario that retries a lot stays fast. */
  tinyBackoff?: boolean;
  /** `false` turns the circuit breaker off (where the library has one). */
  breaker?: boolean;
  /** `false` turns resilient-axios's retry budget off. */
  retryBudget?: boolean;
  /** Deadline for the whole call in ms, in the library's own terms (scenario 6). */
  deadlineMs?: number;
  /** resilient-axios only: extra settings, and the row label they earn. */
  resilient?: { label: string; config: ResilientClientConfig };
}

export interface Contender {
  readonly name: string;
  get(url: string): Promise<unknown>;
  /** Stops whatever timers the library keeps. */
  close(): void;
}

export interface ContenderSpec {
  readonly name: string;
  /** The library has a circuit breaker that `breaker: false` turns off. */
  readonly hasBreaker: boolean;
  make(base: CreateAxiosDefaults, tuning?: Tuning): Contender;
}

const HALF_OPEN_AFTER_MS = 30_000;

function withTimeout(base: CreateAxiosDefaults, t: Tuning): CreateAxiosDefaults {
  return t.deadlineMs === undefined ? base : { ...base, timeout: t.deadlineMs };
}

function plain(name: string, instance: AxiosInstance, close: () => void = () => undefined): Contender {
  return { name, get: (url) => instance.get(url), close };
}

export const raw: ContenderSpec = {
  name: 'raw axios',
  hasBreaker: false,
  make: (base, t = {}) => plain('raw axios', axios.create(withTimeout(base, t))),
};

/** Listener calls seen, so the listeners (on `attempt`, `retry`, `success`, `failure`) do a little work. */
export let resilientEvents = 0;

export function resilientConfig(base: CreateAxiosDefaults, t: Tuning): ResilientClientConfig {
  const config: ResilientClientConfig = { ...base };
  if (t.tinyBackoff === true) config.retry = { backoff: { baseMs: 0 } };
  if (t.breaker === false) config.circuitBreaker = false;
  if (t.retryBudget === false) config.retryBudget = false;
  if (t.deadlineMs !== undefined) config.timeBudget = { totalMs: t.deadlineMs };
  return t.resilient === undefined ? config : { ...config, ...t.resilient.config };
}

export function resilientName(t: Tuning): string {
  if (t.resilient !== undefined) return `resilient-axios (${t.resilient.label})`;
  const off = [t.breaker === false ? 'breaker' : '', t.retryBudget === false ? 'budget' : ''].filter(Boolean);
  return off.length === 0 ? 'resilient-axios' : `resilient-axios (${off.join('+')} off)`;
}

/**
 * The floor any interceptor-based client pays: raw axios plus one no-op
 * synchronous request interceptor and one no-op response interceptor.
 */
export const noopInterceptors: ContenderSpec = {
  name: 'axios + no-op interceptors',
  hasBreaker: false,
  make: (base, t = {}) => {
    const instance = axios.create(withTimeout(base, t));
    instance.interceptors.request.use((config) => config, undefined, { synchronous: true });
    instance.interceptors.response.use((response) => response, (err: unknown) => Promise.reject(err));
    return plain('axios + no-op interceptors', instance);
  },
};

interface FeatureFloorClient {
  on(event: string, listener: () => void): FeatureFloorClient;
  get(url: string): Promise<unknown>;
}

const { ResilientClient: FeatureFloor } = createRequire(__filename)('./feature-floor.cjs') as {
  ResilientClient: new (config: CreateAxiosDefaults) => FeatureFloorClient;
};

/**
 * The feature floor (`feature-floor.cjs`): the least an interceptor-based
 * client pays for the work the SPEC's defaults require on a successful call
 * (call state, clock, the attempt cut at its deadline, breaker window and
 * budget, `attempt` and `success` events). A measuring instrument, not a client.
 */
export const featureFloor: ContenderSpec = {
  name: 'feature floor (defaults\' minimum)',
  hasBreaker: false,
  make: (base) => {
    const client = new FeatureFloor(base);
    const count = (): void => {
      resilientEvents++;
    };
    client.on('attempt', count).on('retry', count).on('success', count).on('failure', count);
    return { name: 'feature floor (defaults\' minimum)', get: (url) => client.get(url), close: () => undefined };
  },
};

export const resilient: ContenderSpec = {
  name: 'resilient-axios',
  hasBreaker: true,
  make: (base, t = {}) => {
    const client = new core.ResilientClient(resilientConfig(base, t));
    const count = (): void => {
      resilientEvents++;
    };
    client.on('attempt', count).on('retry', count).on('success', count).on('failure', count);
    return { name: resilientName(t), get: (url) => client.get(url), close: () => client.dispose() };
  },
};

export const axiosRetrySpec: ContenderSpec = {
  name: 'axios-retry',
  hasBreaker: false,
  make: (base, t = {}) => {
    const instance = axios.create(withTimeout(base, t));
    axiosRetry(instance, { retries: 2, retryDelay: t.tinyBackoff === true ? () => 0 : exponentialDelay });
    return plain('axios-retry', instance);
  },
};

export const retryAxios: ContenderSpec = {
  name: 'retry-axios',
  hasBreaker: false,
  make: (base, t = {}) => {
    const instance = axios.create(withTimeout(base, t));
    instance.defaults.raxConfig = { retry: 2, retryDelay: t.tinyBackoff === true ? 0 : 100, backoffType: 'exponential' };
    rax.attach(instance);
    return plain('retry-axios', instance);
  },
};

export const cockatiel: ContenderSpec = {
  name: 'cockatiel',
  hasBreaker: true,
  make: (base, t = {}) => {
    const instance = axios.create(base);
    const backoff = t.tinyBackoff === true ? new ExponentialBackoff({ initialDelay: 0, maxDelay: 0 }) : new ExponentialBackoff();
    const policies: IPolicy[] = [retry(handleAll, { maxAttempts: 2, backoff })];
    if (t.breaker !== false) {
      policies.push(circuitBreaker(handleAll, { halfOpenAfter: HALF_OPEN_AFTER_MS, breaker: new ConsecutiveBreaker(5) }));
    }
    if (t.deadlineMs !== undefined) policies.unshift(timeout(t.deadlineMs, TimeoutStrategy.Aggressive));
    const policy = wrap(...policies);
    const name = t.breaker === false ? 'cockatiel (breaker off)' : 'cockatiel';
    // The signal only ever aborts under the timeout policy: hand it to axios only then.
    const get = t.deadlineMs === undefined
      ? (url: string) => policy.execute(() => instance.get(url))
      : (url: string) => policy.execute(({ signal }) => instance.get(url, { signal }));
    return { name, get, close: () => undefined };
  },
};

export const opossum: ContenderSpec = {
  name: 'opossum',
  hasBreaker: true,
  make: (base, t = {}) => {
    const instance = axios.create(base);
    const action = (url: string, signal?: AbortSignal): Promise<unknown> => (signal === undefined ? instance.get(url) : instance.get(url, { signal }));
    const breaker = new CircuitBreaker(action, {
      timeout: t.deadlineMs ?? 10_000,
      resetTimeout: HALF_OPEN_AFTER_MS,
      enabled: t.breaker !== false,
    });
    const name = t.breaker === false ? 'opossum (breaker off)' : 'opossum';
    const close = (): void => breaker.shutdown();
    if (t.deadlineMs === undefined) return { name, get: (url) => breaker.fire(url), close };
    // Opossum's own abortController is shared by every call: abort each call's request ourselves.
    const get = async (url: string): Promise<unknown> => {
      const ac = new AbortController();
      try {
        return await breaker.fire(url, ac.signal);
      } finally {
        ac.abort();
      }
    };
    return { name, get, close };
  },
};

/** Every contender, in the order they alternate; raw axios first (the floor). */
export const ALL: readonly ContenderSpec[] = [raw, resilient, axiosRetrySpec, retryAxios, cockatiel, opossum];
