/**
 * Time budgets: `attemptMs` cuts one slow attempt (which is retried), and
 * `totalMs` bounds the whole call against a server that never answers.
 * `propagateHeader` tells the server how long the caller will still wait.
 *
 * Run: npm run sample -- time-budgets
 */
import { ResilientClient, isDeadlineExceededError, resilienceOf } from '../lib/index.js';
import { fault, startFaultServer } from './support/fault-server.js';

async function main(): Promise<void> {
  const server = await startFaultServer({
    routes: {
      '/slow-once': fault.script([fault.latency(600), fault.ok({ fresh: true })]),
      '/hang': fault.hang(),
    },
  });
  try {

    const client = new ResilientClient({
      baseURL: server.url,
      retry: { maxAttempts: 5, backoff: { baseMs: 100, jitter: 'none' } },
      timeBudget: { totalMs: 1_000, attemptMs: 300, propagateHeader: 'x-deadline-ms' },
    });
    const t0 = { at: 0 };
    const since = (): string => `${String(Math.round(performance.now() - t0.at)).padStart(4)} ms`;
    client.on('attempt', (e) => console.log(`${since()}  attempt ${e.attempt} ${e.url} (limit ${Math.round(e.timeoutMs)} ms)`));
    client.on('retry', (e) => console.log(`${since()}  attempt ${e.attempt} failed: ${e.code ?? e.status}, retrying in ${Math.round(e.delayMs)} ms`));

    console.log('A slow first answer, cut by attemptMs and retried:');
    t0.at = performance.now();
    const res = await client.get('/slow-once');
    console.log(`${since()}  ${res.status} ${JSON.stringify(res.data)}`);

    console.log('A server that never answers, bounded by totalMs:');
    t0.at = performance.now();
    try {
      await client.get('/hang');
    } catch (err) {
      if (!isDeadlineExceededError(err)) throw err;
      console.log(`${since()}  ${err.code}: gave up after ${resilienceOf(err)?.attempts} attempts (budget ${err.totalMs} ms)`);
    }
    const deadlines = server.requests.filter((r) => r.path === '/hang').map((r) => r.headers['x-deadline-ms']);
    console.log(`x-deadline-ms the server saw on /hang: ${deadlines.join(', ')}`);
  } finally {
    await server.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
