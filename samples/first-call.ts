/**
 * A first call: a flaky backend answers 503 twice, then 200. The client
 * retries with jittered backoff and reports each step through events.
 *
 * Run: npm run sample -- first-call   (starts its own server on 127.0.0.1)
 */
import { ResilientClient } from '../lib/index.js';
import { fault, startFaultServer } from './support/fault-server.js';

async function main(): Promise<void> {
  const server = await startFaultServer({
    routes: {
      '/orders/*': fault.script([fault.status(503), fault.status(503), fault.fn((ctx) => fault.ok({ id: 42, path: ctx.path }))]),
    },
  });
  try {

    const client = new ResilientClient({
      baseURL: server.url,
      retry: { maxAttempts: 4, backoff: { baseMs: 50 } },
      timeBudget: { totalMs: 5_000, attemptMs: 1_000 },
    });
    client.on('attempt', (e) => console.log(`attempt ${e.attempt}/${e.maxAttempts} ${e.method} ${e.url} (limit ${e.timeoutMs} ms)`));
    client.on('retry', (e) => console.log(`  ${e.status ?? e.code}: retrying in ${Math.round(e.delayMs)} ms`));
    client.on('success', (e) => console.log(`success: ${e.status} after ${e.attempts} attempts in ${Math.round(e.elapsedMs)} ms`));
    client.on('failure', (e) => console.log(`failure: ${e.reason} after ${e.attempts} attempts`));

    const { data } = await client.get<{ id: number }>('/orders/42');
    console.log('data:', JSON.stringify(data));
    console.log('server received', server.count(), 'requests');
  } finally {
    await server.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
