/**
 * Idempotent POST: a POST is not retried by default (the server may have
 * acted on it). With an idempotency key it is, and every attempt carries the
 * same key so the server can deduplicate.
 *
 * Run: npm run sample -- idempotent-post
 */
import { ResilientClient, resilienceOf } from '../lib/index.js';
import { fault, startFaultServer } from './support/fault-server.js';

async function main(): Promise<void> {
  // Each route fails its first request (503 or a reset), then creates the charge.
  const created = fault.ok({ id: 'ch_1' }, { status: 201 });
  const server = await startFaultServer({
    routes: {
      '/plain/charges': fault.script([fault.status(503), created]),
      '/keyed/charges': fault.script([fault.reset(), created]),
      '/order/charges': fault.script([fault.status(503), created]),
    },
  });
  try {
    const backoff = { baseMs: 20 };
    const plain = new ResilientClient({ baseURL: server.url, retry: { backoff } });
    const keyed = new ResilientClient({ baseURL: server.url, retry: { backoff, idempotencyKey: true } });
    const body = { amount: 100, currency: 'EUR' };
    const seen = (path: string): string => {
      const reqs = server.requests.filter((r) => r.path === path);
      return `server received ${reqs.length} request(s), Idempotency-Key: ${reqs.map((r) => r.key ?? 'none').join(', ')}`;
    };

    try {
      await plain.post('/plain/charges', body);
    } catch (err) {
      console.log(`POST without a key: 503, not retried (reason ${resilienceOf(err)?.reason})`);
    }
    console.log(`  ${seen('/plain/charges')}`);

    const a = await keyed.post('/keyed/charges', body);
    console.log(`POST with idempotencyKey: true: ${a.status} after a connection reset`);
    console.log(`  ${seen('/keyed/charges')}`);

    const b = await plain.post('/order/charges', body, { resilience: { idempotencyKey: 'order-42' } });
    console.log(`POST with resilience.idempotencyKey 'order-42': ${b.status}`);
    console.log(`  ${seen('/order/charges')}`);
  } finally {
    await server.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
