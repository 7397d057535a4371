/**
 * Deadlines and cancellation on real sockets (127.0.0.1, port 0) with the
 * real system clock and axios's own http adapter: a server that accepts
 * requests and never answers. The call must end on time, and the server must
 * see every socket closed (the request is really cancelled, not abandoned).
 * Time bounds are deliberately generous; exact timing is covered with a fake
 * clock in time-budget.test.ts.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import axios from 'axios';
import { DeadlineExceededError, ResilientClient } from '../../lib/index.js';
import type { AttemptEvent, FailureEvent, ResilientClientConfig, WithResilience } from '../../lib/index.js';

/** What the server saw of one request. */
interface Seen {
  readonly url: string;
  /** performance.now() when the request arrived. */
  readonly at: number;
  /** performance.now() when its socket closed, if it has. */
  closedAt: number | undefined;
  /** Resolves when the socket closes. */
  readonly closed: Promise<void>;
}

interface HangingServer {
  readonly url: string;
  readonly seen: Seen[];
  close(): Promise<void>;
}

/** Accepts every request and never answers. Records each request and when its socket closed. */
async function hangingServer(): Promise<HangingServer> {
  const seen: Seen[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req) => {
    let markClosed: () => void = () => undefined;
    const closed = new Promise<void>((resolve) => (markClosed = resolve));
    const entry: Seen = { url: req.url ?? '', at: performance.now(), closedAt: undefined, closed };
    seen.push(entry);
    const onClose = (): void => {
      entry.closedAt ??= performance.now();
      markClosed();
    };
    if (req.socket.destroyed) onClose();
    else req.socket.once('close', onClose);
    req.resume();
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        sockets.clear();
      }),
  };
}

const servers: HangingServer[] = [];
const clients: ResilientClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.dispose();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(): Promise<HangingServer> {
  const s = await hangingServer();
  servers.push(s);
  return s;
}

function makeClient(config: ResilientClientConfig) {
  const client = new ResilientClient({ random: () => 0.5, ...config });
  clients.push(client);
  const events = { attempt: [] as AttemptEvent[], failure: [] as FailureEvent[] };
  client.on('attempt', (e) => events.attempt.push(e));
  client.on('failure', (e) => events.failure.push(e));
  return { client, events };
}

/** Resolves after `ms` (unref'd: never keeps the process alive). */
const delay = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms).unref();
  });

/** Waits until the socket of `s` closed, or fails after `ms`. */
async function closedWithin(s: Seen, ms: number): Promise<void> {
  await Promise.race([s.closed, delay(ms)]);
  if (s.closedAt === undefined) throw new Error(`socket of ${s.url} still open ${ms} ms later`);
}

/** Waits until the server has seen `n` requests (or `ms` passed). */
async function seenAtLeast(server: HangingServer, n: number, ms = 2000): Promise<void> {
  const until = performance.now() + ms;
  while (server.seen.length < n && performance.now() < until) await delay(5);
}

async function rejection(p: Promise<unknown>): Promise<WithResilience> {
  try {
    await p;
  } catch (err) {
    return err as WithResilience;
  }
  throw new Error('expected the call to reject, it resolved');
}

