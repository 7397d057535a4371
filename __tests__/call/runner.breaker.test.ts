/**
 * Circuit breakers through the client, driven by a FakeClock and an adapter the
 * test controls: what counts as a failure (every attempt, inside the retry
 * loop), trip rules, breaker keys, per-request bypass, `maxKeys`, `circuit()`,
 * run-time `configure()` and HALF_OPEN trial slots.
 */
import axios, { AxiosError } from 'axios';
import { CircuitOpenError, DeadlineExceededError } from '../../lib/report/errors.js';
import type { WithResilience } from '../../lib/report/errors.js';
import type { ResilientClientConfig } from '../../lib/resilient-client.js';
import { ORIGIN, drive, fakeClockClient, rejection, settleChain, track } from '../helpers/engine-harness.js';
import type { Answer } from '../helpers/engine-harness.js';

const BREAKER_EVENTS = ['circuit-open', 'circuit-half-open', 'circuit-close', 'circuit-reject'] as const;

/** A client on a FakeClock whose adapter answers by `answer`, recording breaker events, success and failure. */
function setup(config: ResilientClientConfig = {}, answer: (url: string, index: number) => Answer = () => 'hang') {
  const harness = fakeClockClient(config, { answer, record: [...BREAKER_EVENTS, 'success', 'failure'] });
  const { entries } = harness.events;
  /** Every breaker event in order, as `type key` (`open http://api.test:80`). */
  const breakerLog = (): string[] =>
    entries.flatMap(([name, e]) => (name.startsWith('circuit-') ? [`${name.slice('circuit-'.length)} ${(e as { key: string }).key}`] : []));
  return { ...harness, breakerLog };
}

/** A status per call, in order; the last one repeats. */
function script(...statuses: Answer[]): (url: string, index: number) => Answer {
  return (_url, i) => statuses[Math.min(i, statuses.length - 1)];
}


const NO_RETRY = { retry: false } as const;

describe('every attempt is recorded: the breaker sits inside the retry loop', () => {
  test('retries count one by one; the breaker opens mid-call and the call stops at once with reason circuit-open', async () => {
    const { clock, client, exchanges, events } = setup(
      {
        retry: { maxAttempts: 3, backoff: { type: 'constant', baseMs: 100, jitter: 'none' } },
        circuitBreaker: { trip: { type: 'consecutive', failures: 5 }, openMs: 30_000 },
      },
      () => 503,
    );

    const first = await drive(clock, client.get('/a'));
    expect(first.error).toBeInstanceOf(AxiosError);
    expect((first.error as WithResilience).resilience).toMatchObject({ attempts: 3, reason: 'exhausted' });
    expect(client.circuit()?.stats).toMatchObject({ state: 'CLOSED', calls: 3, failures: 3, successes: 0 });
    expect(events['circuit-open']).toEqual([]);

    // Attempts 4 and 5 of the breaker's run: it opens after the 2nd attempt of this call,
    // whose backoff (100 ms) is far shorter than openMs: no wait, no third request.
    const sleepsBefore = clock.sleeps.length;
    const second = track(client.get('/b'));
    await settleChain();
    await clock.advance(100);
    await second.done;
    expect(second.state).toBe('rejected');
    const err = second.error as CircuitOpenError & WithResilience;
    expect(err).toBeInstanceOf(CircuitOpenError);
    expect(err.code).toBe('ERR_CIRCUIT_OPEN');
    expect(err.key).toBe(ORIGIN);
    expect(err.remainingMs).toBe(30_000);
    expect(err.resilience).toMatchObject({ attempts: 2, reason: 'circuit-open', elapsedMs: 100 });
    // The last attempt's error is kept as the cause.
    expect(axios.isAxiosError(err.cause)).toBe(true);
    expect((err.cause as AxiosError).response?.status).toBe(503);
    expect(exchanges.map((x) => x.url)).toEqual(['/a', '/a', '/a', '/b', '/b']);
    expect(events['circuit-open']).toEqual([{ key: ORIGIN, failures: 5 }]);
    expect(events.failure.map((e) => e.reason)).toEqual(['exhausted', 'circuit-open']);
    // Only the attempt timers and the one 100 ms wait of this call: no wait after the breaker opened.
    expect(clock.sleeps.slice(sleepsBefore).filter((ms) => ms === 100)).toEqual([100]);
    expect(clock.pending).toBe(0);

    // Later calls are refused before anything is sent.
    const third = await rejection(client.get('/c'));
    expect(third).toBeInstanceOf(CircuitOpenError);
    expect(third.resilience).toEqual({ attempts: 0, elapsedMs: 0, reason: 'circuit-open' });
    expect(exchanges).toHaveLength(5);
    expect(client.stats()).toMatchObject({ calls: 3, attempts: 5, failures: 3, successes: 0 });
    expect(client.stats().rejections).toBe(2);
  });

  test('a retry that succeeds records the failure and then the success', async () => {
    const { clock, client } = setup(
      { retry: { backoff: { type: 'constant', baseMs: 10, jitter: 'none' } }, circuitBreaker: { trip: { type: 'consecutive', failures: 3 } } },
      script(503, 503, 200, 503, 503, 200),
    );
    expect((await drive(clock, client.get('/x'))).value?.status).toBe(200);
    expect((await drive(clock, client.get('/x'))).value?.status).toBe(200);
    // Each call ended with a success, which resets the consecutive run: 4 failures, never 3 in a row.
    expect(client.circuit()?.stats).toMatchObject({ state: 'CLOSED', calls: 6, failures: 4, successes: 2 });
  });
});

