/**
 * `prometheusMetrics()` with prom-client's real Registry against loopback
 * servers: the exposition text, bounded labels, several clients in one
 * registry, `unregister()`, and no default process metrics.
 */
import { Counter, Registry, register } from 'prom-client';
import { ConfigError, ResilientClient } from '../../lib/index.js';
import type { ResilientClientConfig } from '../../lib/index.js';
import { MAX_CIRCUIT_KEYS, prometheusMetrics } from '../../lib/prometheus/index.js';
import { serversClosedAfterEach } from '../helpers/server.js';

const serve = serversClosedAfterEach();
const FAST: ResilientClientConfig = { retry: { backoff: { baseMs: 1, jitter: 'none' } } };
const NAMES = ['resilient_axios_calls_total', 'resilient_axios_attempts_total', 'resilient_axios_retries_total', 'resilient_axios_call_duration_seconds', 'resilient_axios_circuit_state', 'resilient_axios_retry_budget_tokens'];

/** The sample lines of the exposition text (no comments). */
async function samples(registry: Registry): Promise<string[]> {
  return (await registry.metrics()).split('\n').filter((l) => l !== '' && !l.startsWith('#'));
}

test('503, 503, 200 then a 404: calls, attempts, retries, durations, breaker state and retry budget tokens', async () => {
  const server = await serve([{ status: 503 }, { status: 503 }, { status: 200 }, { status: 404 }]);
  const client = new ResilientClient({ ...FAST, baseURL: server.url });
  const registry = new Registry();
  prometheusMetrics(client, { registry, name: 'api' });
  await client.get('/a');
  await client.delete('/b').catch(() => undefined);
  const lines = await samples(registry);
  const tokens = client.stats().retryBudget;
  expect(tokens?.type).toBe('tokens');
  expect(lines).toEqual(expect.arrayContaining([
    'resilient_axios_calls_total{client="api",method="GET",outcome="success",reason="none"} 1',
    'resilient_axios_calls_total{client="api",method="DELETE",outcome="failure",reason="not-retryable"} 1',
    'resilient_axios_attempts_total{client="api",outcome="response"} 4',
    'resilient_axios_retries_total{client="api"} 2',
    'resilient_axios_call_duration_seconds_count{client="api",outcome="success"} 1',
    'resilient_axios_call_duration_seconds_count{client="api",outcome="failure"} 1',
    'resilient_axios_call_duration_seconds_bucket{le="60",client="api",outcome="success"} 1',
    `resilient_axios_circuit_state{client="api",key="${server.url}"} 0`,
    `resilient_axios_retry_budget_tokens{client="api"} ${tokens?.type === 'tokens' ? tokens.tokens : NaN}`,
  ]));
  expect(lines.filter((l) => l.startsWith('resilient_axios_calls_total'))).toHaveLength(2);
});

test('refused calls count, with their reason; an open breaker reads 2; unknown methods are _OTHER', async () => {
  const server = await serve([{ status: 503 }]);
  const client = new ResilientClient({ baseURL: server.url, retry: false, circuitBreaker: { trip: { type: 'consecutive', failures: 1 }, openMs: 60_000 } });
  const registry = new Registry();
  prometheusMetrics(client, { registry, name: 'api' });
  await client.get('/x').catch(() => undefined);
  await client.request({ url: '/x', method: 'PURGE' }).catch(() => undefined);
  const lines = await samples(registry);
  expect(lines).toEqual(expect.arrayContaining([
    'resilient_axios_calls_total{client="api",method="GET",outcome="failure",reason="not-retryable"} 1',
    'resilient_axios_calls_total{client="api",method="_OTHER",outcome="failure",reason="circuit-open"} 1',
    'resilient_axios_attempts_total{client="api",outcome="response"} 1',
    `resilient_axios_circuit_state{client="api",key="${server.url}"} 2`,
  ]));
  expect(server.requests).toHaveLength(1);
});

test(`breaker keys: the first ${MAX_CIRCUIT_KEYS} per client, then one _other series`, async () => {
  const server = await serve([{ status: 200 }]);
  const client = new ResilientClient({ baseURL: server.url, circuitBreaker: { key: (config) => String(config.url) } });
  const registry = new Registry();
  prometheusMetrics(client, { registry, name: 'api' });
  for (let i = 0; i < MAX_CIRCUIT_KEYS + 5; i++) await client.get(`/k${i}`);
  const circuit = (await samples(registry)).filter((l) => l.startsWith('resilient_axios_circuit_state'));
  expect(circuit).toHaveLength(MAX_CIRCUIT_KEYS + 1);
  expect(circuit).toContain('resilient_axios_circuit_state{client="api",key="_other"} 0');
});

