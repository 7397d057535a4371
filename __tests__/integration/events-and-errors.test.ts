/**
 * Events and errors against real sockets: throwing listeners, exactly one
 * terminal event per call under concurrency, and redaction of secrets from
 * event payloads and serialized rejections (while the real request and config
 * keep them).
 */
import axios, { AxiosError } from 'axios';
import type { AxiosResponse } from 'axios';
import { ResilientClient } from '../../lib/index.js';
import type { FailureEvent, ListenerErrorEvent, SuccessEvent } from '../../lib/index.js';
import { closedPort, serversClosedAfterEach } from '../helpers/server.js';
import { rejection } from '../helpers/engine-harness.js';
import type { Behaviour } from '../helpers/server.js';

const FAST = { baseMs: 1, maxMs: 5 } as const;

const serve = serversClosedAfterEach();


const LIFECYCLE = ['attempt', 'retry', 'success', 'failure'] as const;

describe('listeners that throw', () => {
  function wire(c: ResilientClient): { calls: string[]; listenerErrors: ListenerErrorEvent[] } {
    const calls: string[] = [];
    const listenerErrors: ListenerErrorEvent[] = [];
    c.on('listener-error', (e) => listenerErrors.push(e));
    for (const name of LIFECYCLE) {
      c.on(name, () => {
        calls.push(`${name}:thrower`);
        throw new Error(`boom in ${name}`);
      });
      c.on(name, () => calls.push(`${name}:after`));
    }
    return { calls, listenerErrors };
  }

  test('on attempt, retry and success: the call still resolves, later listeners still run, listener-error is emitted for each', async () => {
    const server = await serve([{ status: 503 }, { status: 200, json: { fine: true } }]);
    const c = new ResilientClient({ baseURL: server.url, retry: { backoff: FAST } });
    const { calls, listenerErrors } = wire(c);

    const res = await c.get('/x');

    expect(res.status).toBe(200);
    expect(res.data).toEqual({ fine: true });
    expect(server.requests).toHaveLength(2);
    expect(calls).toEqual([
      'attempt:thrower', 'attempt:after',
      'retry:thrower', 'retry:after',
      'attempt:thrower', 'attempt:after',
      'success:thrower', 'success:after',
    ]);
    expect(listenerErrors.map((e) => e.event)).toEqual(['attempt', 'retry', 'attempt', 'success']);
    for (const e of listenerErrors) {
      expect(e.error).toBeInstanceOf(Error);
      expect((e.error as Error).message).toBe(`boom in ${e.event}`);
    }
  });

  test('on failure: the call still rejects with the AxiosError of the last attempt, not the listener\'s error', async () => {
    const server = await serve([{ status: 503 }]);
    const c = new ResilientClient({ baseURL: server.url, retry: { maxAttempts: 2, backoff: FAST } });
    const { calls, listenerErrors } = wire(c);

    const err = await rejection(c.get('/x'));

    expect(axios.isAxiosError(err)).toBe(true);
    expect(err.message).not.toMatch(/boom/);
    expect(err.response?.status).toBe(503);
    expect(err.resilience).toMatchObject({ attempts: 2, reason: 'exhausted' });
    expect(calls.filter((c) => c.startsWith('failure'))).toEqual(['failure:thrower', 'failure:after']);
    expect(listenerErrors.map((e) => e.event)).toEqual(['attempt', 'retry', 'attempt', 'failure']);
  });

  test('a throwing listener-error listener does not loop or change the outcome', async () => {
    const server = await serve([{ status: 200 }]);
    const c = new ResilientClient({ baseURL: server.url });
    let listenerErrors = 0;
    c.on('success', () => {
      throw new Error('first');
    });
    c.on('listener-error', () => {
      listenerErrors++;
      throw new Error('second');
    });

    await expect(c.get('/x')).resolves.toMatchObject({ status: 200 });
    expect(listenerErrors).toBe(1);
  });

  test('a once() listener that throws runs once and is removed', async () => {
    const server = await serve([{ status: 200 }]);
    const c = new ResilientClient({ baseURL: server.url });
    let runs = 0;
    c.once('success', () => {
      runs++;
      throw new Error('once');
    });

    await c.get('/1');
    await c.get('/2');

    expect(runs).toBe(1);
    expect(c.listenerCount('success')).toBe(0);
  });
});