describe('what counts as a failure', () => {
  test('404 and other 4xx count as successes (the server is healthy)', async () => {
    const { client, events } = setup(
      { ...NO_RETRY, circuitBreaker: { trip: { type: 'consecutive', failures: 2 } } },
      script(503, 404, 503, 400, 503, 401, 409, 503, 503),
    );
    for (let i = 0; i < 8; i++) await client.get('/r').catch(() => undefined);
    // 503 404 503 400 503 401 409 503: never two failures in a row.
    expect(client.circuit()?.stats).toMatchObject({ state: 'CLOSED', calls: 8, failures: 4, successes: 4 });
    expect(events['circuit-open']).toEqual([]);
    await client.get('/r').catch(() => undefined);
    expect(events['circuit-open']).toEqual([{ key: ORIGIN, failures: 2 }]);
  });

  test('408 and 429 count as failures, like 5xx', async () => {
    const { client, events } = setup({ ...NO_RETRY, circuitBreaker: { trip: { type: 'consecutive', failures: 3 } } }, script(408, 429, 200, 429, 408, 501));
    for (let i = 0; i < 6; i++) await client.get('/r').catch(() => undefined);
    expect(events['circuit-open']).toEqual([{ key: ORIGIN, failures: 3 }]);
    expect(client.circuit()?.stats).toMatchObject({ state: 'OPEN', failures: 5, successes: 1 });
  });

  test('network errors, attempt timeouts and attempts cut by the deadline count as failures', async () => {
    const { clock, client, events } = setup(
      { ...NO_RETRY, circuitBreaker: { trip: { type: 'consecutive', failures: 3 } }, timeBudget: { attemptMs: 100 } },
      script('econnrefused', 'hang', 'hang'),
    );
    const refused = await rejection(client.get('/n'));
    expect(refused.code).toBe('ECONNREFUSED');
    const timedOut = track(client.get('/t'));
    await settleChain();
    await clock.advance(100);
    await timedOut.done;
    expect((timedOut.error as AxiosError).code).toBe('ETIMEDOUT');
    expect(client.circuit()?.stats).toMatchObject({ state: 'CLOSED', failures: 2 });
    const cut = track(client.get('/d', { resilience: { timeBudget: { totalMs: 50 } } }));
    await settleChain();
    await clock.advance(50);
    await cut.done;
    expect(cut.error).toBeInstanceOf(DeadlineExceededError);
    expect(events['circuit-open']).toEqual([{ key: ORIGIN, failures: 3 }]);
    expect(client.circuit()?.stats).toMatchObject({ state: 'OPEN', calls: 3, failures: 3, ignored: 0 });
  });

  test('a call the caller aborts counts as neither (stats.ignored), in flight or during a backoff wait', async () => {
    const { clock, client, exchanges, events } = setup(
      {
        retry: { backoff: { type: 'constant', baseMs: 500, jitter: 'none' } },
        circuitBreaker: { trip: { type: 'consecutive', failures: 1 } },
      },
      script('hang', 503),
    );
    const ac = new AbortController();
    const inFlight = track(client.get('/slow', { signal: ac.signal }));
    await settleChain();
    expect(exchanges).toHaveLength(1);
    ac.abort();
    await inFlight.done;
    expect(axios.isCancel(inFlight.error)).toBe(true);
    expect((inFlight.error as WithResilience).resilience?.reason).toBe('aborted');
    expect(exchanges[0].aborted).toBe(true);
    expect(client.circuit()?.stats).toMatchObject({ state: 'CLOSED', calls: 1, ignored: 1, failures: 0, successes: 0 });

    // A 503 (one failure) then an abort during the backoff wait: nothing more is recorded.
    const { client: c2, clock: clock2, exchanges: x2 } = setup(
      { retry: { backoff: { type: 'constant', baseMs: 500, jitter: 'none' } }, circuitBreaker: { trip: { type: 'consecutive', failures: 2 } } },
      () => 503,
    );
    const ac2 = new AbortController();
    const waiting = track(c2.get('/w', { signal: ac2.signal }));
    await settleChain();
    await clock2.advance(200);
    expect(x2).toHaveLength(1);
    ac2.abort();
    await waiting.done;
    expect(axios.isCancel(waiting.error)).toBe(true);
    expect((waiting.error as WithResilience).resilience?.reason).toBe('aborted');
    expect(c2.circuit()?.stats).toMatchObject({ state: 'CLOSED', calls: 1, failures: 1, ignored: 0 });
    expect(events['circuit-open']).toEqual([]);
    expect(clock.pending).toBe(0);
    expect(clock2.pending).toBe(0);
  });
});

