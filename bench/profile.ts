/**
 * resilient-axios alone, for `node --cpu-prof`:
 *   node --cpu-prof --cpu-prof-dir=bench/.prof --import tsx bench/profile.ts [s1|s6|raw]
 *   npx tsx bench/profile-top.ts bench/.prof/*.cpuprofile && rm -r bench/.prof
 * s1 (default): scenario 1's path, 200k sequential calls to an instant adapter.
 * s6: the deadline path, calls whose 1 ms budget runs out against an adapter that never answers.
 * raw: scenario 1 through raw axios, to compare.
 * open: the fast-fail path, 50k calls refused by an open breaker (the backend answers 503).
 * parts: CPU µs per call of scenario 1 for raw axios, axios with no-op interceptors and
 *   resilient-axios with features switched off one by one (what costs what).
 */
import './env.js';
import axios, { CanceledError } from 'axios';
import type { AxiosAdapter } from 'axios';
import { raw, resilient } from './contenders.js';
import type { Contender } from './contenders.js';
import { countingAdapter, instantAdapter } from './common.js';
import { core } from './built.js';
import type { ResilientClientConfig } from '../lib/index.js';
import { cpuMicros, fmt, median } from './stats.js';

const BASE = { baseURL: 'http://api.test', adapter: instantAdapter };

function client(name: string, config: ResilientClientConfig, listeners: boolean): Contender {
  const c = new core.ResilientClient({ ...BASE, ...config });
  const noop = (): void => undefined;
  if (listeners) c.on('attempt', noop).on('retry', noop).on('success', noop).on('failure', noop);
  return { name, get: (url) => c.get(url), close: () => c.dispose() };
}

async function parts(): Promise<void> {
  const interceptors = axios.create(BASE);
  interceptors.interceptors.request.use((c) => c, undefined, { synchronous: true });
  interceptors.interceptors.response.use((r) => r, (e: unknown) => Promise.reject(e));
  const all: Contender[] = [
    raw.make(BASE),
    { name: 'axios + no-op interceptors', get: (url) => interceptors.get(url), close: () => undefined },
    client('resilient: retry, breaker, budget off; no listeners', { retry: false, circuitBreaker: false, retryBudget: false }, false),
    client('resilient: breaker, budget off; no listeners', { circuitBreaker: false, retryBudget: false }, false),
    client('resilient defaults, no listeners', {}, false),
    client('resilient defaults + 4 listeners (scenario 1)', {}, true),
  ];
  const cpu: number[][] = all.map(() => []);
  for (const c of all) for (let i = 0; i < 5_000; i++) await c.get('/item');
  for (let r = 0; r < 10; r++) {
    for (let k = 0; k < all.length; k++) {
      const t = process.cpuUsage();
      for (let i = 0; i < 20_000; i++) await all[k].get('/item');
      cpu[k].push(cpuMicros(t) / 20_000);
    }
  }
  const floor = median(cpu[0]);
  all.forEach((c, k) => console.log(`${fmt(median(cpu[k]))} µs/call  +${fmt(median(cpu[k]) - floor)}  ${c.name}`));
}

/** Never answers; rejects like axios's adapters when the attempt's signal aborts. */
const hangingAdapter: AxiosAdapter = (config) =>
  new Promise((_resolve, reject) => {
    const signal = config.signal as { addEventListener?: (t: 'abort', l: () => void) => void } | undefined;
    signal?.addEventListener?.('abort', () => reject(new CanceledError(undefined, config)));
  });

async function main(): Promise<void> {
  const mode = process.argv[2] ?? 's1';
  const t0 = performance.now();
  if (mode === 's1' || mode === 'raw') {
    const c = (mode === 'raw' ? raw : resilient).make({ baseURL: 'http://api.test', adapter: instantAdapter });
    for (let i = 0; i < 200_000; i++) await c.get('/item');
    c.close();
  } else if (mode === 'open') {
    const c = resilient.make({ baseURL: 'http://api.test', adapter: countingAdapter(() => 503).adapter });
    for (let i = 0; i < 50_000; i++) await c.get('/item').catch(() => undefined);
    c.close();
  } else if (mode === 'parts') {
    await parts();
  } else if (mode === 's6') {
    const c = resilient.make({ baseURL: 'http://api.test', adapter: hangingAdapter }, { deadlineMs: 1 });
    for (let b = 0; b < 200; b++) await Promise.all(Array.from({ length: 250 }, () => c.get('/item').catch((e: unknown) => axios.isAxiosError(e))));
    c.close();
  } else {
    throw new Error(`unknown mode ${mode}: s1, s6, open, raw or parts`);
  }
  console.log(`${mode}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

void main();