describe('exactly one success or failure per call', () => {
  test('30 concurrent calls against a flaky server: one terminal event each, matching how each call settled', async () => {
    // Deterministic mix by arrival order: 503s, resets, 404s and slow 200s.
    const flaky = (i: number): Behaviour => {
      switch (i % 5) {
        case 0: return { status: 503 };
        case 1: return 'reset';
        case 2: return { status: 200, json: { i }, delayMs: 5 };
        case 3: return { status: 404 };
        default: return { status: 200, json: { i } };
      }
    };
    const server = await serve((_req, res, rec) => {
      const b = flaky(rec.index);
      if (b === 'reset') {
        res.socket?.destroy();
        return;
      }
      const reply = b as Exclude<Behaviour, string | ((...a: never[]) => unknown)>;
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(reply.status ?? 200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(reply.json ?? null));
      }, reply.delayMs ?? 0);
    });
    const c = new ResilientClient({ baseURL: server.url, retry: { backoff: FAST } });
    const terminal = new Map<string, string[]>();
    const note = (kind: string) => (e: SuccessEvent | FailureEvent): void => {
      terminal.set(e.url, [...(terminal.get(e.url) ?? []), kind]);
    };
    c.on('success', note('success'));
    c.on('failure', note('failure'));

    const urls = Array.from({ length: 30 }, (_, i) => `/call/${i}`);
    const settled = await Promise.allSettled(urls.map((u) => c.get(u)));

    expect(terminal.size).toBe(30);
    settled.forEach((s, i) => {
      expect(terminal.get(urls[i])).toEqual([s.status === 'fulfilled' ? 'success' : 'failure']);
    });
    for (const s of settled) {
      if (s.status === 'rejected') expect(axios.isAxiosError(s.reason)).toBe(true);
    }
    const ok = settled.filter((s) => s.status === 'fulfilled').length;
    expect(ok).toBeGreaterThan(0);
    expect(ok).toBeLessThan(30);
    const stats = c.stats();
    expect(stats).toMatchObject({ calls: 30, successes: ok, failures: 30 - ok });
    expect(stats.inFlight).toBe(0);
  });

  test('a body that fails to serialise (transformRequest throws): one failure, no timer left running', async () => {
    const server = await serve([{ status: 200 }]);
    const c = new ResilientClient({ baseURL: server.url });
    const terminal: string[] = [];
    c.on('success', () => terminal.push('success'));
    c.on('failure', (e) => terminal.push(`failure:${e.reason}`));
    const transformRequest = [(): never => {
      throw new Error('cannot serialise');
    }];
    try {
      const err = await rejection(c.post('/x', { a: 1 }, { transformRequest }));

      expect(err.message).toBe('cannot serialise');
      expect(server.requests).toHaveLength(0);
      expect(terminal).toHaveLength(1);
      expect(c.stats()).toMatchObject({ calls: 1, failures: 1, inFlight: 0 });
    } finally {
      c.dispose(); // keep a failure of this test from leaving a 10 s timer behind
    }
  });
});

