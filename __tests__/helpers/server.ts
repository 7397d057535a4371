/**
 * A small scriptable fault server for integration tests: a real Node `http`
 * server on 127.0.0.1 (port 0), never any other address.
 *
 * `startServer(script)` answers the n-th request with the n-th behaviour of
 * `script` (the last one repeats); `startServer(handler)` lets a function answer.
 * Every request is recorded (method, url, headers, body) in arrival order.
 * `close()` destroys every open socket, hanging ones included, and clears the
 * server's own timers, so jest's --detectOpenHandles stays clean.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What the server saw of one request. */
export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  /** Node's lower-cased header map. */
  readonly headers: IncomingHttpHeaders;
  /** The body as text; '' until it has been read in full. */
  body: string;
  /** 0-based arrival index. */
  readonly index: number;
}

/** An answer: status (default 200), headers, and a JSON or text body, optionally after a delay. */
export interface Reply {
  readonly status?: number;
  readonly headers?: OutgoingHttpHeaders;
  readonly json?: unknown;
  readonly body?: string;
  /** Wait this long (after the request body arrived) before answering. */
  readonly delayMs?: number;
}

/**
 * One scripted behaviour: a reply, `'reset'` (destroy the socket before
 * answering), `'hang'` (never answer), or a function computing one of those
 * from the recorded request.
 */
export type Behaviour = Reply | 'reset' | 'hang' | ((req: RecordedRequest) => Reply | 'reset' | 'hang');

/** A free-form handler; the request body has been read into `recorded.body` already. */
export type Handler = (req: IncomingMessage, res: ServerResponse, recorded: RecordedRequest) => void;

export interface TestServer {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  readonly url: string;
  readonly port: number;
  /** Every request received, in arrival order. */
  readonly requests: RecordedRequest[];
  /** Stops listening and destroys every socket, hanging ones included. Idempotent. */
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

function send(res: ServerResponse, reply: Reply): void {
  const headers: OutgoingHttpHeaders = { ...reply.headers };
  let payload: string | undefined;
  if (reply.json !== undefined) {
    payload = JSON.stringify(reply.json);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  } else if (reply.body !== undefined) {
    payload = reply.body;
  }
  res.writeHead(reply.status ?? 200, headers);
  res.end(payload);
}

/** Starts a server on 127.0.0.1, port 0, answering by `script` (in order, the last repeating) or by `handler`. */
export async function startServer(scriptOrHandler: readonly Behaviour[] | Handler): Promise<TestServer> {
  if (Array.isArray(scriptOrHandler) && scriptOrHandler.length === 0) throw new Error('startServer: empty script');
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let closed = false;

  const behave = (req: IncomingMessage, res: ServerResponse, recorded: RecordedRequest, behaviour: Behaviour): void => {
    const b = typeof behaviour === 'function' ? behaviour(recorded) : behaviour;
    if (b === 'hang') return;
    if (b === 'reset') {
      req.socket.destroy();
      return;
    }
    if (b.delayMs !== undefined && b.delayMs > 0) {
      const t = setTimeout(() => {
        timers.delete(t);
        if (!res.destroyed) send(res, b);
      }, b.delayMs);
      timers.add(t);
      return;
    }
    send(res, b);
  };

  const server = createServer((req, res) => {
    const recorded: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: '', index: requests.length };
    requests.push(recorded);
    // The behaviour is chosen on arrival, so concurrent requests consume the script in arrival order.
    const script = Array.isArray(scriptOrHandler) ? (scriptOrHandler as readonly Behaviour[]) : undefined;
    const behaviour = script === undefined ? undefined : script[Math.min(recorded.index, script.length - 1)];
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => undefined);
    req.on('end', () => {
      recorded.body = Buffer.concat(chunks).toString('utf8');
      if (behaviour !== undefined) behave(req, res, recorded, behaviour);
      else (scriptOrHandler as Handler)(req, res, recorded);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${HOST}:${port}`,
    port,
    requests,
    close: () => {
      if (closed) return Promise.resolve();
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        sockets.clear();
      });
    },
  };
}

/** A port on 127.0.0.1 that nothing listens on (listen on 0, close, return it): connecting gives ECONNREFUSED. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * For a test file: returns `serve(script)`, which starts a server that is
 * closed (sockets destroyed) after each test. Call it at the top level.
 */
export function serversClosedAfterEach(): (script: readonly Behaviour[] | Handler) => Promise<TestServer> {
  const servers: TestServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  return async (script) => {
    const server = await startServer(script);
    servers.push(server);
    return server;
  };
}
