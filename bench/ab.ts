/**
 * Two (or more) builds of the package side by side in one process, for speed
 * work: `npx tsx bench/ab.ts <dir/index.js> <dir/index.js>... [--fail] [--rounds=N]`.
 * Each path is a built CommonJS entry (`dist/cjs/index.js`, or a copy of it
 * saved before a change, e.g. `cp -r dist/cjs /tmp/before`). Raw axios and the
 * floor (no-op interceptors) run beside them; all alternate round by round, and
 * each build's CPU µs per call is compared with the first build's in the same
 * round. Each build is its own module instance, so one build's type feedback
 * never reaches another's code. `--fail`: every call fails (a 404, not
 * retried), to measure the failure path. Run it twice with the builds swapped
 * to rule out an order effect.
 */
import './env.js';
import path from 'node:path';
import axios, { AxiosError } from 'axios';
import type { AxiosAdapter, AxiosResponse } from 'axios';
import { createRequire } from 'node:module';
import type * as Core from '../lib/index.js';
import { instantAdapter } from './common.js';
import { cpuMicros, fmt, median } from './stats.js';

const args = process.argv.slice(2);
const builds = args.filter((a) => !a.startsWith('--'));
const failing = args.includes('--fail');
const rounds = Number(args.find((a) => a.startsWith('--rounds='))?.slice('--rounds='.length) ?? (failing ? 8 : 14));
if (builds.length === 0) {
  console.error('usage: npx tsx bench/ab.ts <build/index.js>... [--fail] [--rounds=N]');
  process.exit(2);
}

/** Every call fails with a 404 (axios's settle would make the same error): not retried. */
const notFound: AxiosAdapter = (config) => {
  const response: AxiosResponse = { data: '', status: 404, statusText: 'Not Found', headers: {}, config, request: {} };
  return Promise.reject(new AxiosError('Request failed with status code 404', AxiosError.ERR_BAD_REQUEST, config, {}, response));
};

const BASE = { baseURL: 'http://api.test', adapter: failing ? notFound : instantAdapter };
const load = createRequire(__filename);
const noop = (): void => undefined;

interface Runner {
  readonly name: string;
  get(url: string): Promise<unknown>;
}

function axiosRunner(name: string, interceptors: boolean): Runner {
  const instance = axios.create(BASE);
  if (interceptors) {
    instance.interceptors.request.use((config) => config, undefined, { synchronous: true });
    instance.interceptors.response.use((response) => response, (err: unknown) => Promise.reject(err));
  }
  return { name, get: (url) => instance.get(url) };
}

function buildRunner(entry: string): Runner {
  const lib = load(path.resolve(entry)) as typeof Core;
  const client = new lib.ResilientClient(BASE);
  client.on('attempt', noop).on('retry', noop).on('success', noop).on('failure', noop);
  return { name: entry, get: (url) => client.get(url) };
}

async function main(): Promise<void> {
  const runners = [axiosRunner('raw axios', false), axiosRunner('axios + no-op interceptors', true), ...builds.map(buildRunner)];
  const calls = failing ? 2_000 : 10_000;
  const call = (r: Runner): Promise<unknown> => r.get('/item').catch(() => undefined);
  for (const r of runners) for (let i = 0; i < 5_000; i++) await call(r);
  const cpu: number[][] = runners.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < runners.length; k++) {
      const t = process.cpuUsage();
      for (let i = 0; i < calls; i++) await call(runners[k]);
      cpu[k].push(cpuMicros(t) / calls);
    }
  }
  const first = 2;
  console.log(`${rounds} rounds × ${calls} sequential ${failing ? 'failing' : 'successful'} calls each, alternating; medians of CPU µs per call.`);
  runners.forEach((r, k) => {
    const overRaw = median(cpu[k].map((v, round) => v - cpu[0][round]));
    const vsFirst = k > first
      ? `  vs ${runners[first].name}: ${fmt(median(cpu[k].map((v, round) => v - cpu[first][round])))} µs (faster in ${cpu[k].filter((v, round) => v < cpu[first][round]).length}/${rounds} rounds)`
      : '';
    console.log(`${fmt(median(cpu[k])).padStart(7)} µs  ${`+${fmt(overRaw)}`.padStart(7)} over raw  ${r.name}${vsFirst}`);
  });
}

void main();
