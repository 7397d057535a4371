/**
 * Soak: 100_000 calls through one client (system clock, real Node timers) with
 * an adapter that answers at once, every call passing the SAME long-lived
 * AbortSignal. Afterwards nothing may be left behind: no listener on the
 * signal, no attempt in flight, no ref'd timer keeping the process alive.
 * Not timed (no throughput assertion); kept well under 10 s by batching.
 */
import { getEventListeners, setMaxListeners } from 'node:events';
import { AxiosError, AxiosHeaders } from 'axios';
import type { AxiosAdapter, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import { ResilientClient } from '../../lib/index.js';

const CALLS = 100_000;
/** Calls that fail with a 404, and calls that get one 503 then a 200. */
const MISSING = CALLS / 50;
const FLAKY = CALLS / 50;
const BATCH = 1_000;

function respond(config: InternalAxiosRequestConfig, status: number): Promise<AxiosResponse> {
  const response: AxiosResponse = { data: { status }, status, statusText: String(status), headers: new AxiosHeaders(), config, request: {} };
  if (status < 400) return Promise.resolve(response);
  const code = status >= 500 ? AxiosError.ERR_BAD_RESPONSE : AxiosError.ERR_BAD_REQUEST;
  return Promise.reject(new AxiosError(`Request failed with status code ${status}`, code, config, {}, response));
}

/** Ref'd Node timers right now (unref'd ones do not keep the process alive and are not listed). */
function activeTimeouts(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

test('100_000 calls sharing one AbortSignal leave no listener, no attempt in flight and no ref\'d timer', async () => {
  const timersBefore = activeTimeouts();
  const controller = new AbortController();
  const signal = controller.signal;
  // Up to BATCH listeners at once are expected; a leak would grow far past it.
  setMaxListeners(BATCH + 1, signal);
  // Count calls without keeping their arguments (a jest spy would retain 100_000 listeners and their calls).
  const counts = { add: 0, remove: 0 };
  const add = signal.addEventListener;
  const remove = signal.removeEventListener;
  Object.defineProperty(signal, 'addEventListener', {
    value(this: AbortSignal, ...args: Parameters<AbortSignal['addEventListener']>) {
      counts.add++;
      add.apply(this, args);
    },
  });
  Object.defineProperty(signal, 'removeEventListener', {
    value(this: AbortSignal, ...args: Parameters<AbortSignal['removeEventListener']>) {
      counts.remove++;
      remove.apply(this, args);
    },
  });

  // Mixed outcomes, so every way a call can end is soaked:
  // i % 50 === 0 -> 404 (rejects, not retried); i % 50 === 1 -> 503 then 200 (one retry, no wait); else 200.
  const tries = new Map<string, number>();
  const adapter: AxiosAdapter = (config) => {
    const url = config.url ?? '';
    if (url.startsWith('/missing')) return respond(config, 404);
    if (url.startsWith('/flaky')) {
      const n = (tries.get(url) ?? 0) + 1;
      tries.set(url, n);
      return respond(config, n === 1 ? 503 : 200);
    }
    return respond(config, 200);
  };
  const client = new ResilientClient({
    baseURL: 'http://soak.test',
    adapter,
    retry: { maxAttempts: 2, backoff: { baseMs: 0 } },
    retryBudget: false,
    circuitBreaker: { trip: { type: 'consecutive', failures: 1_000_000 } },
    timeBudget: { totalMs: 60_000, attemptMs: 30_000 },
  });

  let ok = 0;
  let failed = 0;
  for (let start = 0; start < CALLS; start += BATCH) {
    const batch: Promise<void>[] = [];
    for (let i = start; i < start + BATCH; i++) {
      const url = i % 50 === 0 ? `/missing/${i}` : i % 50 === 1 ? `/flaky/${i}` : `/ok/${i}`;
      batch.push(
        client.get(url, { signal }).then(
          () => void ok++,
          (err: unknown) => {
            if ((err as AxiosError).response?.status !== 404) throw err;
            failed++;
          },
        ),
      );
    }
    if (start === 0) {
      // The measure is sensitive: while attempts are in flight the client holds exactly one ref'd timer.
      expect(activeTimeouts()).toBe(timersBefore + 1);
      expect(getEventListeners(signal, 'abort').length).toBeGreaterThan(0);
    }
    await Promise.all(batch);
    // Nothing accumulates between batches.
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  }

  expect(ok).toBe(CALLS - MISSING);
  expect(failed).toBe(MISSING);
  expect(tries.size).toBe(FLAKY);
  expect([...tries.values()].every((n) => n === 2)).toBe(true);

  // Every listener added on the caller's signal was removed.
  expect(counts).toEqual({ add: CALLS, remove: CALLS });
  expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  expect(signal.aborted).toBe(false);

  const stats = client.stats();
  expect(stats).toMatchObject({
    calls: CALLS,
    attempts: CALLS + FLAKY,
    retries: FLAKY,
    successes: CALLS - MISSING,
    failures: MISSING,
    inFlight: 0,
  });
  const breaker = client.circuit()?.stats;
  // A 404 means the server is healthy: breaker failures are the 503s only.
  expect(breaker).toMatchObject({ calls: CALLS + FLAKY, failures: FLAKY, successes: CALLS, ignored: 0 });

  // No ref'd timer left (the client holds none while no call is in flight): a script would exit by itself.
  expect(activeTimeouts()).toBeLessThanOrEqual(timersBefore);

  // Aborting the long-lived signal now reaches nobody: no settled call reacts, nothing throws.
  controller.abort();
  expect(client.stats()).toMatchObject({ failures: MISSING, inFlight: 0 });
  client.dispose();
  expect(activeTimeouts()).toBeLessThanOrEqual(timersBefore);
}, 120_000);
