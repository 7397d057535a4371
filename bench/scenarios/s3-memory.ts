/**
 * Scenario 3: memory. The measurement runs in a child process started with
 * --expose-gc (s3-memory-child.ts) so every figure follows a forced GC.
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import type { RunOptions, ScenarioResult } from '../common.js';
import { check, fmt, int, table } from '../stats.js';

interface Snapshot {
  heapUsed: number;
  rss: number;
}

interface ChildReport {
  calls: number;
  before: Snapshot;
  after: Snapshot;
  origins: number;
  beforeOrigins: Snapshot;
  afterOrigins: Snapshot;
  breakers: number;
  maxKeys: number | undefined;
}

const MB = 1024 * 1024;

function runChild(quick: boolean): Promise<ChildReport> {
  const child = fork(path.join(__dirname, 's3-memory-child.ts'), quick ? ['--quick'] : [], {
    execArgv: [...process.execArgv, '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    let report: ChildReport | undefined;
    child.once('message', (m) => (report = m as ChildReport));
    child.once('error', reject);
    child.once('exit', (code) => (report !== undefined ? resolve(report) : reject(new Error(`memory child exited (${code}) without a report`))));
  });
}

export async function memory(o: RunOptions): Promise<ScenarioResult> {
  const r = await runChild(o.quick);
  const heapGrowth = (r.after.heapUsed - r.before.heapUsed) / MB;
  const rssGrowth = (r.after.rss - r.before.rss) / MB;
  const originsHeap = (r.afterOrigins.heapUsed - r.beforeOrigins.heapUsed) / MB;
  const ok = { heap: heapGrowth < 5, registry: r.maxKeys !== undefined && r.breakers <= r.maxKeys };
  const markdown = [
    table(
      ['measure', 'start', 'end', 'growth', 'target'],
      [
        [`heap after ${int(r.calls)} calls (MB)`, fmt(r.before.heapUsed / MB), fmt(r.after.heapUsed / MB), fmt(heapGrowth), check(ok.heap, '< 5 MB')],
        [`RSS after ${int(r.calls)} calls (MB)`, fmt(r.before.rss / MB), fmt(r.after.rss / MB), fmt(rssGrowth), ''],
        [`heap after ${int(r.origins)} origins (MB)`, fmt(r.beforeOrigins.heapUsed / MB), fmt(r.afterOrigins.heapUsed / MB), fmt(originsHeap), ''],
        [`breakers after ${int(r.origins)} origins`, '0', int(r.breakers), '', check(ok.registry, `≤ maxKeys (${r.maxKeys ?? '?'})`)],
      ],
    ),
    '\nresilient-axios alone, instant adapter, sequential calls; every figure after a forced GC (child process with --expose-gc).',
  ].join('\n');
  return { id: 3, title: 'S3 memory (resilient-axios)', markdown, data: { ...r, heapGrowthMB: heapGrowth, rssGrowthMB: rssGrowth, originsHeapMB: originsHeap, targets: ok } };
}
