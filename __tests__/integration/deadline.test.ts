/**
 * Deadlines and cancellation on real sockets (127.0.0.1, port 0) with axios's
 * own http adapter: a server that accepts requests and never answers. The call
 * must end on time, and the server must see every socket closed (the request
 * is really cancelled, not abandoned). One test keeps the real system clock
 * with deliberately generous bounds; the attempt-by-attempt one runs the
 * client on a FakeClock, so its timeline is exact while its sockets are real.
 * Exact timing is covered in call/runner.time-budget.test.ts.
 */
import axios from 'axios';
import { DeadlineExceededError, ResilientClient } from '../../lib/index.js';
import type { ResilientClientConfig } from '../../lib/index.js';
import { rejection, track } from '../helpers/engine-harness.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { eventually } from '../helpers/real-io.js';
import { recordEvents } from '../helpers/record-events.js';
import { serversClosedAfterEach } from '../helpers/server.js';

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

const loopback = serversClosedAfterEach();

/** A server that accepts every request and never answers; records each request and when its socket closed. */
async function serve(): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = await loopback((req) => {
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
  });
  return { url: server.url, seen };
}

const clients: ResilientClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.dispose();
});

function makeClient(config: ResilientClientConfig) {
  const client = new ResilientClient({ random: () => 0.5, ...config });
  clients.push(client);
  return { client, events: recordEvents(client, 'attempt', 'failure') };
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
async function seenAtLeast(server: { seen: Seen[] }, n: number, ms = 2000): Promise<void> {
  const until = performance.now() + ms;
  while (server.seen.length < n && performance.now() < until) await delay(5);
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
    // Real time: never early; generous above (lateness under load is the benchmark's business, S6).
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(5_000);
    expect(events.failure.map((e) => e.reason)).toEqual(['deadline']);

    expect(server.seen).toHaveLength(1);
    await closedWithin(server.seen[0], 1000);
    expect(client.stats().inFlight).toBe(0);
  });

  test('attemptMs 100 within totalMs 350 (FakeClock): four attempts, each cut attempt\'s socket closed while the client waits, then the deadline', async () => {
    const server = await serve();
    const clock = new FakeClock();
    const { client, events } = makeClient({
      clock,
      baseURL: server.url,
      timeBudget: { totalMs: 350, attemptMs: 100 },
      retry: { maxAttempts: 10, backoff: { type: 'constant', baseMs: 10, jitter: 'none' } },
    });
    const start = clock.now();
    const attemptsAt: number[] = [];
    client.on('attempt', () => attemptsAt.push(clock.now() - start));
    const call = track(client.get('/never'));
    // Each step: once the server holds every attempt sent so far, the clock moves to the client's
    // next timer (an attempt's limit or the deadline, which cut the socket; or the 10 ms wait).
    while (call.state === 'pending') {
      await eventually(() => server.seen.length === events.attempt.length || call.state !== 'pending', 'the server receiving the attempt');
      if (client.stats().inFlight === 0 && events.attempt.length > 0) {
        // Waiting between attempts: the cut attempt's socket is closed already, before the next one
        // is sent (real I/O; the fake clock stands still meanwhile, so attempts cannot overlap).
        await closedWithin(server.seen[server.seen.length - 1], 1000);
      }
      await clock.advanceToNext();
    }
    const err = call.error as DeadlineExceededError & { resilience?: { reason: string; attempts: number; elapsedMs: number } };

    expect(err).toBeInstanceOf(DeadlineExceededError);
    expect(err.resilience).toMatchObject({ reason: 'deadline', attempts: 4, elapsedMs: 350 });
    // 0-100 cut by attemptMs, 10 ms wait, 110-210, 220-320, then 330-350 cut by the deadline.
    expect(attemptsAt).toEqual([0, 110, 220, 330]);
    expect(events.attempt.map((e) => e.timeoutMs)).toEqual([100, 100, 100, 20]);
    expect(events.failure.map((e) => e.reason)).toEqual(['deadline']);

    // Every attempt reached the server and had its socket closed (the last one by the deadline).
    expect(server.seen).toHaveLength(4);
    await Promise.all(server.seen.map((s) => closedWithin(s, 1000)));
    expect(client.stats().inFlight).toBe(0);
    expect(clock.pending).toBe(0);
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
