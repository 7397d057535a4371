/**
 * A fault-injecting HTTP server for samples, tests and benchmarks: a real Node
 * `http` server on 127.0.0.1 (port 0 unless told otherwise), never any other
 * address.
 *
 * Each route (an exact path, or a prefix ending in `*`) has a `Fault`: a
 * description of how to answer, evaluated per request. Terminal faults answer
 * (`ok`, `status`, `retryAfter`) or misbehave (`hang`, `reset`, `resetMidBody`,
 * `truncate`); combinators choose between them (`latency`, `flaky`, `random`,
 * `script`, `phases`, `fn`). Randomness comes from a seeded generator, so a run
 * with the same seed and the same arrival order behaves the same.
 *
 * Everything received is recorded: per route, per attempt (requests carrying
 * the same `Idempotency-Key` / `X-Request-Id` header), and what the server did
 * with each. `kill()` / `restart()` take the server down and bring it back on
 * the same port; `close()` destroys every socket, hanging ones included, and
 * clears every timer, so a process (or jest's --detectOpenHandles) is left clean.
 *
 * @example
 * const server = await startFaultServer({
 *   seed: 7,
 *   routes: {
 *     '/orders/*': fault.latency([5, 30], fault.flaky(0.2)),          // 20% 503, 5-30 ms
 *     '/quotes': fault.random(0.1, fault.retryAfter(429, 1), fault.ok()), // 10% 429 + Retry-After: 1
 *     '/stock': fault.phases([
 *       { name: 'healthy', for: 2_000, fault: fault.ok() },
 *       { name: 'outage', for: 3_000, fault: fault.status(503) },
 *       { name: 'recovery', fault: fault.ok() },
 *     ]),
 *   },
 * });
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { seededRandom } from './seeded-random.js';

const HOST = '127.0.0.1';

// ---- faults -----------------------------------------------------------------

/** An answer with a status (default 200), headers and a JSON (default) or text body. */
export interface ReplyFault {
  readonly kind: 'reply';
  readonly status: number;
  readonly headers?: OutgoingHttpHeaders;
  /** A JSON body; when neither `json` nor `body` is given, a small JSON body is made up. */
  readonly json?: unknown;
  readonly body?: string;
}

/** 429 or 503 (or any status) with `Retry-After`, computed when the answer is sent. */
export interface RetryAfterFault {
  readonly kind: 'retry-after';
  readonly status: number;
  /** Whole seconds for the HTTP-date form; any non-negative number for delta-seconds. */
  readonly seconds: number;
  /** `delta`: `Retry-After: 2`; `date`: an HTTP-date `seconds` after the response's own `Date` header. */
  readonly form: 'delta' | 'date';
}

/** Never answers (the socket stays open until the client gives up or the server closes). */
export interface HangFault {
  readonly kind: 'hang';
}

/** Resets the connection (TCP RST) once the request has arrived, before any response byte. */
export interface ResetFault {
  readonly kind: 'reset';
}

/** Sends the status line, headers and part of the body, then resets the connection. */
export interface ResetMidBodyFault {
  readonly kind: 'reset-mid-body';
  readonly status: number;
  /** Bytes of body sent before the reset. */
  readonly sentBytes: number;
  /** The Content-Length announced; `undefined`: chunked encoding, no length announced. */
  readonly declaredBytes: number | undefined;
}

/** Announces a Content-Length larger than what it sends, then closes the connection cleanly (FIN). */
export interface TruncateFault {
  readonly kind: 'truncate';
  readonly status: number;
  readonly sentBytes: number;
  readonly declaredBytes: number;
}

/** Waits (a fixed time, or uniformly in [min, max]) before behaving like `then`. */
export interface LatencyFault {
  readonly kind: 'latency';
  readonly ms: number | readonly [number, number];
  readonly then: Fault;
}

/** With probability `rate` behaves like `fault`, else like `otherwise` (seeded). */
export interface RandomFault {
  readonly kind: 'random';
  readonly rate: number;
  readonly fault: Fault;
  readonly otherwise: Fault;
}

/** The n-th request to the route gets the n-th fault; the last one repeats. */
export interface ScriptFault {
  readonly kind: 'script';
  readonly steps: readonly Fault[];
}

/** One phase of a `phases` fault. */
export interface Phase {
  /** Shown in the request log (`ReceivedRequest.phase`) and by `phaseOf()`. */
  readonly name?: string;
  /** How long the phase lasts, in ms or in requests to the route (see `PhasesFault.by`). The last phase lasts for ever. */
  readonly for?: number;
  readonly fault: Fault;
}

