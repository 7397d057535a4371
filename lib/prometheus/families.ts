/**
 * The metric families of `resilient-axios/prometheus` in one registry: made
 * once per registry and prefix, shared by every client registered there (the
 * `client` label tells them apart), removed from the registry with the last
 * client. Gauges are filled by prom-client's `collect()` at scrape time from
 * each client's `stats()`, so they cost nothing per call.
 */
import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import { ConfigError } from '../index.js';
import type { ClientStats } from '../index.js';
import { CIRCUIT_STATE_VALUE, maxByCappedKey } from '../telemetry/labels.js';
import type { CappedValues } from '../telemetry/labels.js';

/** Call duration buckets in seconds: OpenTelemetry's HTTP client advice, stretched to a minute. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60];
/** Distinct breaker keys reported per client before the rest become `_other`. */
export const MAX_CIRCUIT_KEYS = 100;

/** A registered client, as the gauges read it at scrape time. */
export interface Source {
  stats(): Pick<ClientStats, 'breakers' | 'retryBudget'>;
  /** This client's breaker keys, capped. */
  readonly keys: CappedValues;
}

/** One registry's metrics under one prefix, and the clients reported in them. */
export interface Family {
  readonly calls: Counter<'client' | 'method' | 'outcome' | 'reason'>;
  readonly attempts: Counter<'client' | 'outcome'>;
  readonly retries: Counter<'client'>;
  readonly duration: Histogram<'client' | 'outcome'>;
  readonly circuit: Gauge<'client' | 'key'>;
  readonly budget: Gauge<'client'>;
  /** By client name. */
  readonly sources: Map<string, Source>;
}

const SUFFIXES = ['calls_total', 'attempts_total', 'retries_total', 'call_duration_seconds', 'circuit_state', 'retry_budget_tokens'] as const;

const families = new WeakMap<Registry, Map<string, Family>>();

function create(registry: Registry, prefix: string): Family {
  for (const suffix of SUFFIXES) {
    if (registry.getSingleMetric(prefix + suffix) !== undefined) {
      throw new ConfigError('prefix', prefix, `a prefix whose metric names are free in the registry (${prefix + suffix} is taken)`);
    }
  }
  const registers = [registry];
  const sources = new Map<string, Source>();
  return {
    sources,
    calls: new Counter({ name: `${prefix}calls_total`, help: 'Calls settled (refused ones included); reason is none on success', labelNames: ['client', 'method', 'outcome', 'reason'], registers }),
    attempts: new Counter({ name: `${prefix}attempts_total`, help: 'Attempts sent, by how they ended: response, error or aborted', labelNames: ['client', 'outcome'], registers }),
    retries: new Counter({ name: `${prefix}retries_total`, help: 'Retries scheduled', labelNames: ['client'], registers }),
    duration: new Histogram({
      name: `${prefix}call_duration_seconds`, help: 'Call duration, waits between attempts included', labelNames: ['client', 'outcome'], buckets: DURATION_BUCKETS, registers,
    }),
    circuit: new Gauge({
      name: `${prefix}circuit_state`, help: 'Circuit breaker state: 0 closed, 1 half-open, 2 open', labelNames: ['client', 'key'], registers,
      collect() {
        this.reset();
        for (const [client, source] of sources) {
          const states = maxByCappedKey(source.stats().breakers, (b) => b.key, (b) => CIRCUIT_STATE_VALUE[b.state], source.keys);
          for (const [key, value] of states) this.set({ client, key }, value);
        }
      },
    }),
    budget: new Gauge({
      name: `${prefix}retry_budget_tokens`, help: 'Tokens in the retry budget (token quota only)', labelNames: ['client'], registers,
      collect() {
        this.reset();
        for (const [client, source] of sources) {
          const b = source.stats().retryBudget;
          if (b?.type === 'tokens') this.set({ client }, b.tokens);
        }
      },
    }),
  };
}

/** The family of `registry` and `prefix`, made on first use. */
export function familyOf(registry: Registry, prefix: string): Family {
  let byPrefix = families.get(registry);
  if (byPrefix === undefined) families.set(registry, (byPrefix = new Map<string, Family>()));
  let family = byPrefix.get(prefix);
  if (family === undefined) byPrefix.set(prefix, (family = create(registry, prefix)));
  return family;
}

/** Forgets a family once its last client is gone, removing its metrics from the registry. */
export function releaseFamily(registry: Registry, prefix: string, family: Family): void {
  if (family.sources.size > 0) return;
  for (const suffix of SUFFIXES) registry.removeSingleMetric(prefix + suffix);
  families.get(registry)?.delete(prefix);
}
