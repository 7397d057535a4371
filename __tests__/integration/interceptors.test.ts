/**
 * User interceptors on real sockets: a request interceptor runs once per
 * attempt (a refreshed token reaches every retry), a response interceptor once
 * per call on the final outcome. Both for `client.axios` and for an instance
 * that already had interceptors when it was wrapped.
 */
import axios, { AxiosError } from 'axios';
import type { AxiosInstance, AxiosResponse } from 'axios';
import { ResilientClient } from '../../lib/index.js';
import type { WithResilience } from '../../lib/index.js';
import { serversClosedAfterEach } from '../helpers/server.js';
import { rejection } from '../helpers/engine-harness.js';

const FAST = { baseMs: 1, maxMs: 5 } as const;

const serve = serversClosedAfterEach();


interface Counts {
  request: number;
  fulfilled: number;
  rejected: number;
  /** What the error handler received. */
  errors: unknown[];
  /** Statuses the fulfilled handler received. */
  statuses: number[];
}

/** Adds counting interceptors to `instance`; the request one sets a fresh token per run. */
function instrument(instance: AxiosInstance): Counts {
  const counts: Counts = { request: 0, fulfilled: 0, rejected: 0, errors: [], statuses: [] };
  instance.interceptors.request.use((config) => {
    counts.request++;
    config.headers.set('X-Token', `token-${counts.request}`);
    return config;
  });
  instance.interceptors.response.use(
    (res: AxiosResponse) => {
      counts.fulfilled++;
      counts.statuses.push(res.status);
      return res;
    },
    (err: unknown) => {
      counts.rejected++;
      counts.errors.push(err);
      return Promise.reject(err);
    },
  );
  return counts;
}

type Setup = (baseURL: string) => { client: ResilientClient; counts: Counts };

const setups: Array<[string, Setup]> = [
  [
    'interceptors added on client.axios',
    (baseURL) => {
      const client = new ResilientClient({ baseURL, retry: { backoff: FAST } });
      return { client, counts: instrument(client.axios) };
    },
  ],
  [
    'an existing instance that had interceptors before it was wrapped',
    (baseURL) => {
      const instance = axios.create({ baseURL });
      const counts = instrument(instance);
      const client = new ResilientClient({ axios: instance, retry: { backoff: FAST } });
      return { client, counts };
    },
  ],
];

describe.each(setups)('%s', (_name, setup) => {
  test('503, 503, 200: the request interceptor runs once per attempt with a fresh header each time; the response interceptor once, on the 200', async () => {
    const server = await serve([{ status: 503 }, { status: 503 }, { status: 200, json: { done: true } }]);
    const { client, counts } = setup(server.url);

    const res = await client.get('/refresh');

    expect(res.data).toEqual({ done: true });
    expect(server.requests).toHaveLength(3);
    expect(server.requests.map((r) => r.headers['x-token'])).toEqual(['token-1', 'token-2', 'token-3']);
    expect(counts.request).toBe(3);
    expect(counts.fulfilled).toBe(1);
    expect(counts.statuses).toEqual([200]);
    expect(counts.rejected).toBe(0);
  });

  test('a call that fails after retries: the error interceptor runs once, with the final error', async () => {
    const server = await serve([{ status: 503 }]);
    const { client, counts } = setup(server.url);

    const err = await rejection(client.get('/down'));

    expect(server.requests).toHaveLength(3);
    expect(counts.request).toBe(3);
    expect(counts.fulfilled).toBe(0);
    expect(counts.rejected).toBe(1);
    expect(counts.errors[0]).toBe(err);
    const seen = counts.errors[0] as WithResilience;
    expect(seen).toBeInstanceOf(AxiosError);
    expect(seen.response?.status).toBe(503);
    // our interceptor ran first: the user's handler already sees how the call went
    expect(seen.resilience).toMatchObject({ attempts: 3, reason: 'exhausted' });
  });

  test('a call that succeeds at once runs each interceptor once', async () => {
    const server = await serve([{ status: 200, json: 1 }]);
    const { client, counts } = setup(server.url);

    await client.get('/ok');

    expect(counts).toMatchObject({ request: 1, fulfilled: 1, rejected: 0 });
    expect(server.requests[0].headers['x-token']).toBe('token-1');
  });
});