describe('trip rules through the client', () => {
  test("rate rule: opens once the window holds >= minimumCalls and failures/calls >= threshold", async () => {
    const { clock, client, exchanges, events } = setup(
      { ...NO_RETRY, circuitBreaker: { trip: { type: 'rate', threshold: 0.5, minimumCalls: 4, windowMs: 10_000 }, openMs: 5_000 } },
      script(503, 503, 503, 200, 200, 503, 503),
    );
    // Three failures, then the window passes: they are forgotten (3 calls < minimumCalls anyway).
    for (let i = 0; i < 3; i++) await client.get('/r').catch(() => undefined);
    expect(events['circuit-open']).toEqual([]);
    await clock.advance(10_000);
    // 200, 200: 2 calls, 0 failures.
    await client.get('/r');
    await client.get('/r');
    // 503: 3 calls in the window, below minimumCalls.
    await client.get('/r').catch(() => undefined);
    expect(events['circuit-open']).toEqual([]);
    expect(client.circuit()?.state).toBe('CLOSED');
    // 503: 4 calls, 2 failures: 0.5 >= 0.5.
    await client.get('/r').catch(() => undefined);
    expect(events['circuit-open']).toEqual([{ key: ORIGIN, failures: 2 }]);
    expect(client.circuit()?.state).toBe('OPEN');
    const err = await rejection(client.get('/r'));
    expect(err).toBeInstanceOf(CircuitOpenError);
    expect((err as unknown as CircuitOpenError).remainingMs).toBe(5_000);
    expect(exchanges).toHaveLength(7);
  });

  test('rate rule below the threshold never opens, however many calls', async () => {
    // One failure in three: 0.33 < 0.5.
    const { client, events } = setup(
      { ...NO_RETRY, circuitBreaker: { trip: { type: 'rate', threshold: 0.5, minimumCalls: 4, windowMs: 10_000 } } },
      (_url, i) => (i % 3 === 2 ? 503 : 200),
    );
    for (let i = 0; i < 30; i++) await client.get('/r').catch(() => undefined);
    expect(events['circuit-open']).toEqual([]);
    expect(client.circuit()?.stats).toMatchObject({ state: 'CLOSED', calls: 30, failures: 10, successes: 20 });
  });
});

