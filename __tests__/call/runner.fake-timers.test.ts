/**
 * jest's own fake timers drive the client without the `clock` option, the way
 * users will write their tests: `jest.useFakeTimers()` and the default system
 * clock, which looks up `setTimeout` and `performance.now()` on the global
 * object each time it needs them (never a copy taken at import). The client is
 * made after the timers are faked, as in a test's body.
 */
import { AxiosError, AxiosHeaders } from 'axios';
import type { AxiosAdapter, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import { CircuitOpenError, DeadlineExceededError, ResilientClient, resilienceOf } from '../../lib/index.js';
import { recordEvents } from '../helpers/record-events.js';
import { track } from '../helpers/engine-harness.js';

const BASE = 'http://api.test';

/** A response, or the AxiosError axios's own adapters reject a 4xx/5xx with. */
function answer(config: InternalAxiosRequestConfig, status: number): Promise<AxiosResponse> {
  const response: AxiosResponse = { data: { status }, status, statusText: String(status), headers: new AxiosHeaders(), config, request: {} };
  if (status < 400) return Promise.resolve(response);
  return Promise.reject(new AxiosError(`Request failed with status code ${status}`, AxiosError.ERR_BAD_RESPONSE, config, {}, response));
}

/** An adapter answering the n-th request with `statuses[n]` (the last one repeats); counts requests. */
function scripted(...statuses: number[]) {
  const requests: string[] = [];
  const adapter: AxiosAdapter = (config) => {
    requests.push(config.url ?? '');
    return answer(config, statuses[Math.min(requests.length - 1, statuses.length - 1)]);
  };
  return { adapter, requests };
}

/** Made at import, before any test fakes the timers (a module-level client, as apps have). */
const madeAtImport = new ResilientClient({ baseURL: BASE, adapter: () => new Promise<AxiosResponse>(() => undefined), timeBudget: { totalMs: 500 } });

beforeEach(() => {
  jest.useFakeTimers();
});
afterEach(() => {
  jest.useRealTimers();
});
afterAll(() => {
  madeAtImport.dispose();
});

describe('jest.useFakeTimers() without the clock option', () => {
  test('an adapter that never answers (and ignores its signal): totalMs 1000 rejects with DeadlineExceededError once 1000 ms pass', async () => {
    const adapter: AxiosAdapter = () => new Promise<AxiosResponse>(() => undefined);
    const client = new ResilientClient({ baseURL: BASE, adapter, timeBudget: { totalMs: 1000 } });
    const events = recordEvents(client, 'attempt', 'failure');
    const call = track(client.get('/never'));

    await jest.advanceTimersByTimeAsync(999);
    expect(call.state).toBe('pending');
    expect(events.attempt).toHaveLength(1);

    await jest.advanceTimersByTimeAsync(1);
    expect(call.state).toBe('rejected');
    expect(call.error).toBeInstanceOf(DeadlineExceededError);
    expect((call.error as DeadlineExceededError).code).toBe('ERR_DEADLINE_EXCEEDED');
    expect(resilienceOf(call.error)).toEqual({ attempts: 1, elapsedMs: 1000, reason: 'deadline' });
    expect(events.failure).toMatchObject([{ reason: 'deadline', elapsedMs: 1000 }]);
    expect(client.stats().inFlight).toBe(0);
    // Whatever is still scheduled fires harmlessly.
    await jest.runAllTimersAsync();
    expect(events.log).toEqual(['attempt', 'failure']);
  });

  test('the same with the synchronous jest.advanceTimersByTime(1000), once the request has reached the adapter', async () => {
    let reached = false;
    const adapter: AxiosAdapter = () => {
      reached = true;
      return new Promise<AxiosResponse>(() => undefined);
    };
    const client = new ResilientClient({ baseURL: BASE, adapter, timeBudget: { totalMs: 1000 } });
    const call = track(client.get('/never'));
    // axios runs its request interceptors and adapter on promise callbacks: let them run first.
    while (!reached) await Promise.resolve();

    jest.advanceTimersByTime(1000);
    await call.done;
    expect(call.error).toBeInstanceOf(DeadlineExceededError);
    expect(resilienceOf(call.error)).toMatchObject({ attempts: 1, elapsedMs: 1000, reason: 'deadline' });
  });

  test('a retried 503 waits its backoff on the fake timers: no second request before it ends', async () => {
    const { adapter, requests } = scripted(503, 200);
    const client = new ResilientClient({ baseURL: BASE, adapter, retry: { backoff: { type: 'constant', baseMs: 2000, jitter: 'none' } } });
    const events = recordEvents(client, 'retry', 'success');
    const call = track(client.get('/busy'));

    await jest.advanceTimersByTimeAsync(0);
    expect(requests).toHaveLength(1);
    expect(events.retry).toMatchObject([{ attempt: 1, status: 503, delayMs: 2000 }]);

    await jest.advanceTimersByTimeAsync(1999);
    expect(requests).toHaveLength(1);
    expect(call.state).toBe('pending');

    await jest.advanceTimersByTimeAsync(1);
    expect(requests).toHaveLength(2);
    expect(call.state).toBe('resolved');
    expect((call.value as AxiosResponse).status).toBe(200);
    expect(events.success).toMatchObject([{ attempts: 2, status: 200, elapsedMs: 2000 }]);
    // Whatever is still scheduled (the client may keep an idle, unref'd timer) fires harmlessly.
    await jest.runAllTimersAsync();
    expect(requests).toHaveLength(2);
    expect(events.log).toEqual(['retry', 'success']);
  });

  test('a client made before jest.useFakeTimers() is driven by them too', async () => {
    const call = track(madeAtImport.get('/never'));
    await jest.advanceTimersByTimeAsync(499);
    expect(call.state).toBe('pending');
    await jest.advanceTimersByTimeAsync(1);
    expect(call.error).toBeInstanceOf(DeadlineExceededError);
    expect(resilienceOf(call.error)).toMatchObject({ attempts: 1, elapsedMs: 500, reason: 'deadline' });
  });

  test("a breaker's open period passes on the fake timers: refused until openMs, then a trial closes it", async () => {
    const { adapter, requests } = scripted(503, 200);
    const client = new ResilientClient({
      baseURL: BASE,
      adapter,
      retry: false,
      circuitBreaker: { trip: { type: 'consecutive', failures: 1 }, openMs: 1000, maxOpenMs: 1000, openJitter: 0 },
    });
    const events = recordEvents(client, 'circuit-open', 'circuit-half-open', 'circuit-close');

    await expect(client.get('/a')).rejects.toMatchObject({ response: { status: 503 } });
    expect(client.circuit()?.state).toBe('OPEN');
    await expect(client.get('/a')).rejects.toMatchObject({ code: 'ERR_CIRCUIT_OPEN', remainingMs: 1000 });

    jest.advanceTimersByTime(999);
    const early = await client.get('/a').catch((err: unknown) => err);
    expect(early).toBeInstanceOf(CircuitOpenError);
    expect((early as CircuitOpenError).remainingMs).toBe(1);
    expect(requests).toHaveLength(1);

    jest.advanceTimersByTime(1);
    expect((await client.get('/a')).status).toBe(200);
    expect(requests).toHaveLength(2);
    expect(client.circuit()?.state).toBe('CLOSED');
    expect(events.log).toEqual(['circuit-open', 'circuit-half-open', 'circuit-close']);
  });
});
