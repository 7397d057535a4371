/**
 * The loopback backend, run in its own process (see loopback.ts): a keep-alive
 * HTTP server on 127.0.0.1, port 0, that reports its port over IPC.
 * `/hang` never answers; anything else gets a small JSON 200.
 */
import http from 'node:http';
import { serveToParent } from './child-server.js';

const body = JSON.stringify({ ok: true });

const server = http.createServer((req, res) => {
  if (req.url === '/hang') return; // never answers; the client gives up
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
serveToParent(server);

