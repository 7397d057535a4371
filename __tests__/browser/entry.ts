/**
 * The browser test's page script. esbuild bundles it for Chromium from the
 * library's source (`lib/`), with axios resolved to its browser build: the xhr
 * and fetch adapters, no http adapter, no Node built-ins. It exposes one
 * function per scenario on `window.scenarios`; each runs against the API origin
 * it is given and returns plain data for `__tests__/browser.test.ts` to assert.
 */
import axios from 'axios';
import { ResilientClient, isCircuitOpenError, isDeadlineExceededError, resilienceOf } from '../../lib/index.js';
import type { ResilientClientConfig } from '../../lib/index.js';

/** axios's adapter names for the two browser transports. */
export type BrowserAdapter = 'xhr' | 'fetch';

/** What the test needs to know about a rejection. */
export interface ErrorSummary {
  readonly name: string;
  readonly code: string | null;
  readonly message: string;
  readonly isAxiosError: boolean;
  readonly isCancel: boolean;
  readonly isCircuitOpenError: boolean;
  readonly isDeadlineExceededError: boolean;
  readonly status: number | null;
  readonly reason: string | null;
  readonly attempts: number | null;
  readonly totalMs: number | null;
  readonly key: string | null;
  readonly remainingMs: number | null;
}

export interface RetrySummary {
  readonly attempt: number;
  readonly status: number | null;
  readonly delayMs: number;
  readonly retryAfterMs: number | null;
}

export interface CallSummary {
  readonly status: number | null;
  readonly data: unknown;
  readonly error: ErrorSummary | null;
  readonly retries: RetrySummary[];
  /** `success` / `failure` events, in order, with their `attempts`. */
  readonly outcomes: string[];
  readonly elapsedMs: number;
  /** XMLHttpRequests opened during the call: which transport really carried it. */
  readonly xhrOpened: number;
}

// Counts XMLHttpRequest#open calls, to tell the xhr adapter's requests from the fetch adapter's.
let xhrOpened = 0;
const proto = XMLHttpRequest.prototype as unknown as { open: (...args: unknown[]) => void };
const realOpen = proto.open;
proto.open = function open(this: XMLHttpRequest, ...args: unknown[]): void {
  xhrOpened++;
  realOpen.apply(this, args);
};

function summarize(err: unknown): ErrorSummary {
  const e = err as { name?: unknown; code?: unknown; message?: unknown; response?: { status?: unknown }; totalMs?: unknown; key?: unknown; remainingMs?: unknown };
  const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);
  const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  const info = resilienceOf(err);
  return {
    name: str(e?.name) ?? typeof err,
    code: str(e?.code),
    message: str(e?.message) ?? String(err),
    isAxiosError: axios.isAxiosError(err),
    isCancel: axios.isCancel(err),
    isCircuitOpenError: isCircuitOpenError(err),
    isDeadlineExceededError: isDeadlineExceededError(err),
    status: num(e?.response?.status),
    reason: info?.reason ?? null,
    attempts: info?.attempts ?? null,
    totalMs: num(e?.totalMs),
    key: str(e?.key),
    remainingMs: num(e?.remainingMs),
  };
}

/** A client on `adapter` recording its retry and outcome events. */
function instrumented(base: string, adapter: BrowserAdapter, config: ResilientClientConfig): { client: ResilientClient; retries: RetrySummary[]; outcomes: string[] } {
  const client = new ResilientClient({ baseURL: base, adapter, ...config });
  const retries: RetrySummary[] = [];
  const outcomes: string[] = [];
  client.on('retry', (e) => retries.push({ attempt: e.attempt, status: e.status ?? null, delayMs: e.delayMs, retryAfterMs: e.retryAfterMs ?? null }));
  client.on('success', (e) => outcomes.push(`success after ${e.attempts}`));
  client.on('failure', (e) => outcomes.push(`failure (${e.reason}) after ${e.attempts}`));
  return { client, retries, outcomes };
}

async function call(base: string, adapter: BrowserAdapter, config: ResilientClientConfig, url: string, signal?: AbortSignal): Promise<CallSummary> {
  const { client, retries, outcomes } = instrumented(base, adapter, config);
  const started = performance.now();
  const opened = xhrOpened;
  try {
    const res = await client.get<unknown>(url, signal === undefined ? {} : { signal });
    return { status: res.status, data: res.data, error: null, retries, outcomes, elapsedMs: performance.now() - started, xhrOpened: xhrOpened - opened };
  } catch (err) {
    return { status: null, data: null, error: summarize(err), retries, outcomes, elapsedMs: performance.now() - started, xhrOpened: xhrOpened - opened };
  } finally {
    client.dispose();
  }
}

