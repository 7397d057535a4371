/**
 * First call: a flaky backend that fails twice, then answers. The client
 * retries with jittered backoff and reports each step through events.
 *
 * Run: npm run demo   (starts its own server on 127.0.0.1, needs nothing else)
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ResilientClient } from '../lib/index.js';

async function main(): Promise<void> {
  let received = 0;
  const server = http.createServer((req, res) => {
    received += 1;
    if (received <= 2) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('busy');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 42, path: req.url }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const client = new ResilientClient({
    baseURL: `http://127.0.0.1:${port}`,
    retry: { maxAttempts: 4, backoff: { baseMs: 50 } },
    timeBudget: { totalMs: 5_000, attemptMs: 1_000 },
  });
  client.on('attempt', (e) => console.log(`attempt ${e.attempt}/${e.maxAttempts} ${e.method} ${e.url} (limit ${e.timeoutMs} ms)`));
  client.on('retry', (e) => console.log(`  ${e.status ?? e.code}: retrying in ${Math.round(e.delayMs)} ms`));
  client.on('success', (e) => console.log(`success: ${e.status} after ${e.attempts} attempts in ${Math.round(e.elapsedMs)} ms`));
  client.on('failure', (e) => console.log(`failure: ${e.reason} after ${e.attempts} attempts`));

  const { data } = await client.get<{ id: number }>('/orders/42');
  console.log('data:', JSON.stringify(data));
  console.log('server received', received, 'requests');
  server.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