test('no retry_budget_tokens series with a ratio budget or none; a custom prefix names every metric', async () => {
  const registry = new Registry();
  prometheusMetrics(new ResilientClient({ retryBudget: { type: 'ratio' } }), { registry, name: 'ratio', prefix: 'app_http_' });
  prometheusMetrics(new ResilientClient({ retryBudget: false }), { registry, name: 'off', prefix: 'app_http_' });
  expect(registry.getMetricsAsArray().map((m) => m.name).sort()).toEqual(NAMES.map((n) => n.replace('resilient_axios_', 'app_http_')).sort());
  expect((await samples(registry)).filter((l) => l.startsWith('app_http_retry_budget_tokens'))).toEqual([]);
});

test('two clients share one registry; unregister() removes exactly one client\u2019s series, the last one the metrics', async () => {
  const server = await serve([{ status: 200 }]);
  const registry = new Registry();
  const a = new ResilientClient({ baseURL: server.url });
  const b = new ResilientClient({ baseURL: server.url });
  const ma = prometheusMetrics(a, { registry, name: 'a' });
  const mb = prometheusMetrics(b, { registry, name: 'b' });
  await a.get('/1');
  await b.get('/2');
  await a.get('/3');
  ma.unregister();
  ma.unregister();
  await a.get('/4'); // no longer counted
  const lines = await samples(registry);
  expect(lines.filter((l) => l.includes('client="a"'))).toEqual([]);
  expect(lines).toContain('resilient_axios_calls_total{client="b",method="GET",outcome="success",reason="none"} 1');
  expect(a.listenerCount('success') + a.listenerCount('failure') + a.listenerCount('attempt-end') + a.listenerCount('retry')).toBe(0);
  mb.unregister();
  expect(registry.getMetricsAsArray()).toEqual([]);
  prometheusMetrics(a, { registry, name: 'a' }).unregister(); // the name is free again
});

test('never registers default process metrics; the default registry is prom-client\u2019s global one', async () => {
  const fresh = new Registry();
  prometheusMetrics(new ResilientClient(), { registry: fresh, name: 'x' });
  expect(fresh.getMetricsAsArray().map((m) => m.name).sort()).toEqual([...NAMES].sort());
  expect(await fresh.metrics()).not.toMatch(/^(process|nodejs)_/m);

  const before = register.getMetricsAsArray().length;
  const m = prometheusMetrics(new ResilientClient(), { name: 'global' });
  expect(register.getSingleMetric('resilient_axios_calls_total')).toBeDefined();
  m.unregister();
  expect(register.getMetricsAsArray()).toHaveLength(before);
});

test('invalid options, a name taken, and a metric name the registry holds from elsewhere throw ConfigError', () => {
  const registry = new Registry();
  const client = new ResilientClient();
  expect(() => prometheusMetrics({} as ResilientClient, { name: 'x' })).toThrow(ConfigError);
  expect(() => prometheusMetrics(client, undefined as never)).toThrow('options must be an object with a name, got undefined');
  expect(() => prometheusMetrics(client, { registry, name: '' })).toThrow('name must be a non-empty string (the client label), got ""');
  expect(() => prometheusMetrics(client, { registry, name: 'x', prefix: 'bad-prefix' })).toThrow(/^prefix must be a metric name prefix/);
  expect(() => prometheusMetrics(client, { registry: {} as Registry, name: 'x' })).toThrow(/^registry must be a prom-client Registry/);
  const m = prometheusMetrics(client, { registry, name: 'x' });
  expect(() => prometheusMetrics(new ResilientClient(), { registry, name: 'x' })).toThrow(/^name must be a client name not registered yet/);
  m.unregister();
  new Counter({ name: 'mine_calls_total', help: 'not ours', registers: [registry] });
  expect(() => prometheusMetrics(client, { registry, name: 'x', prefix: 'mine_' })).toThrow(/mine_calls_total is taken/);
  expect(registry.getMetricsAsArray().map((x) => x.name)).toEqual(['mine_calls_total']);
});