describe('breaker keys', () => {
  test("key 'client': one breaker for every origin", async () => {
    const { client, exchanges, events } = setup(
      { ...NO_RETRY, circuitBreaker: { key: 'client', trip: { type: 'consecutive', failures: 3 } } },
      () => 503,
    );
    await client.get('http://a.test/x').catch(() => undefined);
    await client.get('http://b.test/x').catch(() => undefined);
    await client.get('/x').catch(() => undefined);
    expect(events['circuit-open']).toEqual([{ key: 'client', failures: 3 }]);
    const err = (await rejection(client.get('http://c.test/x'))) as unknown as CircuitOpenError;
    expect(err).toBeInstanceOf(CircuitOpenError);
    expect(err.key).toBe('client');
    expect(events['circuit-reject']).toEqual([{ callId: expect.any(String), key: 'client', method: 'GET', url: 'http://c.test/x', remainingMs: 5_000, state: 'OPEN' }]);
    expect(exchanges).toHaveLength(3);
    expect(client.stats().breakers.map((b) => b.key)).toEqual(['client']);
    expect(client.circuit()?.key).toBe('client');
    expect(client.circuit()?.state).toBe('OPEN');
  });

  test('a key function: one breaker per returned key, computed from the request as the caller made it', async () => {
    const seen: string[] = [];
    const { client, exchanges, events } = setup(
      {
        ...NO_RETRY,
        circuitBreaker: {
          key: (config) => {
            seen.push(config.url ?? '');
            return (config.url ?? '').startsWith('/users') ? 'users' : 'other';
          },
          trip: { type: 'consecutive', failures: 2 },
        },
      },
      (url) => (url.startsWith('/users') ? 503 : 200),
    );
    await client.get('/users/1').catch(() => undefined);
    await client.get('/orders/1');
    await client.get('/users/2').catch(() => undefined);
    expect(events['circuit-open']).toEqual([{ key: 'users', failures: 2 }]);
    const err = (await rejection(client.get('/users/3'))) as unknown as CircuitOpenError;
    expect(err.key).toBe('users');
    expect((await client.get('/orders/2')).status).toBe(200);
    expect(exchanges.map((x) => x.url)).toEqual(['/users/1', '/orders/1', '/users/2', '/orders/2']);
    expect(seen).toEqual(['/users/1', '/orders/1', '/users/2', '/users/3', '/orders/2']);
    expect(Object.fromEntries(client.stats().breakers.map((b) => [b.key, b.state]))).toEqual({ users: 'OPEN', other: 'CLOSED' });
    expect(client.circuit('users')?.state).toBe('OPEN');
  });

  test("origin keys normalise scheme, host case and default port", async () => {
    const { client } = setup(NO_RETRY, () => 200);
    await client.get('http://API.test/a');
    await client.get('http://api.test:80/b');
    await client.get('https://api.test/c');
    await client.get('http://api.test:8080/d');
    expect(client.stats().breakers.map((b) => b.key)).toEqual(['http://api.test:80', 'https://api.test:443', 'http://api.test:8080']);
  });
});