/** Phases over time (ms since the server started or was `reset()`), or over the route's request count. */
export interface PhasesFault {
  readonly kind: 'phases';
  readonly by: 'ms' | 'requests';
  readonly phases: readonly Phase[];
}

/** Computes the fault per request. */
export interface FnFault {
  readonly kind: 'fn';
  readonly fn: (ctx: FaultContext) => Fault;
}

export type Fault =
  | ReplyFault
  | RetryAfterFault
  | HangFault
  | ResetFault
  | ResetMidBodyFault
  | TruncateFault
  | LatencyFault
  | RandomFault
  | ScriptFault
  | PhasesFault
  | FnFault;

/** What a fault sees when it is evaluated. */
export interface FaultContext {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  /** The route pattern that matched (`'*'` for the fallback). */
  readonly route: string;
  /** 0-based count of earlier requests to this route. */
  readonly routeIndex: number;
  /** 0-based count of earlier requests to the server. */
  readonly index: number;
  /** ms since the server started (or was `reset()`). */
  readonly elapsedMs: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The seeded random source of the server, uniform in [0, 1). */
  readonly random: () => number;
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  200: 'OK', 201: 'Created', 404: 'Not Found', 408: 'Request Timeout', 429: 'Too Many Requests',
  500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

/** Builders for `Fault`s. */
export const fault = {
  /** 200 (or `status`) with `json` (default `{ ok: true, ... }`). */
  ok(json?: unknown, init: { status?: number; headers?: OutgoingHttpHeaders } = {}): ReplyFault {
    return { kind: 'reply', status: init.status ?? 200, ...(init.headers === undefined ? {} : { headers: init.headers }), ...(json === undefined ? {} : { json }) };
  },
  /** A plain answer with that status and a small JSON error body. */
  status(status: number, init: { headers?: OutgoingHttpHeaders; json?: unknown; body?: string } = {}): ReplyFault {
    return { kind: 'reply', status, ...init };
  },
  /** `status` (429 or 503, typically) with `Retry-After`, as delta-seconds or as an HTTP-date. */
  retryAfter(status: number, seconds: number, form: 'delta' | 'date' = 'delta'): RetryAfterFault {
    return { kind: 'retry-after', status, seconds, form };
  },
  hang(): HangFault {
    return { kind: 'hang' };
  },
  reset(): ResetFault {
    return { kind: 'reset' };
  },
  /** Headers and `sentBytes` of body (default 16 of 64 announced), then a reset. `declaredBytes: undefined` uses chunked encoding. */
  resetMidBody(init: { status?: number; sentBytes?: number; declaredBytes?: number | undefined } = {}): ResetMidBodyFault {
    return { kind: 'reset-mid-body', status: init.status ?? 200, sentBytes: init.sentBytes ?? 16, declaredBytes: 'declaredBytes' in init ? init.declaredBytes : 64 };
  },
  /** Content-Length `declaredBytes` (default 64), only `sentBytes` (default 16) sent, then a clean close. */
  truncate(init: { status?: number; sentBytes?: number; declaredBytes?: number } = {}): TruncateFault {
    return { kind: 'truncate', status: init.status ?? 200, sentBytes: init.sentBytes ?? 16, declaredBytes: init.declaredBytes ?? 64 };
  },
  /** Waits `ms` (or uniformly in [min, max]) then behaves like `then` (default `ok()`). */
  latency(ms: number | readonly [number, number], then: Fault = fault.ok()): LatencyFault {
    return { kind: 'latency', ms, then };
  },
  /** With probability `rate`, `status` (default 503); else `then` (default `ok()`). */
  flaky(rate: number, init: { status?: number; then?: Fault } = {}): RandomFault {
    return { kind: 'random', rate, fault: fault.status(init.status ?? 503), otherwise: init.then ?? fault.ok() };
  },
  /** With probability `rate`, `f`; else `otherwise`. */
  random(rate: number, f: Fault, otherwise: Fault = fault.ok()): RandomFault {
    return { kind: 'random', rate, fault: f, otherwise };
  },
  /** The n-th request to the route gets `steps[n]`; the last step repeats. */
  script(steps: readonly Fault[]): ScriptFault {
    if (steps.length === 0) throw new Error('fault.script: no steps');
    return { kind: 'script', steps };
  },
  /** Healthy -> outage -> recovery, and the like: each phase lasts `for` ms (or requests, with `by: 'requests'`). */
  phases(phases: readonly Phase[], by: 'ms' | 'requests' = 'ms'): PhasesFault {
    if (phases.length === 0) throw new Error('fault.phases: no phases');
    return { kind: 'phases', by, phases };
  },
  fn(fn: (ctx: FaultContext) => Fault): FnFault {
    return { kind: 'fn', fn };
  },
} as const;

/** The faults that end an evaluation: what the server actually does. */
type Action = ReplyFault | RetryAfterFault | HangFault | ResetFault | ResetMidBodyFault | TruncateFault;

interface Resolved {
  action: Action;
  delayMs: number;
  phase: string | undefined;
}

function resolve(f: Fault, ctx: FaultContext): Resolved {
  let delayMs = 0;
  let phase: string | undefined;
  for (let depth = 0; ; depth++) {
    if (depth > 100) throw new Error('fault server: faults nested too deep (a cycle in fault.fn?)');
    switch (f.kind) {
      case 'latency': {
        const ms = f.ms;
        delayMs += typeof ms === 'number' ? ms : ms[0] + ctx.random() * (ms[1] - ms[0]);
        f = f.then;
        break;
      }
      case 'random':
        f = ctx.random() < f.rate ? f.fault : f.otherwise;
        break;
      case 'script':
        f = f.steps[Math.min(ctx.routeIndex, f.steps.length - 1)];
        break;
      case 'phases': {
        const at = f.by === 'ms' ? ctx.elapsedMs : ctx.routeIndex;
        const chosen = phaseAt(f, at);
        if (chosen.name !== undefined) phase = chosen.name;
        f = chosen.fault;
        break;
      }
      case 'fn':
        f = f.fn(ctx);
        break;
      default:
        return { action: f, delayMs, phase };
    }
  }
}

function phaseAt(f: PhasesFault, at: number): Phase {
  let end = 0;
  for (let i = 0; i < f.phases.length - 1; i++) {
    const p = f.phases[i];
    end += p.for ?? 0;
    if (at < end) return p;
  }
  return f.phases[f.phases.length - 1];
}

// ---- seeded random ------------------------------------------------------------

export { seededRandom };

// ---- the server ---------------------------------------------------------------

/** What the server did with a request. */
export type Outcome = 'reply' | 'retry-after' | 'hang' | 'reset' | 'reset-mid-body' | 'truncate';

/** One request the server received. */
export interface ReceivedRequest {
  /** 0-based arrival index on this server. */
  readonly index: number;
  readonly method: string;
  /** Path and query, as received. */
  readonly url: string;
  /** Path without the query. */
  readonly path: string;
  /** The route pattern that matched (`'*'` when none did). */
  readonly route: string;
  /** 0-based arrival index on that route. */
  readonly routeIndex: number;
  /** Node's lower-cased header map. */
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The value of the first `keyHeaders` header present (idempotency key, request id), if any. */
  readonly key: string | undefined;
  /** ms since the server started (or was `reset()`), on arrival. */
  readonly atMs: number;
  readonly outcome: Outcome;
  /** The status sent, for `reply`, `retry-after`, `reset-mid-body` and `truncate`. */
  readonly status: number | undefined;
  /** The name of the phase that applied, if the fault has named phases. */
  readonly phase: string | undefined;
}

export interface FaultServerOptions {
  /** Route pattern (exact path, or prefix ending in `*`; the longest match wins) to its fault. */
  readonly routes?: Readonly<Record<string, Fault>>;
  /** For paths no route matches. @default fault.ok() */
  readonly fallback?: Fault;
  /** Seed of the random source (latency, `random`, `flaky`). @default 1 */
  readonly seed?: number;
  /** Port to listen on, on 127.0.0.1. @default 0 (any free port) */
  readonly port?: number;
  /** Headers identifying one call across its attempts, first present wins. @default ['idempotency-key', 'x-request-id'] */
  readonly keyHeaders?: readonly string[];
}

/** Counts for one route. */
export interface RouteCounts {
  readonly requests: number;
  readonly byOutcome: Readonly<Partial<Record<Outcome, number>>>;
  readonly byStatus: Readonly<Record<number, number>>;
}

export interface FaultServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly url: string;
  readonly port: number;
  /** Every request received since the start (or `reset()`), in arrival order. */
  readonly requests: readonly ReceivedRequest[];
  /** Whether the server is listening (false between `kill()` and `restart()`, and after `close()`). */
  readonly listening: boolean;
  /** Sets (or replaces) the fault of a route pattern; `'*'` sets the fallback. */
  route(pattern: string, f: Fault): void;
  /** Requests received, on one route pattern (or a path that a pattern matches) or on the whole server. */
  count(route?: string): number;
  /** Requests per route pattern, with outcomes and statuses. */
  counts(): Readonly<Record<string, RouteCounts>>;
  /** Requests per call key (`keyHeaders`), optionally on one route: the attempts each call made. Requests without a key are left out. */
  attemptsByKey(route?: string): Map<string, number>;
  /** The name of the phase a route's fault is in now (for `phases` by time), if it has one. */
  phaseOf(route: string): string | undefined;
  /** Forgets every request and restarts the clock of time-based phases and the per-route counts of scripts. */
  reset(): void;
  /** Takes the server down: stops listening, destroys every socket and timer. The port is kept for `restart()`. */
  kill(): Promise<void>;
  /** Listens again on the same port after `kill()` (the request log and counts carry on). */
  restart(): Promise<void>;
  /** Stops for good: destroys every socket (hanging ones included) and timer. Idempotent. */
  close(): Promise<void>;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise<number>((resolvePort, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(port, HOST, () => {
      server.off('error', onError);
      resolvePort((server.address() as AddressInfo).port);
    });
  });
}

