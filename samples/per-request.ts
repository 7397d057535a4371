/**
 * Per-request options: `resilience` on one call merges over the client's
 * settings for that call only.
 *
 * Run: npm run sample -- per-request
 */
import { ConfigError, ResilientClient, isCircuitOpenError, resilienceOf } from '../lib/index.js';
import { fault, startFaultServer } from './support/fault-server.js';

async function main(): Promise<void> {
  const server = await startFaultServer({
    routes: {
      '/report': fault.script([fault.status(503), fault.ok()]),
      '/flaky-report': fault.script([fault.status(503), fault.status(503), fault.status(503), fault.ok()]),
      '/big-report': fault.latency(2_000),
      '/down': fault.status(503),
      '/health': fault.ok({ status: 'up' }),
    },
  });
  try {
    const client = new ResilientClient({
      baseURL: server.url,
      retry: { maxAttempts: 3, backoff: { baseMs: 10 } },
      circuitBreaker: { trip: { type: 'consecutive', failures: 5 }, openMs: 10_000 },
    });
    const outcome = (err: unknown): string => {
      const info = resilienceOf(err);
      return `${info?.reason} after ${info?.attempts} attempt(s)`;
    };

    await client.get('/report', { resilience: { retry: false } }).catch((err: unknown) => console.log(`retry: false -> failed at once: ${outcome(err)}`));

    const r = await client.get('/flaky-report', { resilience: { retry: { maxAttempts: 5 } } });
    console.log(`retry: { maxAttempts: 5 } -> ${r.status} after ${server.count('/flaky-report')} attempts (the client's maxAttempts: 3 would have given up)`);

    const t0 = performance.now();
    await client
      .get('/big-report', { resilience: { timeBudget: { totalMs: 200 } } })
      .catch((err: unknown) => console.log(`timeBudget: { totalMs: 200 } -> ${outcome(err)} in ${Math.round(performance.now() - t0)} ms`));

    // Trip the breaker of this origin with a backend that is down.
    for (let i = 0; i < 10 && client.circuit()?.state !== 'OPEN'; i++) await client.get('/down', { resilience: { retry: false } }).catch(() => undefined);
    await client.get('/health').catch((err: unknown) => console.log(`breaker open -> GET /health refused locally: ${isCircuitOpenError(err) ? 'CircuitOpenError' : String(err)}`));
    const h = await client.get('/health', { resilience: { circuitBreaker: false } });
    console.log(`circuitBreaker: false -> GET /health ${h.status}, breaker bypassed`);

    const before = server.count();
    await client.get('/report', { resilience: { retry: { maxAttempts: 0 } } }).catch((err: unknown) => {
      if (err instanceof ConfigError) console.log(`invalid option -> ConfigError: ${err.message} (sent: ${server.count() - before})`);
    });
  } finally {
    await server.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