export const scenarios = {
  /** What a page sees of Node: nothing. */
  environment(): Record<string, string> {
    const g = globalThis as Record<string, unknown>;
    return { process: typeof g.process, Buffer: typeof g.Buffer, require: typeof g.require, setImmediate: typeof g.setImmediate };
  },

  /** 503 then 200: retried once after a short backoff. */
  retry503(base: string, adapter: BrowserAdapter, id: string): Promise<CallSummary> {
    return call(base, adapter, { retry: { backoff: { baseMs: 20, maxMs: 50 } } }, `/flaky/${id}`);
  },

  /**
   * 503 with `Retry-After: <seconds>` then 200. The backoff alone would wait
   * 5 s, more than the 4 s budget: only the server's value (readable through
   * CORS because the server exposes it) lets the call succeed in time.
   */
  retryAfter(base: string, adapter: BrowserAdapter, id: string, seconds: number): Promise<CallSummary> {
    return call(
      base,
      adapter,
      { retry: { backoff: { type: 'constant', baseMs: 5_000, jitter: 'none' } }, timeBudget: { totalMs: 4_000 } },
      `/retry-after/${id}?s=${seconds}`,
    );
  },

  /** A request that never gets an answer, within a 300 ms total budget. */
  deadline(base: string, adapter: BrowserAdapter, id: string): Promise<CallSummary> {
    return call(base, adapter, { timeBudget: { totalMs: 300 } }, `/hang/${id}`);
  },

  /** Two calls to an always-503 backend, breaker opening after one failure, no retries. */
  async circuit(
    base: string,
    adapter: BrowserAdapter,
    id: string,
  ): Promise<{ first: ErrorSummary | null; second: ErrorSummary | null; events: string[]; state: string | null; xhrOpened: number }> {
    const opened = xhrOpened;
    const client = new ResilientClient({ baseURL: base, adapter, retry: false, circuitBreaker: { trip: { type: 'consecutive', failures: 1 } } });
    const events: string[] = [];
    client.on('circuit-open', (e) => events.push(`circuit-open ${e.key} after ${e.failures}`));
    client.on('circuit-reject', (e) => events.push(`circuit-reject ${e.key}`));
    const attempt = async (): Promise<ErrorSummary | null> => {
      try {
        await client.get(`/fail/${id}`);
        return null;
      } catch (err) {
        return summarize(err);
      }
    };
    const first = await attempt();
    const second = await attempt();
    const state = client.circuit()?.state ?? null;
    client.dispose();
    return { first, second, events, state, xhrOpened: xhrOpened - opened };
  },

  /**
   * A rejection carrying secrets in every place one can be (a header set on
   * the client, one per request, a URL password, a query token, the body),
   * written to the console as users do. Returns what the console could show
   * of it (its string form, stack and own enumerable fields) and whether the
   * real config still carries the secrets (so it can be replayed).
   */
  async logged(base: string, adapter: BrowserAdapter, id: string, secrets: readonly string[]): Promise<{ shown: string; replayable: boolean }> {
    const [auth, apiKey, password, token, body] = secrets;
    const url = new URL(`/fail/${id}`, base);
    url.username = 'user';
    url.password = password;
    url.searchParams.set('access_token', token);
    const client = new ResilientClient({ adapter, retry: false, headers: { Authorization: `Bearer ${auth}` } });
    let failureView: unknown;
    client.on('failure', (e) => (failureView = e.error));
    try {
      await client.post(url.href, { card: body }, { headers: { 'X-Api-Key': apiKey } });
      return { shown: 'resolved', replayable: false };
    } catch (err) {
      console.log(err);
      console.log(failureView);
      const e = err as { stack?: string; config?: { headers?: Record<string, unknown>; data?: unknown } };
      const own = (x: unknown): string => (x !== null && typeof x === 'object' ? Object.keys(x).map((k) => `${k}=${String((x as Record<string, unknown>)[k])}`).join('; ') : '');
      const shown = [String(err), e.stack ?? '', own(err), String(failureView), own(failureView)].join('\n');
      const replayable = JSON.stringify(e.config?.headers ?? {}).includes(auth) && String(e.config?.data).includes(body);
      return { shown, replayable };
    } finally {
      client.dispose();
    }
  },

  /** The caller aborts a hanging request after 100 ms. */
  abort(base: string, adapter: BrowserAdapter, id: string): Promise<CallSummary> {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    return call(base, adapter, { timeBudget: { totalMs: 10_000 } }, `/hang/${id}`, controller.signal);
  },
};

export type Scenarios = typeof scenarios;

declare global {
  interface Window {
    scenarios: Scenarios;
  }
}

window.scenarios = scenarios;