describe('interceptors: more cases', () => {
  test('interceptors added after the first call still run per attempt / per call', async () => {
    const server = await serve([{ status: 200 }, { status: 502 }, { status: 200, json: 'second' }]);
    const client = new ResilientClient({ baseURL: server.url, retry: { backoff: FAST } });
    await client.get('/first');

    const counts = instrument(client.axios);
    const res = await client.get('/second');

    expect(res.data).toBe('second');
    expect(counts).toMatchObject({ request: 2, fulfilled: 1, rejected: 0 });
    expect(server.requests.map((r) => r.headers['x-token'])).toEqual([undefined, 'token-1', 'token-2']);
  });

  test('what a response interceptor returns is what the caller gets, after retries', async () => {
    const server = await serve([{ status: 503 }, { status: 200, json: { v: 1 } }]);
    const client = new ResilientClient({ baseURL: server.url, retry: { backoff: FAST } });
    let runs = 0;
    client.axios.interceptors.response.use((res: AxiosResponse<{ v: number }>) => {
      runs++;
      return { ...res, data: { v: res.data.v + 100 } };
    });

    const res = await client.get<{ v: number }>('/x');

    expect(res.data).toEqual({ v: 101 });
    expect(runs).toBe(1);
  });

  test('an error interceptor can recover the final failure; it runs once', async () => {
    const server = await serve([{ status: 503 }]);
    const client = new ResilientClient({ baseURL: server.url, retry: { maxAttempts: 2, backoff: FAST } });
    let runs = 0;
    client.axios.interceptors.response.use(undefined, (err: unknown) => {
      runs++;
      return { status: 299, data: { recovered: (err as AxiosError).response?.status } };
    });

    const res = await client.get('/x');

    expect(res).toMatchObject({ status: 299, data: { recovered: 503 } });
    expect(runs).toBe(1);
    expect(server.requests).toHaveLength(2);
  });

  test('a request interceptor that throws on a retry: the call rejects with its error, once, and one failure is emitted', async () => {
    const server = await serve([{ status: 503 }, { status: 200 }]);
    const client = new ResilientClient({ baseURL: server.url, retry: { backoff: FAST } });
    const failures: string[] = [];
    client.on('failure', (e) => failures.push(e.reason));
    let runs = 0;
    client.axios.interceptors.request.use((config) => {
      if (++runs === 2) throw new Error('token refresh failed');
      return config;
    });
    const seen: unknown[] = [];
    client.axios.interceptors.response.use(undefined, (err: unknown) => {
      seen.push(err);
      return Promise.reject(err);
    });

    const err = await rejection(client.get('/x'));

    expect(err.message).toBe('token refresh failed');
    expect(server.requests).toHaveLength(1);
    expect(seen).toEqual([err]);
    expect(failures).toEqual(['not-retryable']);
    expect(client.stats()).toMatchObject({ calls: 1, failures: 1, inFlight: 0 });
  });

  test('a request interceptor that throws on the first attempt: the call rejects, emits one failure and holds no timer', async () => {
    const server = await serve([{ status: 200 }]);
    const client = new ResilientClient({ baseURL: server.url });
    const terminal: string[] = [];
    client.on('success', () => terminal.push('success'));
    client.on('failure', (e) => terminal.push(`failure:${e.reason}`));
    client.axios.interceptors.request.use(() => {
      throw new Error('token refresh failed');
    });
    try {
      const err = await rejection(client.get('/x'));

      expect(err.message).toBe('token refresh failed');
      expect(server.requests).toHaveLength(0);
      expect(terminal).toHaveLength(1); // every call emits exactly one success or failure
      expect(client.stats()).toMatchObject({ calls: 1, failures: 1, inFlight: 0 }); // no attempt timer left running
    } finally {
      client.dispose(); // keep a failure of this test from leaving a 10 s timer behind
    }
  });

  test('a local refusal (open circuit) reaches the error interceptor once; nothing is sent', async () => {
    const server = await serve([{ status: 503 }]);
    const client = new ResilientClient({
      baseURL: server.url,
      retry: false,
      circuitBreaker: { trip: { type: 'consecutive', failures: 1 }, openMs: 60_000 },
    });
    await rejection(client.get('/trip'));
    expect(server.requests).toHaveLength(1);

    const errors: unknown[] = [];
    client.axios.interceptors.response.use(undefined, (err: unknown) => {
      errors.push(err);
      return Promise.reject(err);
    });
    const err = await rejection(client.get('/refused'));

    expect(server.requests).toHaveLength(1);
    expect(errors).toEqual([err]);
    expect(err.code).toBe('ERR_CIRCUIT_OPEN');
    expect(err.resilience).toMatchObject({ reason: 'circuit-open' });
  });
});
