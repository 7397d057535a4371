/**
 * Packaging, verified rather than assumed: build, `npm pack`, install the
 * tarball (with the axios version this repo uses) into a fresh consumer project
 * in a temporary directory, and use it there as users would:
 *
 * - `require('resilient-axios')` gets the CommonJS build, `import` the ES module
 *   build, both expose the source's public API, and both pass the smoke check
 *   (helpers/consumer.ts: a retried call over loopback HTTP, a breaker that
 *   opens); `npm run test:compat` runs that check on every Node and axios we claim;
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
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as api from '../lib/index.js';
import {
  HEALTHY_SMOKE, ROOT, SMOKE_CJS, SMOKE_MJS, TSC, TS_STRICT, buildAndPack, installInto, lastJsonLine, must, nodenextTsconfig, run,
} from './helpers/consumer.js';
import type { Run, SmokeReport } from './helpers/consumer.js';

const AXIOS_VERSION = (JSON.parse(readFileSync(join(ROOT, 'node_modules', 'axios', 'package.json'), 'utf8')) as { version: string }).version;
/** The version this repository installs of an optional peer (so the consumer's install is served from npm's cache). */
const versionOf = (name: string): string =>
  (JSON.parse(readFileSync(join(ROOT, 'node_modules', ...name.split('/'), 'package.json'), 'utf8')) as { version: string }).version;
const OPTIONAL_PEERS = [`@opentelemetry/api@${versionOf('@opentelemetry/api')}`, `prom-client@${versionOf('prom-client')}`];

/**
 * The optional entry points as a consumer loads them, from either format: each
 * exports its function, and `resilient-axios/prometheus` really registers the
 * client's families in a registry of the consumer's prom-client.
 */
const ENTRIES_BODY = `
  const client = new core.ResilientClient({ baseURL: 'http://127.0.0.1:9' });
  const registry = new prom.Registry();
  const metrics = prometheus.prometheusMetrics(client, { registry, name: 'consumer' });
  const text = await registry.metrics();
  const handle = otel.instrument(client);
  handle.uninstrument();
  metrics.unregister();
  console.log(JSON.stringify({
    otel: typeof otel.instrument, prometheus: typeof prometheus.prometheusMetrics, redis: typeof redis.redisFleet,
    calls: text.includes('resilient_axios_calls_total'), after: (await registry.metrics()).includes('resilient_axios_calls_total'),
  }));`;
const ENTRIES_CJS = `const core = require('resilient-axios');
const otel = require('resilient-axios/otel');
const prometheus = require('resilient-axios/prometheus');
const redis = require('resilient-axios/redis');
const prom = require('prom-client');
(async () => {${ENTRIES_BODY}
})();
`;
const ENTRIES_MJS = `import * as core from 'resilient-axios';
import * as otel from 'resilient-axios/otel';
import * as prometheus from 'resilient-axios/prometheus';
import * as redis from 'resilient-axios/redis';
import * as prom from 'prom-client';
${ENTRIES_BODY}
`;
/** The entry points' types, as a strict nodenext consumer sees them. */
const ENTRIES_TS = `import { ResilientClient } from 'resilient-axios';
import { instrument } from 'resilient-axios/otel';
import type { Instrumentation } from 'resilient-axios/otel';
import { prometheusMetrics } from 'resilient-axios/prometheus';
import { redisFleet } from 'resilient-axios/redis';
import type { FleetLink } from 'resilient-axios/redis';
import { Registry } from 'prom-client';

const client = new ResilientClient({ baseURL: 'https://api.test' });
const handle: Instrumentation = instrument(client, { callSpans: true });
handle.uninstrument();
prometheusMetrics(client, { registry: new Registry(), name: 'api' }).unregister();
export const link: (options: Parameters<typeof redisFleet>[0]) => FleetLink = redisFleet;
`;