describe('redaction: what a logger writes is safe to ship', () => {
  /** Every event payload, as a logger would serialize it. */
  function capture(c: ResilientClient): string[] {
    const out: string[] = [];
    for (const name of LIFECYCLE) c.on(name, (e: unknown) => out.push(JSON.stringify(e)));
    return out;
  }

  function expectClean(texts: readonly string[], secrets: readonly string[]): void {
    for (const text of texts) {
      for (const secret of secrets) expect(text).not.toContain(secret);
    }
  }

  test('Authorization and Cookie request headers and a Set-Cookie response header never reach payloads or serialized errors', async () => {
    const server = await serve([{ status: 503, headers: { 'set-cookie': 'session=SECRET4; HttpOnly' }, json: { busy: true } }]);
    const c = new ResilientClient({
      baseURL: server.url,
      headers: { Authorization: 'Bearer SECRET1', Cookie: 'sid=SECRET2' },
      retry: { maxAttempts: 2, backoff: FAST },
    });
    const payloads = capture(c);
    let retryError: unknown;
    c.on('retry', (e) => (retryError = e.error));

    const err = await rejection(c.get('/private'));

    // What the user gets: the real AxiosError, with the real config and response.
    expect(err).toBeInstanceOf(AxiosError);
    expect(axios.isAxiosError(err)).toBe(true);
    expect(err.resilience).toMatchObject({ attempts: 2, reason: 'exhausted' });
    expect(err.config?.headers.Authorization).toBe('Bearer SECRET1');
    expect(err.config?.headers.Cookie).toBe('sid=SECRET2');
    expect(String((err.response as AxiosResponse).headers['set-cookie'])).toContain('SECRET4');
    // What the server got: the real headers, on every attempt.
    expect(server.requests).toHaveLength(2);
    for (const r of server.requests) {
      expect(r.headers.authorization).toBe('Bearer SECRET1');
      expect(r.headers.cookie).toBe('sid=SECRET2');
    }
    // What a logger writes: nothing secret.
    const secrets = ['SECRET1', 'SECRET2', 'SECRET4'];
    expect(payloads).toHaveLength(4); // 2 attempts, 1 retry, 1 failure
    expectClean(payloads, secrets);
    expectClean([JSON.stringify(err), JSON.stringify(err.toJSON())], secrets);
    expect(JSON.stringify(err)).toContain('503');
    // The retry payload's error is still an AxiosError a handler can inspect.
    expect(axios.isAxiosError(retryError)).toBe(true);
    expect((retryError as AxiosError).response?.status).toBe(503);
    expectClean([JSON.stringify(retryError)], secrets);
  });

  test('Proxy-Authorization and headers named in redactHeaders are redacted too', async () => {
    const server = await serve([{ status: 503 }]);
    const c = new ResilientClient({
      baseURL: server.url,
      headers: { 'Proxy-Authorization': 'Basic SECRET7', 'X-Api-Key': 'SECRET6', Authorization: 'Bearer SECRET1' },
      redactHeaders: ['x-api-key'],
      retry: { maxAttempts: 2, backoff: FAST },
    });
    const payloads = capture(c);

    const err = await rejection(c.get('/k'));

    expect(server.requests[1].headers['x-api-key']).toBe('SECRET6');
    expect(server.requests[1].headers['proxy-authorization']).toBe('Basic SECRET7');
    const secrets = ['SECRET1', 'SECRET6', 'SECRET7'];
    expectClean(payloads, secrets);
    expectClean([JSON.stringify(err), JSON.stringify(err.toJSON())], secrets);
  });

  test('with validateStatus accepting every status, a retried 503 still gives a serializable, redacted retry payload', async () => {
    const server = await serve([{ status: 503, headers: { 'set-cookie': 'session=SECRET4' } }, { status: 200, json: 'ok' }]);
    const c = new ResilientClient({
      baseURL: server.url,
      headers: { Authorization: 'Bearer SECRET1' },
      validateStatus: () => true,
      retry: { backoff: FAST },
    });
    const retries: unknown[] = [];
    c.on('retry', (e) => retries.push(e));

    const res = await c.get('/lenient');

    expect(res.status).toBe(200);
    expect(server.requests).toHaveLength(2);
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({ status: 503, attempt: 1 });
    let text = '';
    expect(() => (text = JSON.stringify(retries[0]))).not.toThrow();
    expectClean([text], ['SECRET1', 'SECRET4']);
  });

  test('basic auth credentials (config.auth) never reach payloads or serialized errors', async () => {
    const server = await serve([{ status: 503 }]);
    const c = new ResilientClient({
      baseURL: server.url,
      auth: { username: 'alice', password: 'SECRET5' },
      retry: { maxAttempts: 2, backoff: FAST },
    });
    const payloads = capture(c);

    const err = await rejection(c.get('/basic'));

    const basic = Buffer.from('alice:SECRET5').toString('base64');
    expect(server.requests.map((r) => r.headers.authorization)).toEqual([`Basic ${basic}`, `Basic ${basic}`]);
    expect(err.config?.auth?.password).toBe('SECRET5');
    const secrets = ['SECRET5', basic];
    expectClean(payloads, secrets);
    expectClean([JSON.stringify(err), JSON.stringify(err.toJSON())], secrets);
    expect(axios.isAxiosError(err)).toBe(true);
  });

  test('a password inside the URL never reaches payloads or serialized errors', async () => {
    const server = await serve([{ status: 503 }]);
    const c = new ResilientClient({ retry: { maxAttempts: 2, backoff: FAST } });
    const payloads = capture(c);
    const url = `http://user:SECRET3@127.0.0.1:${server.port}/x`;

    const err = await rejection(c.get(url));

    const basic = Buffer.from('user:SECRET3').toString('base64');
    expect(server.requests.map((r) => r.headers.authorization)).toEqual([`Basic ${basic}`, `Basic ${basic}`]);
    expect(err.config?.url).toBe(url); // the real config is unchanged
    const secrets = ['SECRET3', basic];
    expectClean(payloads, secrets);
    expectClean([JSON.stringify(err), JSON.stringify(err.toJSON())], secrets);
    expect(payloads.some((p) => p.includes('127.0.0.1'))).toBe(true); // the URL is there, minus its password
  });

  test('a password inside the URL of a refused connection is redacted from the error and its cause', async () => {
    const port = await closedPort();
    const c = new ResilientClient({ headers: { Authorization: 'Bearer SECRET1' }, retry: { maxAttempts: 2, backoff: FAST } });
    const payloads = capture(c);

    const err = await rejection(c.get(`http://user:SECRET3@127.0.0.1:${port}/x`));

    expect(err.code).toBe('ECONNREFUSED');
    expect(err.resilience).toMatchObject({ reason: 'exhausted', attempts: 2 });
    const secrets = ['SECRET1', 'SECRET3', Buffer.from('user:SECRET3').toString('base64')];
    expectClean(payloads, secrets);
    expectClean([JSON.stringify(err), JSON.stringify(err.toJSON())], secrets);
  });
});
