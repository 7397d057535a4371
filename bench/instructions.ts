/**
 * Instructions per call, counted by callgrind (valgrind), for raw axios, the
 * floor (axios with no-op interceptors) and resilient-axios (a built entry,
 * `dist/cjs/index.js` by default), scenario 1's path:
 *   npx tsx bench/instructions.ts [<build/index.js>...] [--calls=N]
 * Each contender runs twice in plain node (no tsx, `--single-threaded` so
 * that V8 compiles on the main thread, counted the same way every run): with a
 * warm-up of 5,000 calls, then with the warm-up and N calls more (20,000 by
 * default). The difference over N is the steady state's count, start-up and
 * JIT warm-up cancelled out. Whatever else the machine runs, counts repeat to
 * about 1-2% between runs (when V8 collects garbage still varies); about a
 * minute per contender.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const WARM_UP = 5_000;
const args = process.argv.slice(2);
const calls = Number(args.find((a) => a.startsWith('--calls='))?.slice('--calls='.length) ?? 20_000);
const builds = args.filter((a) => !a.startsWith('--')).map((b) => path.resolve(b));
if (builds.length === 0) builds.push(path.join(__dirname, '..', 'dist', 'cjs', 'index.js'));

/** The child: `node child.cjs <raw|floor|build path> <calls>`, resolving axios from this repository. */
const CHILD = `
const axios = require(${JSON.stringify(require.resolve('axios'))});
const DATA = { ok: true };
const adapter = (config) => Promise.resolve({ data: DATA, status: 200, statusText: 'OK', headers: {}, config, request: {} });
const base = { baseURL: 'http://api.test', adapter };
const [mode, n] = [process.argv[2], Number(process.argv[3])];
let get;
if (mode === 'raw' || mode === 'floor') {
  const instance = axios.create(base);
  if (mode === 'floor') {
    instance.interceptors.request.use((c) => c, undefined, { synchronous: true });
    instance.interceptors.response.use((r) => r, (e) => Promise.reject(e));
  }
  get = (url) => instance.get(url);
} else {
  const client = new (require(mode).ResilientClient)(base);
  const noop = () => undefined;
  client.on('attempt', noop).on('retry', noop).on('success', noop).on('failure', noop);
  get = (url) => client.get(url);
}
(async () => { for (let i = 0; i < n; i++) await get('/item'); })();
`;

function count(child: string, mode: string, n: number): number {
  const run = spawnSync('valgrind', ['--tool=callgrind', '--callgrind-out-file=/dev/null', process.execPath, '--single-threaded', child, mode, String(n)], {
    encoding: 'utf8',
  });
  // valgrind reports on stderr: "==pid== Collected : <instructions>"
  const match = /Collected : (\d+)/.exec(run.stderr);
  if (run.status !== 0 || match === null) throw new Error(`callgrind printed no count for ${mode}:\n${run.stderr}`);
  return Number(match[1]);
}

function main(): void {
  try {
    execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
  } catch {
    console.error('instructions: valgrind is missing (apt-get install -y valgrind).');
    process.exit(2);
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'instructions-'));
  const child = path.join(dir, 'child.cjs');
  writeFileSync(child, CHILD);
  try {
    const perCall = (mode: string): number => Math.round((count(child, mode, WARM_UP + calls) - count(child, mode, WARM_UP)) / calls);
    const raw = perCall('raw');
    console.log(`${calls} calls after ${WARM_UP} to warm up; instructions per call (callgrind):`);
    console.log(`${String(raw).padStart(9)}  raw axios`);
    const floor = perCall('floor');
    console.log(`${String(floor).padStart(9)}  axios + no-op interceptors  (${((100 * (floor - raw)) / raw).toFixed(1)}% over raw)`);
    for (const build of builds) {
      const n = perCall(build);
      console.log(`${String(n).padStart(9)}  ${path.relative(process.cwd(), build)}  (${((100 * (n - raw)) / raw).toFixed(1)}% over raw, ${((100 * (n - floor)) / floor).toFixed(1)}% over the floor; raw/this ${(raw / n).toFixed(3)})`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