// ---------------------------------------------------------------------------
// The consumer project's files (besides helpers/consumer.ts's smoke check).

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
  Clock, FailureEvent, FailureReason, ResilientClientConfig, ResilientEvents, RetryEvent, RetryOutcome, WithResilience,
} from 'resilient-axios';

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
`;

/** Node consumers: `@types/node` from this repo, as a Node project would have it. */
const TSCONFIG_NODENEXT = nodenextTsconfig(['consumer.cts', 'consumer.mts'], join(ROOT, 'node_modules', '@types'));

/** Bundler consumers (browser apps): DOM, no Node types. */
const TSCONFIG_BUNDLER = {
  compilerOptions: { ...TS_STRICT, module: 'esnext', moduleResolution: 'bundler', lib: ['ES2022', 'DOM'], types: [] },
  files: ['consumer.ts'],
};

// ---------------------------------------------------------------------------

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
let packed: readonly string[] = [];
let tscNodenext: Promise<Run>;
let tscBundler: Promise<Run>;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'resilient-axios-pack-'));
  consumer = join(work, 'consumer');
  const { tarball, files: inTarball } = await buildAndPack(work);
  packed = inTarball;
  await installInto(consumer, [tarball, `axios@${AXIOS_VERSION}`, ...OPTIONAL_PEERS]);

  const files: Record<string, string> = {
    'smoke.cjs': SMOKE_CJS,
    'smoke.mjs': SMOKE_MJS,
    'hazard.mjs': HAZARD_MJS,
    'consumer.cts': CONSUMER_TS,
    'consumer.mts': CONSUMER_TS,
    'consumer.ts': CONSUMER_TS,
    'tsconfig.nodenext.json': JSON.stringify(TSCONFIG_NODENEXT, null, 2),
    'tsconfig.bundler.json': JSON.stringify(TSCONFIG_BUNDLER, null, 2),
    'entries.cjs': ENTRIES_CJS,
    'entries.mjs': ENTRIES_MJS,
    'entries.mts': ENTRIES_TS,
    'tsconfig.entries.json': JSON.stringify(nodenextTsconfig(['entries.mts'], join(ROOT, 'node_modules', '@types')), null, 2),
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
  test('ships both builds with their declarations and module-type markers, the LICENSE, and no sources, tests or docs', () => {
    const paths = packed;
    for (const wanted of [
      'package.json', 'README.md', 'CHANGELOG.md', 'LICENSE',
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
    expect(pkg.license).toBe('MIT');
    expect(readFileSync(join(installed, 'LICENSE'), 'utf8')).toBe(readFileSync(join(ROOT, 'LICENSE'), 'utf8'));
    // axios is the one required peer; the optional entry points' libraries are optional peers.
    expect(pkg.peerDependencies).toMatchObject({ axios: expect.any(String) });
    const optional = Object.keys(pkg.peerDependencies as object).filter((name) => name !== 'axios');
    expect(optional.every((name) => (pkg.peerDependenciesMeta as Record<string, { optional?: boolean }> | undefined)?.[name]?.optional === true)).toBe(true);
    expect(Object.keys(pkg.dependencies as object)).toEqual(['eventemitter3']);
  });
});

describe('runtime, in a fresh consumer', () => {
  let cjs: SmokeReport;
  let esm: SmokeReport;

  test('require() loads the CommonJS build: a retried call over loopback HTTP, then a breaker that opens and refuses locally', async () => {
    cjs = lastJsonLine<SmokeReport>(await must(process.execPath, ['smoke.cjs'], consumer));
    expect(cjs.resolved).toMatch(/node_modules\/resilient-axios\/dist\/cjs\/index\.js$/);
    expect({ retry: cjs.retry, breaker: cjs.breaker }).toEqual(HEALTHY_SMOKE);
  });

  test('import loads the ES module build: a retried call over loopback HTTP, then a breaker that opens and refuses locally', async () => {
    esm = lastJsonLine<SmokeReport>(await must(process.execPath, ['smoke.mjs'], consumer));
    expect(esm.resolved).toMatch(/node_modules\/resilient-axios\/dist\/esm\/index\.js$/);
    expect({ retry: esm.retry, breaker: esm.breaker }).toEqual(HEALTHY_SMOKE);
  });

  test('both builds expose exactly the public API of lib/index.ts', () => {
    expect(cjs).toBeDefined();
    expect(esm).toBeDefined();
    expect(Object.keys(sourceShape())).toContain('ResilientClient');
    expect(cjs.shape).toEqual(sourceShape());
    expect(esm.shape).toEqual(sourceShape());
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
    hazard = lastJsonLine<HazardReport>(await must(process.execPath, ['hazard.mjs'], consumer));
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

describe('the optional entry points (resilient-axios/otel, /prometheus, /redis)', () => {
  test.each(['entries.cjs', 'entries.mjs'])('%s loads each from the installed package and registers the Prometheus families', async (script) => {
    const out = await must(process.execPath, [script], consumer);
    expect(lastJsonLine(out)).toEqual({ otel: 'function', prometheus: 'function', redis: 'function', calls: true, after: false });
  });

  test('their types check for a strict nodenext consumer', async () => {
    const r = await run(process.execPath, [TSC, '-p', 'tsconfig.entries.json'], consumer);
    expect({ code: r.code, out: r.stdout + r.stderr }).toEqual({ code: 0, out: '' });
  });
});