describe('per-request bypass', () => {
  test('resilience.circuitBreaker: false goes through an OPEN breaker and records nothing on it', async () => {
    const { client, exchanges, events } = setup(
      { ...NO_RETRY, circuitBreaker: { trip: { type: 'consecutive', failures: 1 } } },
      script(503, 200, 503),
    );
    await client.get('/a').catch(() => undefined);
    expect(client.circuit()?.state).toBe('OPEN');
    const before = client.circuit()?.stats;

    const ok = await client.get('/probe', { resilience: { circuitBreaker: false } });
    expect(ok.status).toBe(200);
    const failed = await rejection(client.get('/probe', { resilience: { circuitBreaker: false } }));
    expect(failed.response?.status).toBe(503);
    expect(failed.resilience?.reason).toBe('not-retryable');
    expect(exchanges.map((x) => x.url)).toEqual(['/a', '/probe', '/probe']);

    // The breaker saw none of it: still OPEN, same counters, no event.
    expect(client.circuit()?.stats).toEqual(before);
    expect(events['circuit-reject']).toEqual([]);
    expect(events['circuit-close']).toEqual([]);
    // Without the bypass, still refused.
    expect(await rejection(client.get('/a'))).toBeInstanceOf(CircuitOpenError);
    expect(exchanges).toHaveLength(3);
  });

  test('only false is accepted per request: anything else rejects with a ConfigError before sending', async () => {
    const { client, exchanges } = setup({}, () => 200);
    const err = await rejection(client.get('/a', { resilience: { circuitBreaker: true as unknown as false } }));
    expect(err).toBeInstanceOf(TypeError);
    expect((err as unknown as Error).name).toBe('ConfigError');
    expect((err as unknown as Error).message).toMatch(/^resilience\.circuitBreaker must be/);
    expect(exchanges).toHaveLength(0);
  });
});

describe('maxKeys', () => {
  test('caps stats().breakers with many origins, dropping the least recently used CLOSED breaker', async () => {
    const { client } = setup({ ...NO_RETRY, circuitBreaker: { maxKeys: 3 } }, () => 200);
    for (let i = 0; i < 10; i++) await client.get(`http://h${i}.test/`);
    expect(client.stats().breakers.map((b) => b.key)).toEqual(['http://h7.test:80', 'http://h8.test:80', 'http://h9.test:80']);
    // Using h7 again makes it the most recent: h8 goes next.
    await client.get('http://h7.test/');
    await client.get('http://h10.test/');
    expect(client.stats().breakers.map((b) => b.key)).toEqual(['http://h9.test:80', 'http://h7.test:80', 'http://h10.test:80']);
  });

  test('an OPEN breaker is kept over CLOSED ones: the down origin stays refused', async () => {
    const { client, exchanges } = setup(
      { ...NO_RETRY, circuitBreaker: { maxKeys: 3, trip: { type: 'consecutive', failures: 1 } } },
      (url) => (url.startsWith('http://down.test') ? 503 : 200),
    );
    await client.get('http://down.test/').catch(() => undefined);
    for (let i = 0; i < 6; i++) await client.get(`http://h${i}.test/`);
    const breakers = client.stats().breakers;
    expect(breakers).toHaveLength(3);
    expect(breakers.map((b) => [b.key, b.state])).toEqual([
      ['http://down.test:80', 'OPEN'],
      ['http://h4.test:80', 'CLOSED'],
      ['http://h5.test:80', 'CLOSED'],
    ]);
    expect(await rejection(client.get('http://down.test/again'))).toBeInstanceOf(CircuitOpenError);
    expect(exchanges.filter((x) => x.url.startsWith('http://down.test'))).toHaveLength(1);
  });
});

describe('circuit() and reset()', () => {
  test("circuit() with no key is the breaker of baseURL's origin; reset() closes it and calls flow again", async () => {
    const { client, exchanges, events, breakerLog } = setup(
      { ...NO_RETRY, baseURL: 'http://API.test/v1/', circuitBreaker: { trip: { type: 'consecutive', failures: 2 } } },
      script(503, 503, 200),
    );
    const view = client.circuit();
    expect(view?.key).toBe(ORIGIN);
    expect(view?.state).toBe('CLOSED');
    await client.get('/a').catch(() => undefined);
    await client.get('/a').catch(() => undefined);
    // The view is live.
    expect(view?.state).toBe('OPEN');
    expect(view?.stats).toMatchObject({ state: 'OPEN', calls: 2, failures: 2 });
    expect(await rejection(client.get('/a'))).toBeInstanceOf(CircuitOpenError);

    client.circuit(ORIGIN)?.reset();
    expect(view?.state).toBe('CLOSED');
    expect(events['circuit-close']).toEqual([{ key: ORIGIN }]);
    expect((await client.get('/a')).status).toBe(200);
    expect(exchanges).toHaveLength(3);
    // Counters are kept across reset; the trip rule starts afresh.
    expect(view?.stats).toMatchObject({ state: 'CLOSED', calls: 3, failures: 2, successes: 1, rejections: 1 });
    expect(breakerLog()).toEqual([`open ${ORIGIN}`, `reject ${ORIGIN}`, `close ${ORIGIN}`]);
  });

  test('circuit() is undefined when breakers are off', () => {
    const { client } = setup({ circuitBreaker: false });
    expect(client.circuit()).toBeUndefined();
    expect(client.stats().breakers).toEqual([]);
  });
});