function defaultJson(status: number, ctx: { method: string; path: string; routeIndex: number }): unknown {
  if (status >= 200 && status < 300) return { ok: true, method: ctx.method, path: ctx.path, n: ctx.routeIndex + 1 };
  return { error: STATUS_TEXT[status] ?? `status ${status}` };
}

/** Starts a fault server on 127.0.0.1. */
export async function startFaultServer(options: FaultServerOptions = {}): Promise<FaultServer> {
  const routes = new Map<string, Fault>(Object.entries(options.routes ?? {}));
  let fallback: Fault = options.fallback ?? fault.ok();
  const seed = options.seed ?? 1;
  let random = seededRandom(seed);
  const keyHeaders = (options.keyHeaders ?? ['idempotency-key', 'x-request-id']).map((h) => h.toLowerCase());
  const requests: ReceivedRequest[] = [];
  const routeCounts = new Map<string, number>();
  const sockets = new Set<Socket>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let startedAt = performance.now();
  let closed = false;
  let up = false;

  const match = (path: string): string => {
    if (routes.has(path)) return path;
    let best: string | undefined;
    for (const pattern of routes.keys()) {
      if (!pattern.endsWith('*')) continue;
      const prefix = pattern.slice(0, -1);
      if (path.startsWith(prefix) && (best === undefined || prefix.length > best.length - 1)) best = pattern;
    }
    return best ?? '*';
  };
  const faultOf = (route: string): Fault => routes.get(route) ?? fallback;

  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const resetSocket = (socket: Socket): void => {
    // resetAndDestroy sends a TCP RST (Node >= 16.17); destroy() a FIN.
    if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
    else socket.destroy();
  };

  const act = (req: IncomingMessage, res: ServerResponse, action: Action, ctx: { method: string; path: string; routeIndex: number }): void => {
    if (res.destroyed || req.socket.destroyed) return;
    switch (action.kind) {
      case 'hang':
        return;
      case 'reset':
        resetSocket(req.socket);
        return;
      case 'reply': {
        const headers: OutgoingHttpHeaders = { ...action.headers };
        let payload: string;
        if (action.body !== undefined) {
          payload = action.body;
        } else {
          payload = JSON.stringify(action.json === undefined ? defaultJson(action.status, ctx) : action.json);
          if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
        }
        res.writeHead(action.status, headers);
        res.end(payload);
        return;
      }
      case 'retry-after': {
        const now = Date.now();
        // The date form is measured against the response's own Date header: send both from the same instant.
        const value = action.form === 'delta' ? String(action.seconds) : new Date(now + action.seconds * 1000).toUTCString();
        res.writeHead(action.status, { 'content-type': 'application/json', 'retry-after': value, date: new Date(now).toUTCString() });
        res.end(JSON.stringify({ error: STATUS_TEXT[action.status] ?? `status ${action.status}`, retryAfter: value }));
        return;
      }
      case 'reset-mid-body': {
        const headers: OutgoingHttpHeaders = { 'content-type': 'application/json' };
        if (action.declaredBytes !== undefined) headers['content-length'] = action.declaredBytes;
        res.writeHead(action.status, headers);
        res.write('x'.repeat(action.sentBytes));
        // Let the first bytes reach the client before the reset.
        later(10, () => resetSocket(req.socket));
        return;
      }
      case 'truncate': {
        res.writeHead(action.status, { 'content-type': 'application/json', 'content-length': action.declaredBytes });
        res.write('x'.repeat(action.sentBytes));
        later(10, () => req.socket.end());
        return;
      }
    }
  };

  const server = createServer((req, res) => {
    const arrivedAt = performance.now() - startedAt;
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const method = req.method ?? 'GET';
    const route = match(path);
    const routeIndex = routeCounts.get(route) ?? 0;
    routeCounts.set(route, routeIndex + 1);
    const index = requests.length;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => undefined);
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const ctx: FaultContext = { method, path, route, routeIndex, index, elapsedMs: arrivedAt, headers: req.headers, body, random };
      const { action, delayMs, phase } = resolve(faultOf(route), ctx);
      let key: string | undefined;
      for (const h of keyHeaders) {
        const v = req.headers[h];
        if (typeof v === 'string') {
          key = v;
          break;
        }
      }
      const status = action.kind === 'hang' || action.kind === 'reset' ? undefined : action.status;
      requests.push({ index, method, url, path, route, routeIndex, headers: req.headers, body, key, atMs: arrivedAt, outcome: action.kind, status, phase });
      if (delayMs > 0) later(delayMs, () => act(req, res, action, ctx));
      else act(req, res, action, ctx);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  const port = await listen(server, options.port ?? 0);
  up = true;

  const takeDown = (): Promise<void> => {
    for (const t of timers) clearTimeout(t);
    timers.clear();
    if (!up) return Promise.resolve();
    up = false;
    return new Promise<void>((done) => {
      server.close(() => done());
      for (const s of sockets) s.destroy();
      sockets.clear();
    });
  };

  const countsOf = (records: readonly ReceivedRequest[]): RouteCounts => {
    const byOutcome: Partial<Record<Outcome, number>> = {};
    const byStatus: Record<number, number> = {};
    for (const r of records) {
      byOutcome[r.outcome] = (byOutcome[r.outcome] ?? 0) + 1;
      if (r.status !== undefined) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
    }
    return { requests: records.length, byOutcome, byStatus };
  };
  const routeFilter = (route: string | undefined): ((r: ReceivedRequest) => boolean) => {
    if (route === undefined) return () => true;
    const pattern = routes.has(route) || route === '*' ? route : match(route);
    return (r) => r.route === pattern;
  };

  return {
    url: `http://${HOST}:${port}`,
    port,
    requests,
    get listening() {
      return up;
    },
    route(pattern, f) {
      if (pattern === '*') fallback = f;
      else routes.set(pattern, f);
    },
    count(route) {
      return route === undefined ? requests.length : requests.filter(routeFilter(route)).length;
    },
    counts() {
      const byRoute = new Map<string, ReceivedRequest[]>();
      for (const r of requests) {
        const list = byRoute.get(r.route) ?? [];
        list.push(r);
        byRoute.set(r.route, list);
      }
      const out: Record<string, RouteCounts> = {};
      for (const [route, list] of byRoute) out[route] = countsOf(list);
      return out;
    },
    attemptsByKey(route) {
      const keep = routeFilter(route);
      const out = new Map<string, number>();
      for (const r of requests) if (r.key !== undefined && keep(r)) out.set(r.key, (out.get(r.key) ?? 0) + 1);
      return out;
    },
    phaseOf(route) {
      let f: Fault = faultOf(routes.has(route) ? route : match(route));
      const elapsed = performance.now() - startedAt;
      let name: string | undefined;
      while (f.kind === 'phases' || f.kind === 'latency') {
        if (f.kind === 'latency') {
          f = f.then;
          continue;
        }
        if (f.by !== 'ms') break;
        const p = phaseAt(f, elapsed);
        name = p.name ?? name;
        f = p.fault;
      }
      return name;
    },
    reset() {
      requests.length = 0;
      routeCounts.clear();
      startedAt = performance.now();
      random = seededRandom(seed);
    },
    kill: takeDown,
    async restart() {
      if (closed) throw new Error('fault server: restart() after close()');
      if (up) return;
      await listen(server, port);
      up = true;
    },
    close() {
      closed = true;
      return takeDown();
    },
  };
}
