/**
 * What `new ResilientClient(config)` accepts, and how it is split: axios's
 * fields go to `axios.create`, the resilience fields to the option resolver,
 * `clock`, `random`, `fleet` and `axios` (a wrapped instance) are checked here.
 * Only the config's own properties are read.
 */
import type { AxiosInstance, CreateAxiosDefaults } from 'axios';
import { ConfigError } from './common/config-error.js';
import type { FleetLink } from './fleet/fleet-link.js';
import { CLIENT_KEYS } from './options.js';
import type { ResilienceOptions } from './options.js';
import type { Clock, RandomSource } from './time/clock.js';

/** Everything `new ResilientClient()` accepts: axios instance defaults plus the resilience fields. */
export interface ResilientClientConfig extends CreateAxiosDefaults, ResilienceOptions {
  /** Wrap this existing instance instead of creating one (its interceptors keep working). */
  axios?: AxiosInstance;
  /** Time source, for deterministic tests. @default the system clock (globals read when needed) */
  clock?: Clock;
  /** Uniform [0, 1) random source for jitter. @default Math.random */
  random?: RandomSource;
  /**
   * Share breaker transitions and the retry budget's tokens with other processes, e.g.
   * `redisFleet({ redis })` from `resilient-axios/redis`. One link per client: `dispose()` closes it.
   * @default none (each process learns alone)
   */
  fleet?: FleetLink;
}

/** A client config taken apart. */
export interface ClientParts {
  /** Fields for `axios.create` (empty when an instance is wrapped). */
  readonly axiosDefaults: CreateAxiosDefaults;
  /** The resilience fields, for `resolveOptions`. */
  readonly resilience: Partial<Record<(typeof CLIENT_KEYS)[number], unknown>>;
  /** The instance to wrap, when given. */
  readonly instance: AxiosInstance | undefined;
  readonly clock: Clock | undefined;
  readonly random: RandomSource;
  /** The fleet link, when given. */
  readonly fleet: FleetLink | undefined;
  /** The user set a per-attempt `timeout` (on the config, or on the wrapped instance). */
  readonly timeoutGiven: boolean;
}

const OWN_KEYS: ReadonlySet<string> = new Set<string>([...CLIENT_KEYS, 'clock', 'random', 'axios', 'fleet']);

/**
 * Splits and checks a client config.
 * @throws {ConfigError} for a config that is not an object, and for an invalid clock, random or instance.
 */
export function splitClientConfig(config: unknown): ClientParts {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new ConfigError('config', config, 'an object (axios defaults plus resilience options)');
  }
  const axiosDefaults: Record<string, unknown> = {};
  // No prototype: destructuring below must not find a value set on Object.prototype.
  const resilience = Object.create(null) as Record<string, unknown>;
  const src = config as Record<string, unknown>;
  for (const key of Object.keys(src)) {
    if (OWN_KEYS.has(key)) resilience[key] = src[key];
    else axiosDefaults[key] = src[key];
  }
  const { clock, random, axios: instance, fleet, ...options } = resilience;
  const wrapped = instance === undefined ? undefined : checkInstance(instance, axiosDefaults);
  const defaultTimeout = wrapped?.defaults.timeout;
  return {
    axiosDefaults,
    resilience: options,
    instance: wrapped,
    clock: clock === undefined ? undefined : checkClock(clock),
    random: random === undefined ? Math.random : checkRandom(random),
    fleet: fleet === undefined ? undefined : checkFleet(fleet),
    timeoutGiven: wrapped === undefined ? Object.hasOwn(axiosDefaults, 'timeout') && axiosDefaults.timeout !== undefined : typeof defaultTimeout === 'number' && defaultTimeout > 0,
  };
}

function checkClock(value: unknown): Clock {
  const c = value as Partial<Clock> | null;
  if (c === null || typeof c !== 'object' || typeof c.now !== 'function' || typeof c.sleep !== 'function') {
    throw new ConfigError('clock', value, 'an object with now() and sleep(ms, signal)');
  }
  return c as Clock;
}

function checkRandom(value: unknown): RandomSource {
  if (typeof value !== 'function') throw new ConfigError('random', value, 'a function returning a number in [0, 1)');
  return value as RandomSource;
}

const FLEET_METHODS = ['publish', 'acquireTrialLease', 'reconcileBudget', 'onRemote', 'close'] as const;

function checkFleet(value: unknown): FleetLink {
  const f = value as Partial<Record<string, unknown>> | null;
  const ok = f !== null && typeof f === 'object' && FLEET_METHODS.every((m) => typeof f[m] === 'function')
    && (f.adopt === 'verify' || f.adopt === 'trust') && typeof f.opTimeoutMs === 'number' && f.opTimeoutMs >= 0;
  if (!ok) throw new ConfigError('fleet', value, 'a fleet link, such as redisFleet({ redis }) from resilient-axios/redis');
  return f as unknown as FleetLink;
}

function checkInstance(value: unknown, otherFields: Record<string, unknown>): AxiosInstance {
  const i = value as Partial<AxiosInstance> | null;
  const ok = typeof value === 'function' && i !== null && typeof i.request === 'function' && i.interceptors !== undefined && i.defaults !== undefined;
  if (!ok) throw new ConfigError('axios', value, 'an axios instance');
  const [field] = Object.keys(otherFields);
  if (field !== undefined) {
    throw new ConfigError(field, otherFields[field], 'left out when an instance is passed as `axios` (configure that instance instead)');
  }
  return i as AxiosInstance;
}
