/**
 * Packaging, verified rather than assumed: build, `npm pack`, install the
 * tarball (with the axios version this repo uses) into a fresh consumer project
 * in a temporary directory, and use it there as users would:
 *
 * - `require('resilient-axios')` gets the CommonJS build, `import` the ES module
 *   build, both expose the source's public API, and both make real calls over
 *   loopback HTTP;
 * - no dual-package hazard: errors made by either build (constructed, or raised
 *   by a client) are recognised by the other build's `is*` guards and by both
 *   axios builds' `isAxiosError` / `isCancel`;
 * - TypeScript consumers type-check with `skipLibCheck: false` and `strict`:
 *   a `.cts` and a `.mts` consumer under `nodenext`, and one under `bundler`,
 *   each passing axios instances and errors between its own axios types and
 *   ours (the check that fails when one declaration file serves both formats).
 *
 * Slow by nature (two tsc builds, a pack, an install, three type checks): about
 * 20-40 s, with npm's cache reused (`--prefer-offline`).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as api from '../lib/index.js';

const ROOT = resolve(__dirname, '..');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const AXIOS_VERSION = (JSON.parse(readFileSync(join(ROOT, 'node_modules', 'axios', 'package.json'), 'utf8')) as { version: string }).version;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment for child processes, without what an enclosing `npm test` exports about this package. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_(package|lifecycle)_/i.test(k) || /^npm_config_local_prefix$/i.test(k)) continue;
    env[k] = v;
  }
  return env;
}

/** Runs a command to completion; never rejects (the caller asserts on `code`). */
function run(cmd: string, args: readonly string[], cwd: string): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(cmd, args, { cwd, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (err) => done({ code: -1, stdout, stderr: `${stderr}\n${String(err)}` }));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/** Like `run`, but throws (with the output) unless the command exits 0. */
async function must(cmd: string, args: readonly string[], cwd: string): Promise<string> {
  const r = await run(cmd, args, cwd);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) exited ${String(r.code)}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Parses the last line of a script's stdout as its JSON report. */
function report<T>(stdout: string): T {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as T;
}

// ---------------------------------------------------------------------------
// The consumer project's files.

/**
 * Shared by the CJS and ESM runtime checks: the shape of the module, where it
 * was loaded from, and a real call over loopback HTTP (503, then 200) that must
 * be retried. `lib` and `axios` are the module and axios as that format sees them.
 */
const RUNTIME_CHECK = String.raw`
async function check(lib, axios, resolved) {
  const http = await import('node:http');
  let hits = 0;
  const server = http.createServer((req, res) => {
    hits++;
    res.writeHead(hits === 1 ? 503 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ hits }));
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const base = 'http://127.0.0.1:' + server.address().port;
  const client = new lib.ResilientClient({ baseURL: base, retry: { backoff: { baseMs: 1, maxMs: 5 } } });
  const retries = [];
  client.on('retry', (e) => retries.push(e.status));
  let call;
  try {
    const res = await client.get('/flaky');
    call = { status: res.status, data: res.data, retries, hits };
  } catch (err) {
    call = { error: String(err), retries, hits };
  }
  await new Promise((ok) => server.close(ok));
  const shape = {};
  for (const k of Object.keys(lib).sort()) shape[k] = typeof lib[k];
  return { resolved, shape, call, errorIsAxiosError: new lib.CircuitOpenError('k', 1) instanceof axios.AxiosError };
}
`;

const CHECK_CJS = `'use strict';
${RUNTIME_CHECK}
const lib = require('resilient-axios');
const axios = require('axios');
check(lib, axios, require.resolve('resilient-axios')).then((r) => console.log(JSON.stringify(r)), (e) => { console.error(e); process.exit(1); });
`;

const CHECK_MJS = `import * as lib from 'resilient-axios';
import axios from 'axios';
${RUNTIME_CHECK}
console.log(JSON.stringify(await check(lib, axios, import.meta.resolve('resilient-axios'))));
`;

/**
 * `resilient-axios/redis` in both formats, in a consumer that has neither Redis
 * client installed (they are optional peers): it loads, shares the main entry's
 * `ConfigError`, and refuses anything that is not a client.
 */
const REDIS_CHECK = String.raw`
function check(redis, main, resolved) {
  let error;
  try {
    redis.redisFleet({ redis: {} });
  } catch (err) {
    error = { name: err.name, path: err.path, isMainConfigError: err instanceof main.ConfigError };
  }
  let clients = [];
  for (const name of ['ioredis', 'redis']) {
    try { require.resolve(name); clients.push(name); } catch {}
  }
  return { resolved, exports: Object.keys(redis).sort(), error, clients };
}
`;

const REDIS_CJS = `'use strict';
${REDIS_CHECK}
console.log(JSON.stringify(check(require('resilient-axios/redis'), require('resilient-axios'), require.resolve('resilient-axios/redis'))));
`;

const REDIS_MJS = `import { createRequire } from 'node:module';
import * as redis from 'resilient-axios/redis';
import * as main from 'resilient-axios';
const require = createRequire(import.meta.url);
${REDIS_CHECK}
console.log(JSON.stringify(check(redis, main, import.meta.resolve('resilient-axios/redis'))));
`;

/**
 * Both builds in one process (one `require`s the package, another `import`s
 * it): every error each build makes, checked with every guard of both builds
 * and both axios builds. Each build is also given an instance of the *other*
 * axios build (`axios: instance`), as happens when an ESM app hands its axios
 * to a CommonJS dependency.
 */
const HAZARD_MJS = `import { createRequire } from 'node:module';
import * as esm from 'resilient-axios';
import esmAxios from 'axios';
const require = createRequire(import.meta.url);
const cjs = require('resilient-axios');
const cjsAxios = require('axios');
const builds = { cjs: { lib: cjs, axios: cjsAxios }, esm: { lib: esm, axios: esmAxios } };

async function provoke(b, ax, useInstance) {
  const made = {
    constructedCircuit: new b.lib.CircuitOpenError('k', 5),
    constructedDeadline: new b.lib.DeadlineExceededError(100),
    constructedBulkhead: new b.lib.BulkheadFullError(1, 0),
    constructedThrottled: new b.lib.ThrottledError('k', 0.5),
  };
  const make = (config) => (useInstance ? { axios: ax.create(config) } : config);
  let sent = 0;
  const refuse = (config) => { sent++; return Promise.reject(new ax.AxiosError('connect ECONNREFUSED', 'ECONNREFUSED', config)); };
  const breaking = new b.lib.ResilientClient({ ...make({ adapter: refuse }), retry: false, circuitBreaker: { trip: { type: 'consecutive', failures: 1 } } });
  made.refused = await breaking.get('http://127.0.0.1:9/x').catch((e) => e);
  made.circuit = await breaking.get('http://127.0.0.1:9/x').catch((e) => e);
  const circuitSent = sent;
  const hang = (config) => new Promise((_, reject) => config.signal.addEventListener('abort', () => reject(new ax.CanceledError(undefined, config))));
  const slow = new b.lib.ResilientClient({ ...make({ adapter: hang }), timeBudget: { totalMs: 50 } });
  made.deadline = await slow.get('http://127.0.0.1:9/y').catch((e) => e);
  const ac = new AbortController();
  const pending = slow.get('http://127.0.0.1:9/z', { signal: ac.signal }).catch((e) => e);
  setTimeout(() => ac.abort(), 10);
  made.canceled = await pending;
  return { made, circuitSent };
}

const out = {
  distinct: cjs.ResilientClient !== esm.ResilientClient && cjsAxios.AxiosError !== esmAxios.AxiosError,
  circuitSent: {},
  errors: {},
};
for (const [maker, b] of Object.entries(builds)) {
  const other = maker === 'cjs' ? esmAxios : cjsAxios;
  for (const [via, ax, useInstance] of [['own', b.axios, false], ['other-axios-instance', other, true]]) {
    const { made, circuitSent } = await provoke(b, ax, useInstance);
    out.circuitSent[maker + '/' + via] = circuitSent;
    for (const [what, err] of Object.entries(made)) {
      const r = { name: err.name, code: err.code, reason: esm.resilienceOf(err)?.reason ?? null, sameBuildClass: null };
      const cls = { constructedCircuit: 'CircuitOpenError', circuit: 'CircuitOpenError', constructedDeadline: 'DeadlineExceededError', deadline: 'DeadlineExceededError', constructedBulkhead: 'BulkheadFullError', constructedThrottled: 'ThrottledError' }[what];
      if (cls) r.sameBuildClass = err instanceof b.lib[cls];
      for (const [checker, c] of Object.entries(builds)) {
        r[checker] = {
          isAxiosError: c.axios.isAxiosError(err),
          isCancel: c.axios.isCancel(err),
          isCircuitOpenError: c.lib.isCircuitOpenError(err),
          isDeadlineExceededError: c.lib.isDeadlineExceededError(err),
          isBulkheadFullError: c.lib.isBulkheadFullError(err),
          isThrottledError: c.lib.isThrottledError(err),
        };
      }
      out.errors[maker + '/' + via + '/' + what] = r;
    }
  }
}
console.log(JSON.stringify(out));
`;

/**
 * A TypeScript consumer, compiled as `.cts`, `.mts` and (bundler) `.ts`. The
 * assignments between axios's types and ours are what breaks when the
 * declarations a format gets import the other format's axios types; the
 * `@ts-expect-error`s fail the check if our types degrade to `any`.
 */
const CONSUMER_TS = `import axios, { AxiosError } from 'axios';
import type { AxiosInstance, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import {
  ConfigError, CircuitOpenError, DeadlineExceededError, ResilientClient, ERR_CIRCUIT_OPEN,
  isBulkheadFullError, isCircuitOpenError, isDeadlineExceededError, isThrottledError, resilienceOf, systemClock,
} from 'resilient-axios';
import type {
  Clock, FailureEvent, FailureReason, FleetLink, ResilientClientConfig, ResilientEvents, RetryEvent, RetryOutcome, WithResilience,
} from 'resilient-axios';
import { redisFleet } from 'resilient-axios/redis';
import type { RedisFleet, RedisFleetOptions } from 'resilient-axios/redis';

const instance: AxiosInstance = axios.create({ baseURL: 'http://127.0.0.1:9' });
const wrapped = new ResilientClient({ axios: instance, retry: { maxAttempts: 4, idempotencyKey: true } });
const back: AxiosInstance = wrapped.axios;
back.interceptors.request.use((config: InternalAxiosRequestConfig) => config);

const config: ResilientClientConfig = {
  baseURL: 'https://payments.internal',
  headers: { 'x-service': 'checkout' },
  retry: {
    maxAttempts: 4,
    statusCodes: [503],
    retryIf: (o: RetryOutcome) => (o.response?.status === 409 ? false : undefined),
    backoff: { type: 'decorrelated', baseMs: 50, jitter: 'full' },
  },
  timeBudget: { totalMs: 5_000, attemptMs: 1_500 },
  circuitBreaker: { trip: { type: 'consecutive', failures: 5 }, openMs: 10_000 },
  clock: systemClock,
};
export const client = new ResilientClient(config);
const clock: Clock = systemClock;
void clock;

client.on('retry', (e: RetryEvent) => console.log(e.delayMs.toFixed(0), e.status, e.code));
client.on('failure', (e: FailureEvent) => {
  const reason: FailureReason = e.reason;
  console.log(reason, e.attempts);
});
client.on('circuit-open', (e) => console.log(e.key.toUpperCase(), e.failures));
type RetryPayload = Parameters<ResilientEvents['retry']>[0];
export const payload: RetryPayload | undefined = undefined;

// @ts-expect-error: no such event
client.on('no-such-event', () => undefined);
// @ts-expect-error: maxAttempts is a number
export const bad = new ResilientClient({ retry: { maxAttempts: '3' } });

export async function load(id: number): Promise<number | undefined> {
  try {
    const res: AxiosResponse<{ id: number }> = await client.get<{ id: number }>(\`/items/\${id}\`, {
      resilience: { retry: false, timeBudget: { totalMs: 500 } },
    });
    return res.data.id;
  } catch (err) {
    if (axios.isCancel(err)) return undefined;
    if (isCircuitOpenError(err)) {
      const e: AxiosError = err;
      const code: typeof ERR_CIRCUIT_OPEN = err.code;
      console.log(e.message, err.key, err.remainingMs, code);
    } else if (isDeadlineExceededError(err)) {
      console.log(err.totalMs, err.cause);
    } else if (isBulkheadFullError(err) || isThrottledError(err)) {
      console.log(err.message);
    } else if (axios.isAxiosError(err)) {
      const e: WithResilience<AxiosError> = err;
      console.log(e.response?.status, e.resilience?.reason);
    }
    console.log(resilienceOf(err)?.attempts);
    throw err;
  }
}

export const asAxiosError: AxiosError = new DeadlineExceededError(100);
export const circuit: AxiosError = new CircuitOpenError('k', 1);
export const configError: TypeError = new ConfigError('retry.maxAttempts', -1, 'an integer >= 1');
export const stats: number = client.stats().calls + (client.circuit()?.stats.failures ?? 0);

export function fleetClient(redis: object): ResilientClient {
  const options: RedisFleetOptions = { redis, prefix: 'checkout:', adopt: 'trust', opTimeoutMs: 100 };
  const fleet: RedisFleet = redisFleet(options);
  const link: FleetLink = fleet;
  return new ResilientClient({ baseURL: 'http://127.0.0.1:9', fleet: link });
}
// @ts-expect-error: adopt is 'verify' or 'trust'
export const badFleet = redisFleet({ redis: {}, adopt: 'always' });
`;

const TS_BASE = { target: 'ES2022', strict: true, skipLibCheck: false, noEmit: true, exactOptionalPropertyTypes: true, noUnusedLocals: true, forceConsistentCasingInFileNames: true };

/** Node consumers: `@types/node` (from this repo, as a Node project would have it), no DOM. */
const TSCONFIG_NODENEXT = {
  compilerOptions: { ...TS_BASE, module: 'nodenext', moduleResolution: 'nodenext', lib: ['ES2022'], types: ['node'], typeRoots: [join(ROOT, 'node_modules', '@types')] },
  files: ['consumer.cts', 'consumer.mts'],
};

/** Bundler consumers (browser apps): DOM, no Node types. */
const TSCONFIG_BUNDLER = {
  compilerOptions: { ...TS_BASE, module: 'esnext', moduleResolution: 'bundler', lib: ['ES2022', 'DOM'], types: [] },
  files: ['consumer.ts'],
};

// ---------------------------------------------------------------------------

interface PackedFile {
  readonly path: string;
}
interface RuntimeReport {
  readonly resolved: string;
  readonly shape: Record<string, string>;
  readonly call: { status?: number; data?: unknown; retries: number[]; hits: number; error?: string };
  readonly errorIsAxiosError: boolean;
}
type Verdicts = Record<'isAxiosError' | 'isCancel' | 'isCircuitOpenError' | 'isDeadlineExceededError' | 'isBulkheadFullError' | 'isThrottledError', boolean>;
interface ErrorReport {
  readonly name: string;
  readonly code: string;
  readonly reason: string | null;
  readonly sameBuildClass: boolean | null;
  readonly cjs: Verdicts;
  readonly esm: Verdicts;
}
interface HazardReport {
  readonly distinct: boolean;
  readonly circuitSent: Record<string, number>;
  readonly errors: Record<string, ErrorReport>;
}

let work = '';
let consumer = '';
let packed: PackedFile[] = [];
let tscNodenext: Promise<Run>;
let tscBundler: Promise<Run>;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'resilient-axios-pack-'));
  consumer = join(work, 'consumer');
  await must('npm', ['run', 'build'], ROOT);
  const pack = JSON.parse(await must('npm', ['pack', '--pack-destination', work, '--json'], ROOT)) as Array<{ filename: string; files: PackedFile[] }>;
  packed = pack[0].files;
  const tarball = join(work, pack[0].filename);

  mkdirSync(consumer);
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }, null, 2));
  await must('npm', ['install', tarball, `axios@${AXIOS_VERSION}`, '--no-audit', '--no-fund', '--prefer-offline'], consumer);

  const files: Record<string, string> = {
    'check.cjs': CHECK_CJS,
    'check.mjs': CHECK_MJS,
    'hazard.mjs': HAZARD_MJS,
    'redis.cjs': REDIS_CJS,
    'redis.mjs': REDIS_MJS,
    'consumer.cts': CONSUMER_TS,
    'consumer.mts': CONSUMER_TS,
    'consumer.ts': CONSUMER_TS,
    'tsconfig.nodenext.json': JSON.stringify(TSCONFIG_NODENEXT, null, 2),
    'tsconfig.bundler.json': JSON.stringify(TSCONFIG_BUNDLER, null, 2),
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(consumer, name), text);

  // Both type checks start now and run while the runtime tests do.
  tscNodenext = run(process.execPath, [TSC, '-p', 'tsconfig.nodenext.json', '--listFiles'], consumer);
  tscBundler = run(process.execPath, [TSC, '-p', 'tsconfig.bundler.json', '--listFiles'], consumer);
}, 150_000);

