/**
 * Loopback servers for the browser test, both on 127.0.0.1 (port 0): one
 * serves the page and its bundle, the other the test endpoints. They are two
 * origins, so every call the page makes is cross-origin and goes through CORS
 * as it would against a real API (preflights answered, `Retry-After` exposed).
 *
 * Endpoints, `GET /<kind>/<id>` (the id keeps scenarios apart):
 * - `flaky`: 503 the first time, then 200 `{ hits }`;
 * - `retry-after?s=N`: 503 with `Retry-After: N` the first time, then 200;
 * - `fail`: always 503;
 * - `hang`: never answers (the socket is destroyed on `close()`).
 *
 * `stats(kind, id)` counts what reached the server (preflights apart) and how
 * many requests the client abandoned before an answer (socket closed early).
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface EndpointStats {
  /** Requests received, preflights excluded. */
  requests: number;
  /** CORS preflights (OPTIONS) received. */
  preflights: number;
  /** Requests whose connection the client closed before any answer. */
  abandoned: number;
  /** Arrival times (ms, `performance.now()`), one per request. */
  arrivals: number[];
}

export interface BrowserServers {
  /** Origin serving `/` (the page) and `/bundle.js`. */
  readonly pageUrl: string;
  /** Origin of the endpoints (another port: cross-origin). */
  readonly apiUrl: string;
  stats(kind: string, id: string): EndpointStats;
  /** Stops both servers, destroying open (hanging) connections. */
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>resilient-axios in a browser</title></head>
<body><script src="/bundle.js"></script></body></html>
`;

async function listen(server: Server, sockets: Set<Socket>): Promise<string> {
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => resolve());
  });
  return `http://${HOST}:${(server.address() as AddressInfo).port}`;
}

export async function startServers(bundle: string): Promise<BrowserServers> {
  const sockets = new Set<Socket>();
  const table = new Map<string, EndpointStats>();
  const stats = (kind: string, id: string): EndpointStats => {
    const key = `${kind}/${id}`;
    let s = table.get(key);
    if (s === undefined) table.set(key, (s = { requests: 0, preflights: 0, abandoned: 0, arrivals: [] }));
    return s;
  };

  const page = createServer((req, res) => {
    if (req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
    } else if (req.url === '/bundle.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' }).end(bundle);
    } else {
      res.writeHead(404).end();
    }
  });
  const pageUrl = await listen(page, sockets);

  const cors = {
    'access-control-allow-origin': pageUrl,
    'access-control-expose-headers': 'Retry-After',
    vary: 'Origin',
  };

  const api = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const [, kind = '', id = ''] = url.pathname.split('/');
    const s = stats(kind, id);
    if (req.method === 'OPTIONS') {
      s.preflights++;
      res.writeHead(204, {
        ...cors,
        'access-control-allow-methods': 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS',
        'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '*',
        'access-control-max-age': '600',
      }).end();
      return;
    }
    s.requests++;
    s.arrivals.push(performance.now());
    res.on('close', () => {
      if (!res.writableEnded) s.abandoned++;
    });
    const json = (status: number, body: unknown, extra: Record<string, string> = {}): void => {
      res.writeHead(status, { ...cors, ...extra, 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
    };
    switch (kind) {
      case 'flaky':
        if (s.requests === 1) json(503, { error: 'unavailable' });
        else json(200, { hits: s.requests });
        return;
      case 'retry-after':
        if (s.requests === 1) json(503, { error: 'busy' }, { 'retry-after': url.searchParams.get('s') ?? '0' });
        else json(200, { hits: s.requests });
        return;
      case 'fail':
        json(503, { error: 'down' });
        return;
      case 'hang':
        return; // never answers
      default:
        json(404, { error: 'no such endpoint' });
    }
  });
  const apiUrl = await listen(api, sockets);

  let closed: Promise<void> | undefined;
  return {
    pageUrl,
    apiUrl,
    stats,
    close(): Promise<void> {
      closed ??= (async () => {
        const done = Promise.all([page, api].map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
        for (const socket of sockets) socket.destroy();
        await done;
      })();
      return closed;
    },
  };
}
