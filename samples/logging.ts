/**
 * Logging through events: every step of a call is an event with a typed
 * payload that is safe to hand to a logger (secrets redacted).
 *
 * Run: npm run sample -- logging
 */
import { ResilientClient } from '../lib/index.js';
import { fault, startFaultServer } from './support/fault-server.js';

async function main(): Promise<void> {
  const server = await startFaultServer({
    routes: {
      // 503, then a connection reset, then an answer.
      '/stock/*': fault.script([fault.status(503), fault.reset(), fault.ok({ sku: 'socks', stock: 12 })]),
      '/stock-missing': fault.status(404),
    },
  });
  try {

    const client = new ResilientClient({
      baseURL: server.url,
      headers: { authorization: 'Bearer s3cret-token' },
      retry: { maxAttempts: 4, backoff: { baseMs: 20 } },
    });
    const log = (level: string, msg: string): void => console.log(`[${level}] ${msg}`);
    client.on('attempt', (e) => log('debug', `attempt ${e.attempt}/${e.maxAttempts} ${e.method} ${e.url}`));
    client.on('retry', (e) => log('warn', `retry ${e.method} ${e.url} after attempt ${e.attempt}: ${e.status ?? e.code}, waiting ${Math.round(e.delayMs)} ms`));
    client.on('success', (e) => log('info', `${e.method} ${e.url} -> ${e.status} after ${e.attempts} attempts`));
    let lastFailure = '';
    client.on('failure', (e) => {
      log('error', `gave up on ${e.method} ${e.url}: ${e.reason} after ${e.attempts} attempt(s), status ${e.status ?? '-'}`);
      lastFailure = JSON.stringify(e);
    });
    client.on('circuit-open', (e) => log('error', `circuit open for ${e.key} after ${e.failures} failures`));
    client.on('listener-error', (e) => log('error', `a listener of ${e.event} threw: ${String(e.error)}`));
    client.on('success', () => {
      throw new Error('a buggy listener'); // isolated: the call still succeeds
    });

    const { data } = await client.get<{ stock: number }>('/stock/socks');
    console.log('stock:', data.stock);

    await client.get('/stock-missing').catch(() => undefined); // 404: not retried
    // The payload's error is a compact stand-in: no config dump, so the token is simply absent.
    const redacted = !lastFailure.includes('s3cret-token');
    console.log(`failure payload as JSON: ${lastFailure.length} chars, Authorization ${redacted ? 'redacted' : 'LEAKED'}`);
    console.log('server received', server.count(), 'requests');
  } finally {
    await server.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