describe('configure() at run time', () => {
  test('a new openMs applies to the breaker already OPEN; the trip rule keeps its history', async () => {
    const { clock, client, exchanges, events, breakerLog } = setup(
      { ...NO_RETRY, circuitBreaker: { trip: { type: 'consecutive', failures: 3 }, openMs: 30_000 } },
      script(503, 503, 503, 200),
    );
    await client.get('/a').catch(() => undefined);
    await client.get('/a').catch(() => undefined);
    // Same trip rule: the two failures are kept.
    client.configure({ circuitBreaker: { openMs: 1_000 } });
    await client.get('/a').catch(() => undefined);
    expect(events['circuit-open']).toEqual([{ key: ORIGIN, failures: 3 }]);
    const refused = (await rejection(client.get('/a'))) as unknown as CircuitOpenError;
    expect(refused.remainingMs).toBe(1_000);

    await clock.advance(400);
    client.configure({ circuitBreaker: { openMs: 500 } });
    expect(((await rejection(client.get('/a'))) as unknown as CircuitOpenError).remainingMs).toBe(100);
    await clock.advance(100);
    expect((await client.get('/a')).status).toBe(200);
    expect(breakerLog()).toEqual([`open ${ORIGIN}`, `reject ${ORIGIN}`, `reject ${ORIGIN}`, `half-open ${ORIGIN}`, `close ${ORIGIN}`]);
    expect(exchanges).toHaveLength(4);
    expect((client.settings.circuitBreaker || undefined)?.openMs).toBe(500);
  });

  test('an invalid openMs throws a ConfigError and changes nothing', async () => {
    const { client } = setup({ ...NO_RETRY, circuitBreaker: { openMs: 2_000 } });
    expect(() => client.configure({ circuitBreaker: { openMs: -1 } })).toThrow('circuitBreaker.openMs');
    expect((client.settings.circuitBreaker || undefined)?.openMs).toBe(2_000);
  });
});

