/**
 * Hedged requests on real loopback sockets: the loser's request is really
 * aborted (the server sees its connection close), whichever attempt wins, and
 * the caller gets the winner's response once. `delayMs: 0` sends the copies
 * together, so nothing here waits on wall-clock time: the server decides
 * which copy answers.
 */
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { attemptOf } from '../../lib/call/call.js';
import { ResilientClient } from '../../lib/resilient-client.js';
import { serversClosedAfterEach } from '../helpers/server.js';
import type { RecordedRequest } from '../helpers/server.js';

const serve = serversClosedAfterEach();

/**
 * A server that holds some attempts open (never answered) and answers the others
 * at once (or once attempt `answerOnceArrived` has arrived), by the attempt
 * number the client put in `x-attempt`; tells when a held attempt's socket closes.
 */
async function heldServer(hold: (attempt: number) => boolean, answerOnceArrived = 0) {
  const closed: number[] = [];
  const waiters = new Map<number, () => void>();
  const arrived = new Set<number>();
  const pending: (() => void)[] = [];
  const server = await serve((req: IncomingMessage, res: ServerResponse, recorded: RecordedRequest) => {
    const attempt = Number(recorded.headers['x-attempt']);
    arrived.add(attempt);
    if (!hold(attempt)) {
      const answer = (): void => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ attempt }));
      };
      // An answer can wait for a later copy to arrive, so that a busy machine cannot decide the race for us.
      if (answerOnceArrived > 0 && !arrived.has(answerOnceArrived)) pending.push(answer);
      else answer();
      return;
    }
    if (attempt === answerOnceArrived) for (const answer of pending.splice(0)) answer();
    req.socket.once('close', () => {
      closed.push(attempt);
      waiters.get(attempt)?.();
    });
  });
  const socketClosed = (attempt: number): Promise<void> =>
    closed.includes(attempt) ? Promise.resolve() : new Promise<void>((resolve) => waiters.set(attempt, resolve));
  return { server, closed, socketClosed };
}

/** A client that tells the server each attempt's number. */
function client(baseURL: string, agent: http.Agent, maxHedges = 1): ResilientClient {
  const c = new ResilientClient({ baseURL, httpAgent: agent, hedge: { delayMs: 0, maxHedges } });
  c.axios.interceptors.request.use((config) => {
    config.headers.set('x-attempt', String(attemptOf(config)?.attempt));
    return config;
  });
  return c;
}

test('a copy wins: the first attempt is aborted and its connection closes', async () => {
  const { server, socketClosed } = await heldServer((n) => n === 1);
  const agent = new http.Agent({ keepAlive: true });
  const c = client(server.url, agent);
  const ends: string[] = [];
  c.on('attempt-end', (e) => ends.push(`#${e.attempt} ${e.outcome} ${e.status ?? e.code}`));
  const response = await c.get<{ attempt: number }>('/item');
  expect(response.data).toEqual({ attempt: 2 });
  await socketClosed(1);
  expect(ends).toEqual(['#2 response 200', '#1 aborted ERR_HEDGE_LOST']);
  expect(c.stats()).toMatchObject({ inFlight: 0, hedges: { sent: 1, won: 1 } });
  expect(c.circuit()?.stats).toMatchObject({ failures: 0, ignored: 1, successes: 1 });
  agent.destroy();
});

test('the first attempt wins: the copy is aborted and its connection closes', async () => {
  const { server, socketClosed } = await heldServer((n) => n === 2, 2);
  const agent = new http.Agent({ keepAlive: true });
  const c = client(server.url, agent);
  let responses = 0;
  c.axios.interceptors.response.use((r) => {
    responses++;
    return r;
  });
  const response = await c.get<{ attempt: number }>('/item');
  expect(response.data).toEqual({ attempt: 1 });
  await socketClosed(2);
  expect(server.requests).toHaveLength(2);
  expect(responses).toBe(1);
  expect(c.stats()).toMatchObject({ inFlight: 0, hedges: { sent: 1, won: 0 } });
  agent.destroy();
});

test('with two copies, both losers close their connections', async () => {
  const { socketClosed, server } = await heldServer((n) => n !== 3);
  const agent = new http.Agent({ keepAlive: true });
  const c = client(server.url, agent, 2);
  const response = await c.get<{ attempt: number }>('/item');
  expect(response.data).toEqual({ attempt: 3 });
  await Promise.all([socketClosed(1), socketClosed(2)]);
  expect(c.stats()).toMatchObject({ inFlight: 0, attempts: 3 });
  agent.destroy();
});
