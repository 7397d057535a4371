/**
 * Prometheus metrics: `prometheusMetrics(client, { registry, name })` counts
 * calls, attempts and retries from the client's events and reads breaker
 * states and retry budget tokens when scraped. This sample serves `/metrics`
 * on 127.0.0.1, makes a few calls, scrapes itself once and prints what a
 * Prometheus server would read.
 *
 * Run: npm run sample -- prometheus
 *      npx tsx samples/prometheus.ts 9464    (a fixed port instead of a free one)
 */
import axios from 'axios';
import { Registry } from 'prom-client';
import { ResilientClient, resilienceOf } from '../lib/index.js';
import { prometheusMetrics } from '../lib/prometheus/index.js';
import { fault, startFaultServer } from './support/fault-server.js';
import { serveMetrics } from './support/metrics-server.js';

async function main(port: number): Promise<void> {
  const server = await startFaultServer({
    routes: {
      '/orders/1': fault.script([fault.status(503), fault.status(503), fault.ok({ id: 1 })]),
      '/orders/missing': fault.status(404),
    },
  });
  // A registry of our own: only what we register in it (no default process metrics).
  const registry = new Registry();
  const metrics = await serveMetrics(registry, port);
  try {
    const client = new ResilientClient({ baseURL: server.url, retry: { backoff: { baseMs: 20 } } });
    const telemetry = prometheusMetrics(client, { registry, name: 'orders' });
    console.log(`metrics served on ${metrics.url}`);

    const ok = await client.get('/orders/1');
    console.log(`GET /orders/1 -> ${ok.status} after ${server.count('/orders/1')} attempts`);
    try {
      await client.get('/orders/missing');
    } catch (err) {
      console.log(`GET /orders/missing -> ${axios.isAxiosError(err) ? err.response?.status : '?'} (${resilienceOf(err)?.reason})`);
    }

    const scrape = await axios.get<string>(metrics.url, { responseType: 'text' });
    const lines = scrape.data.split('\n').filter((l) => /^resilient_axios_(calls_total|retries_total|attempts_total|circuit_state|retry_budget_tokens)/.test(l));
    console.log(`scraped ${scrape.data.length} bytes (${String(scrape.headers['content-type'])}):`);
    for (const line of lines) console.log(`  ${line}`);
    console.log(`no process_ or nodejs_ metrics: ${!/^(process|nodejs)_/m.test(scrape.data)}`);
    telemetry.unregister();
  } finally {
    await metrics.close();
    await server.close();
  }
}

const arg = process.argv[2];
const port = arg === undefined ? 0 : Number(arg);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  process.stderr.write(`Usage: tsx samples/prometheus.ts [port]   (0 to 65535, got '${arg}')\n`);
  process.exitCode = 2;
} else {
  main(port).catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
