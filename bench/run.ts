/**
 * `npm run bench [-- --quick] [-- --only=1,3]`: runs the scenarios, prints a
 * markdown table per scenario and writes bench/results.json.
 * `--quick` is a smoke run (far fewer calls) that asserts nothing about speed.
 */
import './env.js';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { RunOptions, ScenarioResult } from './common.js';
import { overheadInProcess } from './scenarios/s1-overhead.js';
import { overheadLoopback } from './scenarios/s2-loopback.js';
import { memory } from './scenarios/s3-memory.js';
import { outage } from './scenarios/s4-outage.js';
import { partialFailure } from './scenarios/s5-partial.js';
import { deadline } from './scenarios/s6-deadline.js';
import { hedging } from './scenarios/s7-hedge.js';

const SCENARIOS: Record<number, (o: RunOptions) => Promise<ScenarioResult>> = {
  1: overheadInProcess,
  2: overheadLoopback,
  3: memory,
  4: outage,
  5: partialFailure,
  6: deadline,
  7: hedging,
};

const USAGE = 'usage: npm run bench [-- --quick] [-- --only=<n>[,<n>...]]   (n in 1..7)';

function usage(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

function parseArgs(argv: readonly string[]): { quick: boolean; only: number[] } {
  let quick = false;
  let only = Object.keys(SCENARIOS).map(Number);
  for (const arg of argv) {
    if (arg === '--quick') quick = true;
    else if (arg.startsWith('--only=')) {
      only = [...new Set(arg.slice('--only='.length).split(',').map((s) => Number(s.trim())))].sort((a, b) => a - b);
      if (only.some((n) => SCENARIOS[n] === undefined)) usage(`bad scenario list: ${arg}`);
    } else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else usage(`unknown flag: ${arg}`);
  }
  return { quick, only };
}

/** Scenarios that count rather than time: scenario 3's child (memory only) may run beside them. */
const COUNTS_ONLY = new Set([4, 5]);

async function timed(id: number, quick: boolean): Promise<ScenarioResult & { seconds: number }> {
  const t0 = performance.now();
  const result = await SCENARIOS[id]({ quick });
  return { ...result, seconds: (performance.now() - t0) / 1000 };
}

/** Digest of every .ts file under lib/: which version of the library the figures belong to. */
function libDigest(): string {
  const dir = path.join(__dirname, '..', 'lib');
  const hash = createHash('sha256');
  const files = (readdirSync(dir, { recursive: true }) as string[]).filter((n) => n.endsWith('.ts')).sort();
  for (const f of files) hash.update(f).update(readFileSync(path.join(dir, f)));
  return hash.digest('hex').slice(0, 12);
}

function print(r: ScenarioResult & { seconds: number }): void {
  console.log(`## ${r.title}\n\n${r.markdown}\n(${r.seconds.toFixed(1)} s)\n`);
}

async function main(): Promise<void> {
  const { quick, only } = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const cpus = os.cpus().length;
  const loadBefore = os.loadavg()[0];
  const lib = libDigest();
  console.log(`# resilient-axios bench${quick ? ' (quick smoke run: figures are not meaningful)' : ''}`);
  console.log(`node ${process.version}, ${cpus} CPU(s) ${os.cpus()[0]?.model ?? ''}, load average ${loadBefore.toFixed(2)}, lib/ digest ${lib}\n`);
  if (loadBefore > cpus / 2) console.log(`> Warning: the machine is busy (load ${loadBefore.toFixed(2)} on ${cpus} CPUs): wall-clock figures are disturbed; trust the CPU-time columns more.\n`);
  const results: Array<ScenarioResult & { seconds: number }> = [];
  const done = (r: ScenarioResult & { seconds: number }): void => {
    results.push(r);
    print(r);
  };
  let memoryRun: Promise<ScenarioResult & { seconds: number }> | undefined;
  for (const id of only) {
    if (id === 3 && only.some((n) => COUNTS_ONLY.has(n))) {
      memoryRun = timed(3, quick); // its own process, beside scenarios that time nothing
      continue;
    }
    if (memoryRun !== undefined && !COUNTS_ONLY.has(id)) {
      done(await memoryRun);
      memoryRun = undefined;
    }
    done(await timed(id, quick));
  }
  if (memoryRun !== undefined) done(await memoryRun);

  const seconds = (performance.now() - started) / 1000;
  const file = path.join(__dirname, 'results.json');
  const out = {
    date: new Date().toISOString(),
    node: process.version,
    cpus,
    libDigest: lib,
    loadAverage: { before: loadBefore, after: os.loadavg()[0] },
    quick,
    seconds,
    scenarios: Object.fromEntries(
      [...results].sort((a, b) => a.id - b.id).map((r) => [`s${r.id}`, { title: r.title, seconds: r.seconds, ...(r.data as object) }]),
    ),
  };
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`total ${seconds.toFixed(1)} s; figures written to ${path.relative(process.cwd(), file)}`);
}

main().then(
  // Peers may leave timers behind (e.g. an un-cleared retry delay); the run is over.
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
