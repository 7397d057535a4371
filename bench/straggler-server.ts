/**
 * Scenario 7's backend, run in its own process (so client and server do not
 * share an event loop): a keep-alive HTTP server on 127.0.0.1, port 0.
 *
 * - `/tail`: each request independently (seeded) takes U(2, 6) ms, or with
 *   probability 5% U(300, 800) ms: a heavy tail.
 * - `/slow`: every request takes 200 ms (a brownout).
 *
 * Over IPC: `{ port }` once listening; on `'stats'` it answers
 * `{ requests, aborted }` since the last `'stats'` (aborted: the client closed
 * the connection before the answer) and starts counting afresh.
 */
import http from 'node:http';
import { serveToParent } from './child-server.js';
import { seededRandom } from '../samples/support/seeded-random.js';

const SEED = 0x7a11;
const TAIL_SHARE = 0.05;
const body = JSON.stringify({ ok: true });
const random = seededRandom(SEED);
let requests = 0;
let aborted = 0;

function delayOf(url: string | undefined): number {
  if (url === '/slow') return 200;
  const slow = random() < TAIL_SHARE;
  const u = random();
  return slow ? 300 + 500 * u : 2 + 4 * u;
}

const server = http.createServer((req, res) => {
  requests++;
  const timer = setTimeout(() => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }, delayOf(req.url));
  res.on('close', () => {
    if (!res.writableFinished) {
      aborted++;
      clearTimeout(timer);
    }
  });
});
serveToParent(server);

process.on('message', (m) => {
  if (m !== 'stats') return;
  process.send?.({ requests, aborted });
  requests = 0;
  aborted = 0;
});