describe('deadline on real sockets', () => {
  test('a server that never answers: DeadlineExceededError in about totalMs, and the socket is closed', async () => {
    const server = await serve();
    const { client, events } = makeClient({ baseURL: server.url, timeBudget: { totalMs: 300 } });
    const start = performance.now();
    const err = await rejection(client.get('/never'));
    const took = performance.now() - start;

    expect(err).toBeInstanceOf(DeadlineExceededError);
    expect(axios.isAxiosError(err)).toBe(true);
    expect(err.code).toBe('ERR_DEADLINE_EXCEEDED');
    expect((err as DeadlineExceededError).totalMs).toBe(300);
    expect(err.resilience?.reason).toBe('deadline');
    expect(err.resilience?.attempts).toBe(1);
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(2000);
    expect(events.failure.map((e) => e.reason)).toEqual(['deadline']);

    expect(server.seen).toHaveLength(1);
    await closedWithin(server.seen[0], 1000);
    expect(client.stats().inFlight).toBe(0);
  });

  test('attemptMs 100 within totalMs 350: several attempts, each socket closed, then the deadline', async () => {
    const server = await serve();
    const { client, events } = makeClient({
      baseURL: server.url,
      timeBudget: { totalMs: 350, attemptMs: 100 },
      retry: { maxAttempts: 10, backoff: { type: 'constant', baseMs: 10, jitter: 'none' } },
    });
    const start = performance.now();
    const err = await rejection(client.get('/never'));
    const took = performance.now() - start;

    expect(err).toBeInstanceOf(DeadlineExceededError);
    expect(err.resilience?.reason).toBe('deadline');
    expect(took).toBeGreaterThanOrEqual(300);
    expect(took).toBeLessThan(2000);
    expect(events.attempt.length).toBeGreaterThanOrEqual(2);
    expect(events.attempt.every((e) => e.timeoutMs <= 100)).toBe(true);
    expect(events.failure.map((e) => e.reason)).toEqual(['deadline']);

    // Every attempt that reached the server had its socket closed (a very short last attempt may not reach it).
    await seenAtLeast(server, 2);
    expect(server.seen.length).toBeGreaterThanOrEqual(2);
    expect(server.seen.length).toBeLessThanOrEqual(events.attempt.length);
    await Promise.all(server.seen.map((s) => closedWithin(s, 1000)));
    // Attempts did not overlap: each started after the previous one's socket closed.
    for (let i = 1; i < server.seen.length; i++) {
      expect(server.seen[i].at).toBeGreaterThanOrEqual(server.seen[i - 1].closedAt as number);
    }
    expect(client.stats().inFlight).toBe(0);
  });
});

describe('cancellation on real sockets', () => {
  test("the caller's AbortController closes the socket; reason aborted; not retried", async () => {
    const server = await serve();
    const { client, events } = makeClient({ baseURL: server.url, timeBudget: { totalMs: 5000, attemptMs: 2000 } });
    const controller = new AbortController();
    const call = rejection(client.get('/abort-me', { signal: controller.signal }));
    await seenAtLeast(server, 1);
    expect(server.seen).toHaveLength(1);
    controller.abort();
    const err = await call;
    expect(axios.isCancel(err)).toBe(true);
    expect(err.resilience?.reason).toBe('aborted');
    expect(events.failure.map((e) => e.reason)).toEqual(['aborted']);
    await closedWithin(server.seen[0], 1000);
    await delay(50);
    expect(server.seen).toHaveLength(1);
    expect(client.stats().inFlight).toBe(0);
    expect(client.circuit()?.stats).toMatchObject({ failures: 0, ignored: 1 });
  });

  test('a CancelToken cancel closes the socket and ends the call like a signal does', async () => {
    const server = await serve();
    const { client, events } = makeClient({ baseURL: server.url, timeBudget: { totalMs: 5000, attemptMs: 2000 } });
    const source = axios.CancelToken.source();
    const call = rejection(client.get('/cancel-me', { cancelToken: source.token }));
    await seenAtLeast(server, 1);
    expect(server.seen).toHaveLength(1);
    source.cancel('navigated away');
    const err = await call;
    expect(axios.isCancel(err)).toBe(true);
    await closedWithin(server.seen[0], 1000);
    // The engine saw the end of the call: one failure event, the attempt timer and the breaker permit released.
    expect(events.failure.map((e) => e.reason)).toEqual(['aborted']);
    expect(err.resilience?.reason).toBe('aborted');
    expect(client.stats()).toMatchObject({ failures: 1, inFlight: 0 });
    expect(client.circuit()?.stats).toMatchObject({ calls: 1, failures: 0, ignored: 1 });
  });

  test('dispose() aborts an attempt in flight: CanceledError, the socket is closed', async () => {
    const server = await serve();
    const { client, events } = makeClient({ baseURL: server.url, timeBudget: { totalMs: 5000, attemptMs: 2000 } });
    const call = rejection(client.get('/dispose-me'));
    await seenAtLeast(server, 1);
    client.dispose();
    const err = await call;
    expect(axios.isCancel(err)).toBe(true);
    expect(err.resilience?.reason).toBe('aborted');
    expect(events.failure.map((e) => e.reason)).toEqual(['aborted']);
    await closedWithin(server.seen[0], 1000);
    expect(client.stats().inFlight).toBe(0);
  });
});
