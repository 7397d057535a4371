/** What every scenario takes and gives back, and the in-process backends. */
import { AxiosError } from 'axios';
import type { AxiosAdapter, AxiosResponse } from 'axios';

export interface RunOptions {
  /** Smoke run: far fewer calls, asserts nothing about speed. */
  readonly quick: boolean;
}

export interface ScenarioResult {
  readonly id: number;
  readonly title: string;
  /** Markdown: one or more tables and notes. */
  readonly markdown: string;
  /** Raw figures for results.json. */
  readonly data: unknown;
}

const DATA = { ok: true };

/** Scenario 1's backend: answers 200 at once. */
export const instantAdapter: AxiosAdapter = (config) =>
  Promise.resolve({ data: DATA, status: 200, statusText: 'OK', headers: {}, config, request: {} });

export interface CountingAdapter {
  readonly adapter: AxiosAdapter;
  /** Requests that reached the backend. */
  readonly requests: () => number;
}

/**
 * An in-process backend that answers `status(i)` to its i-th request, settling
 * like axios's own adapters (validateStatus decides). Each answer comes in its
 * own macrotask, as network responses do: answered in one microtask batch,
 * concurrent calls would reach the libraries' breakers out of order (a failure
 * overtaking the success that came before it), which no real backend causes.
 */
export function countingAdapter(status: (i: number) => number): CountingAdapter {
  let n = 0;
  const adapter: AxiosAdapter = (config) => {
    const s = status(n++);
    const response: AxiosResponse = { data: DATA, status: s, statusText: s === 200 ? 'OK' : 'Service Unavailable', headers: {}, config, request: {} };
    const validate = config.validateStatus;
    return new Promise((resolve, reject) =>
      setImmediate(() => {
        if (validate === undefined || validate === null || validate(s)) return resolve(response);
        const code = s >= 500 ? AxiosError.ERR_BAD_RESPONSE : AxiosError.ERR_BAD_REQUEST;
        reject(new AxiosError(`Request failed with status code ${s}`, code, config, response.request, response));
      }),
    );
  };
  return { adapter, requests: () => n };
}

/** Makes `calls` calls to `url` through `get`, `width` at a time; counts the outcomes. */
export async function drive(get: (url: string) => Promise<unknown>, calls: number, width: number): Promise<{ ok: number; failed: number }> {
  let ok = 0;
  let failed = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < calls) {
      next++;
      try {
        await get('/item');
        ok++;
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, calls) }, worker));
  return { ok, failed };
}

/**
 * Runs `fn` with stack traces off. Only for scenarios that count rather than
 * time: every failed axios call captures and formats two stacks, which is most
 * of what a failure costs and would make them slow for nothing.
 */
export async function withoutStacks<T>(fn: () => Promise<T>): Promise<T> {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return await fn();
  } finally {
    Error.stackTraceLimit = limit;
  }
}
