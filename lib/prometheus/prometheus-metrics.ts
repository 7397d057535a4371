/**
 * `prometheusMetrics(client, { name })`: a client's calls, attempts, retries
 * and breakers as Prometheus metrics (prom-client), from its events and, at
 * scrape time, its `stats()`. Every label is bounded: `method` is a known
 * method or `_OTHER`, `outcome` and `reason` are closed lists, breaker `key`s
 * stop at 100 per client (then `_other`). Default process metrics are never
 * registered: that is the application's call (`collectDefaultMetrics`).
 */
import { register } from 'prom-client';
import type { LabelValues, Registry } from 'prom-client';
import { ConfigError, ResilientClient } from '../index.js';
import { CappedValues, knownMethod } from '../telemetry/labels.js';
import { Listeners } from '../telemetry/listeners.js';
import { MAX_CIRCUIT_KEYS, familyOf, releaseFamily } from './families.js';

/** What `prometheusMetrics()` accepts. */
export interface PrometheusOptions {
  /** Where the metrics go. @default prom-client's global `register` */
  registry?: Registry;
  /** Prepended to every metric name. @default 'resilient_axios_' */
  prefix?: string;
  /** The `client` label of this client's series: unique per registry and prefix. */
  name: string;
}

/** What `prometheusMetrics()` returns. */
export interface PrometheusMetrics {
  /**
   * Removes this client's listeners and series; the metrics themselves leave
   * the registry with the last client registered in them. Idempotent.
   */
  unregister(): void;
}

const PREFIX = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** Label children of one client, made on first use and removed together. */
class Children<C> {
  private readonly made = new Map<string, { labels: LabelValues<string>; child: C }>();

  constructor(private readonly metric: { labels(labels: LabelValues<string>): C; remove(labels: LabelValues<string>): void }) {}

  get(key: string, labels: () => LabelValues<string>): C {
    let entry = this.made.get(key);
    if (entry === undefined) {
      const l = labels();
      this.made.set(key, (entry = { labels: l, child: this.metric.labels(l) }));
    }
    return entry.child;
  }

  removeAll(): void {
    for (const { labels } of this.made.values()) this.metric.remove(labels);
    this.made.clear();
  }
}

function check(client: unknown, options: unknown): Required<Pick<PrometheusOptions, 'prefix' | 'name'>> & { registry: Registry } {
  if (!(client instanceof ResilientClient)) throw new ConfigError('client', client, 'a ResilientClient');
  if (options === null || typeof options !== 'object') throw new ConfigError('options', options, 'an object with a name');
  const o = options as Record<string, unknown>;
  if (typeof o.name !== 'string' || o.name === '') throw new ConfigError('name', o.name, 'a non-empty string (the client label)');
  const prefix = o.prefix ?? 'resilient_axios_';
  if (typeof prefix !== 'string' || (prefix !== '' && !PREFIX.test(prefix))) throw new ConfigError('prefix', prefix, 'a metric name prefix ([a-zA-Z_:][a-zA-Z0-9_:]*)');
  const registry = o.registry ?? register;
  if (registry === null || typeof registry !== 'object' || typeof (registry as Registry).getSingleMetric !== 'function') {
    throw new ConfigError('registry', registry, 'a prom-client Registry');
  }
  return { name: o.name, prefix, registry: registry as Registry };
}

/**
 * Registers `client`'s metrics in `registry` (see the module comment):
 * `<prefix>calls_total{client,method,outcome,reason}`,
 * `<prefix>attempts_total{client,outcome}`, `<prefix>retries_total{client}`,
 * `<prefix>call_duration_seconds{client,outcome}`,
 * `<prefix>circuit_state{client,key}` (0 closed, 1 half-open, 2 open) and
 * `<prefix>retry_budget_tokens{client}` (with the token quota).
 *
 * @example
 * const payments = new ResilientClient({ baseURL: 'https://payments.internal' });
 * prometheusMetrics(payments, { name: 'payments' });
 * // GET /metrics: res.end(await register.metrics())
 * @throws {ConfigError} for an invalid option, a name already registered, or a
 *   metric name the registry already holds from elsewhere.
 */
export function prometheusMetrics(client: ResilientClient, options: PrometheusOptions): PrometheusMetrics {
  const { name, prefix, registry } = check(client, options);
  const family = familyOf(registry, prefix);
  if (family.sources.has(name)) {
    throw new ConfigError('name', name, `a client name not registered yet in this registry under the prefix '${prefix}'`);
  }
  family.sources.set(name, { stats: () => client.stats(), keys: new CappedValues(MAX_CIRCUIT_KEYS, '_other') });
  const calls = new Children(family.calls);
  const attempts = new Children(family.attempts);
  const durations = new Children(family.duration);
  const retries = family.retries.labels({ client: name });

  const settled = (method: string, outcome: 'success' | 'failure', reason: string, elapsedMs: number): void => {
    const m = knownMethod(method);
    calls.get(`${m} ${outcome} ${reason}`, () => ({ client: name, method: m, outcome, reason })).inc();
    durations.get(outcome, () => ({ client: name, outcome })).observe(elapsedMs / 1000);
  };
  const listeners = new Listeners(client)
    .on('success', (e) => settled(e.method, 'success', 'none', e.elapsedMs))
    .on('failure', (e) => settled(e.method, 'failure', e.reason, e.elapsedMs))
    .on('attempt-end', (e) => attempts.get(e.outcome, () => ({ client: name, outcome: e.outcome })).inc())
    .on('retry', () => retries.inc());

  let on = true;
  return {
    unregister: () => {
      if (!on) return;
      on = false;
      listeners.removeAll();
      calls.removeAll();
      attempts.removeAll();
      durations.removeAll();
      family.retries.remove({ client: name });
      family.sources.delete(name);
      releaseFamily(registry, prefix, family);
    },
  };
}
