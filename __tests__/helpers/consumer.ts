/**
 * The package as a user gets it: build and `npm pack` this repository, install
 * the tarball (with the axios a user chose) into a fresh project in a temporary
 * directory, and run scripts there, with whichever Node binary. Shared by
 * `__tests__/packaging.test.ts` (this repo's Node and axios, deep checks) and
 * `.ci/compat.ts` (`npm run test:compat`: every Node and axios we claim, the
 * smoke check below). No jest here, so that both can use it.
 *
 * The smoke check uses only the public API the README documents
 * (`ResilientClient`, `get`, `on('retry')`, the `circuitBreaker` options,
 * `isCircuitOpenError`), so that it outlives rewrites of `lib/`.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The repository root. */
export const ROOT = join(__dirname, '..', '..');
/** This repository's TypeScript compiler (run it with any Node: `node TSC -p ...`). */
export const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/** How a child process ended. */
export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment for child processes, without what an enclosing `npm test` / `npm run` exports about this package. */
export function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_(package|lifecycle)_/i.test(k) || /^npm_config_local_prefix$/i.test(k)) continue;
    env[k] = v;
  }
  return env;
}

/** Runs a command to completion (killed after `timeoutMs`); never rejects: the caller looks at `code`. */
export function run(cmd: string, args: readonly string[], cwd: string, timeoutMs = 120_000): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(cmd, args, { cwd, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      stderr += `\n(killed after ${timeoutMs} ms)`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      done({ code: -1, stdout, stderr: `${stderr}\n${String(err)}` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

/** Like `run`, but throws (with the output) unless the command exits 0; returns stdout. */
export async function must(cmd: string, args: readonly string[], cwd: string, timeoutMs?: number): Promise<string> {
  const r = await run(cmd, args, cwd, timeoutMs);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) exited ${String(r.code)}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Parses the last line of a script's stdout as its JSON report. */
export function lastJsonLine<T>(stdout: string): T {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as T;
}

/** What `npm pack` made. */
export interface Packed {
  /** Absolute path of the .tgz. */
  readonly tarball: string;
  /** Paths inside the tarball, relative to the package root. */
  readonly files: readonly string[];
}

/** `npm run build`, then `npm pack` into `dest`. */
export async function buildAndPack(dest: string): Promise<Packed> {
  await must('npm', ['run', 'build'], ROOT);
  const pack = JSON.parse(await must('npm', ['pack', '--pack-destination', dest, '--json'], ROOT)) as Array<{ filename: string; files: Array<{ path: string }> }>;
  return { tarball: join(dest, pack[0].filename), files: pack[0].files.map((f) => f.path) };
}

/**
 * `npm install` of `specs` (a tarball path, `name@range`, ...) into a new
 * project `dir`, npm's cache reused where it may be (`preferOffline`: a cached
 * package list is taken as it is, not checked for newer versions).
 */
export async function installInto(dir: string, specs: readonly string[], { preferOffline = true } = {}): Promise<void> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }, null, 2)}\n`);
  const flags = ['--no-audit', '--no-fund', ...(preferOffline ? ['--prefer-offline'] : [])];
  await must('npm', ['install', ...specs, ...flags], dir, 300_000);
}

// ---------------------------------------------------------------------------
// The smoke check, run in a consumer as `node smoke.cjs` and `node smoke.mjs`.

/** What a smoke script prints (one JSON line). */
export interface SmokeReport {
  readonly node: string;
  readonly axios: string;
  /** The file (CommonJS: a path; ES modules: a file: URL) the format resolved the package to; null where Node cannot say (Node 18 has no import.meta.resolve). */
  readonly resolved: string | null;
  /** Export name -> typeof. */
  readonly shape: Record<string, string>;
  /** GET to a server answering 503, then 200: `retries` are the statuses `on('retry')` reported. */
  readonly retry: { status?: number; data?: unknown; retries: number[]; hits: number; error?: string };
  /**
   * Against a server that always answers 503, with `trip: consecutive, failures: 2`:
   * the first call fails and opens the breaker, the next is refused locally.
   */
  readonly breaker: { firstRejected: boolean; refusedIsCircuitOpenError: boolean; refusedIsAxiosError: boolean; sentWhileOpen: number };
}

/** The report every healthy consumer gives, whatever its Node, axios or module format. */
export const HEALTHY_SMOKE: Pick<SmokeReport, 'retry' | 'breaker'> = {
  retry: { status: 200, data: { hits: 2 }, retries: [503], hits: 2 },
  breaker: { firstRejected: true, refusedIsCircuitOpenError: true, refusedIsAxiosError: true, sentWhileOpen: 0 },
};

/** `smoke(lib, axios, resolved)`: plain JavaScript that Node 18 runs, for both module formats. */
const SMOKE = String.raw`
async function smoke(lib, axios, resolved) {
  const http = await import('node:http');
  const servers = [];
  async function serve(status) {
    const seen = { hits: 0, url: '' };
    const server = http.createServer((req, res) => {
      seen.hits++;
      res.writeHead(status(seen.hits), { 'content-type': 'application/json' });
      res.end(JSON.stringify({ hits: seen.hits }));
    });
    servers.push(server);
    await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
    seen.url = 'http://127.0.0.1:' + server.address().port;
    return seen;
  }
  try {
    const flaky = await serve((n) => (n === 1 ? 503 : 200));
    const down = await serve(() => 503);
    const client = new lib.ResilientClient({ circuitBreaker: { trip: { type: 'consecutive', failures: 2 }, openMs: 60000 } });
    const retries = [];
    client.on('retry', (e) => retries.push(e.status));
    let retry;
    try {
      const res = await client.get(flaky.url + '/flaky');
      retry = { status: res.status, data: res.data, retries: retries.slice(), hits: flaky.hits };
    } catch (err) {
      retry = { error: String(err), retries: retries.slice(), hits: flaky.hits };
    }
    const first = await client.get(down.url + '/down').then(() => null, (e) => e);
    const sentBefore = down.hits;
    const refused = await client.get(down.url + '/down').then(() => null, (e) => e);
    const breaker = {
      firstRejected: first !== null,
      refusedIsCircuitOpenError: lib.isCircuitOpenError(refused),
      refusedIsAxiosError: axios.isAxiosError(refused),
      sentWhileOpen: down.hits - sentBefore,
    };
    const shape = {};
    for (const k of Object.keys(lib).sort()) shape[k] = typeof lib[k];
    return { node: process.version, axios: axios.VERSION, resolved, shape, retry, breaker };
  } finally {
    for (const s of servers) {
      if (s.closeAllConnections) s.closeAllConnections();
      s.close();
    }
  }
}
`;

/** The smoke check through `require` (CommonJS build). */
export const SMOKE_CJS = `'use strict';
${SMOKE}
const lib = require('resilient-axios');
const axios = require('axios');
smoke(lib, axios, require.resolve('resilient-axios')).then((r) => console.log(JSON.stringify(r)), (e) => { console.error(e); process.exit(1); });
`;

/** The smoke check through `import` (ES module build). */
export const SMOKE_MJS = `import * as lib from 'resilient-axios';
import axios from 'axios';
${SMOKE}
const resolved = typeof import.meta.resolve === 'function' ? import.meta.resolve('resilient-axios') : null;
console.log(JSON.stringify(await smoke(lib, axios, resolved)));
`;

// ---------------------------------------------------------------------------
// TypeScript consumers.

/** Strict, and our declarations checked too (`skipLibCheck: false`). */
export const TS_STRICT = { target: 'ES2022', strict: true, skipLibCheck: false, noEmit: true, exactOptionalPropertyTypes: true, noUnusedLocals: true, forceConsistentCasingInFileNames: true };

/** A Node consumer's tsconfig: nodenext, no DOM, the `@types/node` found in `typeRoots`. */
export function nodenextTsconfig(files: readonly string[], typeRoots: string): object {
  return {
    compilerOptions: { ...TS_STRICT, module: 'nodenext', moduleResolution: 'nodenext', lib: ['ES2022'], types: ['node'], typeRoots: [typeRoots] },
    files,
  };
}

/**
 * The smoke check's API, typed (compile it as `.cts` and `.mts`). The
 * `@ts-expect-error` fails the check if our types degrade to `any`.
 */
export const SMOKE_TS = `import axios from 'axios';
import { ResilientClient, isCircuitOpenError } from 'resilient-axios';

const client = new ResilientClient({
  baseURL: 'http://127.0.0.1:9',
  circuitBreaker: { trip: { type: 'consecutive', failures: 2 }, openMs: 60_000 },
});
client.on('retry', (e) => console.log(e.status, e.delayMs.toFixed(0)));

export async function hits(): Promise<number> {
  try {
    const res = await client.get<{ hits: number }>('/flaky');
    return res.data.hits;
  } catch (err) {
    if (isCircuitOpenError(err)) console.log(err.key.toUpperCase(), err.remainingMs.toFixed(0));
    else if (axios.isAxiosError(err)) console.log(err.response?.status);
    throw err;
  }
}

// @ts-expect-error: the event map is typed
client.on('no-such-event', () => undefined);
`;