afterAll(async () => {
  // Let the type checks finish before their directory goes.
  await Promise.allSettled([tscNodenext, tscBundler]);
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

/** The public API as the source defines it: export name -> typeof. */
function sourceShape(): Record<string, string> {
  const shape: Record<string, string> = {};
  const mod = api as unknown as Record<string, unknown>;
  for (const k of Object.keys(mod).sort()) shape[k] = typeof mod[k];
  return shape;
}

describe('the packed tarball', () => {
  test('ships both builds with their declarations and module-type markers, and no sources, tests or docs', () => {
    const paths = packed.map((f) => f.path);
    for (const wanted of [
      'package.json', 'README.md', 'CHANGELOG.md',
      'dist/cjs/index.js', 'dist/cjs/index.d.ts', 'dist/cjs/package.json',
      'dist/esm/index.js', 'dist/esm/index.d.ts', 'dist/esm/package.json',
    ]) {
      expect(paths).toContain(wanted);
    }
    const stray = paths.filter((p) => !/^dist\/(cjs|esm)\/([\w-]+\/)?[\w.-]+\.(js|d\.ts|json)$/.test(p) && !['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE'].includes(p));
    expect(stray).toEqual([]);
    // Every module of one build is in the other, each with its declarations.
    const names = (dir: string): string[] => paths.filter((p) => p.startsWith(`dist/${dir}/`)).map((p) => p.slice(dir.length + 6)).sort();
    expect(names('cjs')).toEqual(names('esm'));
    for (const js of paths.filter((p) => p.endsWith('.js'))) expect(paths).toContain(js.replace(/\.js$/, '.d.ts'));
  });

  test('every file package.json points at exists in the installed package, and the nested markers say the right format', () => {
    const installed = join(consumer, 'node_modules', 'resilient-axios');
    const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as Record<string, unknown>;
    const targets: string[] = [];
    const walk = (v: unknown): void => {
      if (typeof v === 'string') targets.push(v);
      else if (v !== null && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk(pkg.exports);
    for (const field of ['main', 'module', 'types']) walk(pkg[field]);
    expect(targets.length).toBeGreaterThan(4);
    for (const t of targets) expect([t, existsSync(join(installed, t))]).toEqual([t, true]);
    expect(JSON.parse(readFileSync(join(installed, 'dist/cjs/package.json'), 'utf8'))).toEqual({ type: 'commonjs' });
    expect(JSON.parse(readFileSync(join(installed, 'dist/esm/package.json'), 'utf8'))).toEqual({ type: 'module' });
    expect(pkg.peerDependencies).toEqual({ axios: expect.any(String), ioredis: '>=5', redis: '>=4' });
    expect(pkg.peerDependenciesMeta).toEqual({ ioredis: { optional: true }, redis: { optional: true } });
    expect(Object.keys(pkg.dependencies as object)).toEqual(['eventemitter3']);
  });
});

describe('runtime, in a fresh consumer', () => {
  let cjs: RuntimeReport;
  let esm: RuntimeReport;

  test('require() loads the CommonJS build, which makes a retried call over loopback HTTP', async () => {
    cjs = report<RuntimeReport>(await must(process.execPath, ['check.cjs'], consumer));
    expect(cjs.resolved).toMatch(/node_modules\/resilient-axios\/dist\/cjs\/index\.js$/);
    expect(cjs.call).toEqual({ status: 200, data: { hits: 2 }, retries: [503], hits: 2 });
    expect(cjs.errorIsAxiosError).toBe(true);
  });

  test('import loads the ES module build, which makes a retried call over loopback HTTP', async () => {
    esm = report<RuntimeReport>(await must(process.execPath, ['check.mjs'], consumer));
    expect(esm.resolved).toMatch(/node_modules\/resilient-axios\/dist\/esm\/index\.js$/);
    expect(esm.call).toEqual({ status: 200, data: { hits: 2 }, retries: [503], hits: 2 });
    expect(esm.errorIsAxiosError).toBe(true);
  });

  test('both builds expose exactly the public API of lib/index.ts', () => {
    expect(cjs).toBeDefined();
    expect(esm).toBeDefined();
    expect(Object.keys(sourceShape())).toContain('ResilientClient');
    expect(cjs.shape).toEqual(sourceShape());
    expect(esm.shape).toEqual(sourceShape());
  });
});

describe('resilient-axios/redis, with neither Redis client installed', () => {
  test.each([['require()', 'redis.cjs', 'cjs'], ['import', 'redis.mjs', 'esm']])('%s loads the %s build and refuses a non-client with the main entry\u2019s ConfigError', async (_how, file, format) => {
    const r = report<{ resolved: string; exports: string[]; error: unknown; clients: string[] }>(await must(process.execPath, [file], consumer));
    expect(r.resolved).toMatch(new RegExp(`node_modules/resilient-axios/dist/${format}/redis/index\\.js$`));
    expect(r.exports).toEqual(['redisFleet']);
    expect(r.error).toEqual({ name: 'ConfigError', path: 'redis', isMainConfigError: true });
    expect(r.clients).toEqual([]);
  });
});

describe('no dual-package hazard', () => {
  let hazard: HazardReport;
  const expected: Record<string, { name: string; code: string; guard: keyof Verdicts | null; isCancel: boolean; reason: string | null }> = {
    constructedCircuit: { name: 'CircuitOpenError', code: 'ERR_CIRCUIT_OPEN', guard: 'isCircuitOpenError', isCancel: false, reason: null },
    constructedDeadline: { name: 'DeadlineExceededError', code: 'ERR_DEADLINE_EXCEEDED', guard: 'isDeadlineExceededError', isCancel: false, reason: null },
    constructedBulkhead: { name: 'BulkheadFullError', code: 'ERR_BULKHEAD_FULL', guard: 'isBulkheadFullError', isCancel: false, reason: null },
    constructedThrottled: { name: 'ThrottledError', code: 'ERR_THROTTLED', guard: 'isThrottledError', isCancel: false, reason: null },
    refused: { name: 'AxiosError', code: 'ECONNREFUSED', guard: null, isCancel: false, reason: 'not-retryable' },
    circuit: { name: 'CircuitOpenError', code: 'ERR_CIRCUIT_OPEN', guard: 'isCircuitOpenError', isCancel: false, reason: 'circuit-open' },
    deadline: { name: 'DeadlineExceededError', code: 'ERR_DEADLINE_EXCEEDED', guard: 'isDeadlineExceededError', isCancel: false, reason: 'deadline' },
    canceled: { name: 'CanceledError', code: 'ERR_CANCELED', guard: null, isCancel: true, reason: 'aborted' },
  };

  beforeAll(async () => {
    hazard = report<HazardReport>(await must(process.execPath, ['hazard.mjs'], consumer));
  }, 30_000);

  test('one process really holds two copies of the library and of axios', () => {
    expect(hazard.distinct).toBe(true);
  });

  test('an open circuit refuses locally in both builds, whichever axios build the instance comes from', () => {
    expect(hazard.circuitSent).toEqual({ 'cjs/own': 1, 'cjs/other-axios-instance': 1, 'esm/own': 1, 'esm/other-axios-instance': 1 });
  });

  const makers = ['cjs/own', 'cjs/other-axios-instance', 'esm/own', 'esm/other-axios-instance'];
  test.each(makers)('every error made by %s is recognised by both builds\u2019 guards and both axios builds', (maker) => {
    for (const [what, want] of Object.entries(expected)) {
      const got = hazard.errors[`${maker}/${what}`];
      expect([what, got.name, got.code, got.reason]).toEqual([what, want.name, want.code, want.reason]);
      if (got.sameBuildClass !== null) expect([what, 'instanceof its own class', got.sameBuildClass]).toEqual([what, 'instanceof its own class', true]);
      for (const checker of ['cjs', 'esm'] as const) {
        const verdicts: Verdicts = {
          isAxiosError: true,
          isCancel: want.isCancel,
          isCircuitOpenError: want.guard === 'isCircuitOpenError',
          isDeadlineExceededError: want.guard === 'isDeadlineExceededError',
          isBulkheadFullError: want.guard === 'isBulkheadFullError',
          isThrottledError: want.guard === 'isThrottledError',
        };
        expect({ what, checker, verdicts: got[checker] }).toEqual({ what, checker, verdicts });
      }
    }
  });
});

describe('TypeScript consumers (strict, skipLibCheck: false)', () => {
  /** Fails with tsc's diagnostics; returns the files tsc read. */
  async function typecheck(result: Promise<Run>): Promise<string[]> {
    const r = await result;
    const files = r.stdout.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('/'));
    const diagnostics = r.stdout.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('/')).join('\n');
    expect({ exit: r.code, diagnostics, stderr: r.stderr }).toEqual({ exit: 0, diagnostics: '', stderr: '' });
    return files.map((f) => f.slice(consumer.length + 1));
  }

  test('nodenext: a .cts consumer gets the CommonJS declarations and a .mts consumer the ESM ones, each with the matching axios types', async () => {
    const files = await typecheck(tscNodenext);
    expect(files).toEqual(expect.arrayContaining([
      'consumer.cts', 'consumer.mts',
      'node_modules/resilient-axios/dist/cjs/index.d.ts', 'node_modules/axios/index.d.cts',
      'node_modules/resilient-axios/dist/esm/index.d.ts', 'node_modules/axios/index.d.ts',
    ]));
  }, 60_000);

  test('bundler: gets the ESM declarations and axios\u2019s ESM types only', async () => {
    const files = await typecheck(tscBundler);
    expect(files).toEqual(expect.arrayContaining(['consumer.ts', 'node_modules/resilient-axios/dist/esm/index.d.ts', 'node_modules/axios/index.d.ts']));
    expect(files.filter((f) => f.includes('dist/cjs/') || f.endsWith('.d.cts'))).toEqual([]);
  }, 60_000);
});