describe('HALF_OPEN', () => {
  test('reading never moves the breaker nor emits: stats() and circuit() read HALF_OPEN after openMs; circuit-half-open fires when the next call finds it so', async () => {
    const { clock, client, exchanges, events } = setup(
      { ...NO_RETRY, circuitBreaker: { trip: { type: 'consecutive', failures: 1 }, openMs: 1_000, maxOpenMs: 1_000, openJitter: 0 } },
      script(503, 200),
    );
    await client.get('/a').catch(() => undefined);
    expect(events.log).toEqual(['circuit-open', 'failure']);
    const changes = client.circuit()?.stats.stateChanges;
    expect(changes).toBe(1);
    await clock.advance(1_000);

    // Every way of reading, several times over: the open period has ended, so each reads HALF_OPEN...
    for (let i = 0; i < 3; i++) {
      expect(client.stats().breakers).toEqual([expect.objectContaining({ key: ORIGIN, state: 'HALF_OPEN' })]);
      const view = client.circuit();
      expect(view?.state).toBe('HALF_OPEN');
      expect(view?.stats).toMatchObject({ state: 'HALF_OPEN', stateChanges: changes });
      expect(client.circuit(ORIGIN)?.state).toBe('HALF_OPEN');
    }
    // ...and none of them moved it or emitted anything.
    expect(events['circuit-half-open']).toEqual([]);
    expect(events.log).toEqual(['circuit-open', 'failure']);
    expect(client.circuit()?.stats.stateChanges).toBe(changes);
    expect(exchanges).toHaveLength(1);

    // The next call finds it HALF_OPEN: the transition happens (and is emitted) then, and its trial closes it.
    expect((await client.get('/a')).status).toBe(200);
    expect(events['circuit-half-open']).toEqual([{ key: ORIGIN }]);
    expect(events.log).toEqual(['circuit-open', 'failure', 'circuit-half-open', 'circuit-close', 'success']);
    expect(client.circuit()?.state).toBe('CLOSED');
  });

  test('halfOpenMaxCalls: 2 lets exactly two concurrent trials through and refuses the third with remainingMs 0', async () => {
    const { clock, client, exchanges, events, breakerLog } = setup(
      { ...NO_RETRY, circuitBreaker: { trip: { type: 'consecutive', failures: 1 }, openMs: 1_000, halfOpenMaxCalls: 2 } },
      script(503, 'hang'),
    );
    await client.get('/a').catch(() => undefined);
    expect(events['circuit-open']).toHaveLength(1);
    await clock.advance(999);
    expect(((await rejection(client.get('/early'))) as unknown as CircuitOpenError).remainingMs).toBe(1);
    await clock.advance(1);

    const t1 = track(client.get('/t1'));
    const t2 = track(client.get('/t2'));
    const t3 = track(client.get('/t3'));
    await settleChain();
    expect(exchanges.map((x) => x.url)).toEqual(['/a', '/t1', '/t2']);
    expect(t3.state).toBe('rejected');
    const err = t3.error as CircuitOpenError & WithResilience;
    expect(err).toBeInstanceOf(CircuitOpenError);
    expect(err.remainingMs).toBe(0);
    expect(err.resilience?.reason).toBe('circuit-open');
    expect(events['circuit-reject'].at(-1)).toEqual({ callId: expect.any(String), key: ORIGIN, method: 'GET', url: '/t3', remainingMs: 0, state: 'HALF_OPEN' });
    expect(events['circuit-half-open']).toEqual([{ key: ORIGIN }]);
    expect(client.circuit()?.state).toBe('HALF_OPEN');

    exchanges[1].respond(200);
    exchanges[2].respond(200);
    await t1.done;
    await t2.done;
    expect([t1.state, t2.state]).toEqual(['resolved', 'resolved']);
    expect(events['circuit-close']).toEqual([{ key: ORIGIN }]);
    expect(client.circuit()?.stats).toMatchObject({ state: 'CLOSED', successes: 2, failures: 1 });
    expect(breakerLog()).toEqual([`open ${ORIGIN}`, `reject ${ORIGIN}`, `half-open ${ORIGIN}`, `reject ${ORIGIN}`, `close ${ORIGIN}`]);
  });

  test('a failed trial reopens the breaker for twice the period (circuit-open with failures 1)', async () => {
    const { clock, client, exchanges, events } = setup(
      { retry: { backoff: { type: 'constant', baseMs: 10, jitter: 'none' } }, circuitBreaker: { trip: { type: 'consecutive', failures: 2 }, openMs: 1_000 } },
      () => 503,
    );
    await drive(clock, client.get('/a'), 10);
    expect(events['circuit-open']).toEqual([{ key: ORIGIN, failures: 2 }]);
    await clock.advance(1_000);
    const trial = await rejection(client.get('/trial'));
    // One trial attempt; it failed, the breaker reopened and the call stopped there (no retry into an open breaker).
    expect(trial).toBeInstanceOf(CircuitOpenError);
    expect(trial.resilience).toMatchObject({ attempts: 1, reason: 'circuit-open' });
    expect(exchanges.map((x) => x.url)).toEqual(['/a', '/a', '/trial']);
    expect(events['circuit-open']).toEqual([{ key: ORIGIN, failures: 2 }, { key: ORIGIN, failures: 1 }]);
    // Each failed trial doubles the open period.
    expect(((await rejection(client.get('/b'))) as unknown as CircuitOpenError).remainingMs).toBe(2_000);
  });
});
