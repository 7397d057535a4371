/**
 * Scenario 1: overhead in-process. Every contender calls an adapter that
 * answers at once, sequentially; contenders alternate round by round. The
 * second row is the floor (axios with no-op interceptors), so the gap to it
 * stays visible; two more rows show resilient-axios with each telemetry entry
 * point on. resilient-axios runs built (`bench/built.ts`), as users run it.
 */
import { performance } from 'node:perf_hooks';
import { ALL, noopInterceptors } from '../contenders.js';
import { TELEMETRY } from '../telemetry-contenders.js';
import type { Contender } from '../contenders.js';
import { instantAdapter } from '../common.js';
import type { RunOptions, ScenarioResult } from '../common.js';
import { check, cpuMicros, fmt, int, median, table } from '../stats.js';

const BASE = { baseURL: 'http://api.test', adapter: instantAdapter };

interface Sample {
  callsPerSec: number;
  cpuMicrosPerCall: number;
}

async function measure(c: Contender, calls: number): Promise<Sample> {
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) await c.get('/item');
  const ms = performance.now() - t0;
  return { callsPerSec: (calls * 1000) / ms, cpuMicrosPerCall: cpuMicros(cpu) / calls };
}

interface Row {
  name: string;
  callsPerSec: number;
  cpuMicrosPerCall: number;
  ratio: number;
  cpuRatio: number;
}

/** Warms `contenders` up, then runs them round by round, alternating; the first is the baseline every ratio is paired with. */
async function compare(contenders: Contender[], rounds: number, perRound: number, warmUp: number): Promise<Row[]> {
  for (const c of contenders) await measure(c, warmUp); // JIT
  const samples: Sample[][] = contenders.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < contenders.length; i++) samples[i].push(await measure(contenders[i], perRound));
  }
  for (const c of contenders) c.close();
  const base = samples[0];
  return contenders.map((c, i) => {
    const s = samples[i];
    // Paired: each round's ratio to the baseline's same round, then the median.
    const ratio = median(s.map((x, r) => x.callsPerSec / base[r].callsPerSec));
    // The same from CPU time, which another process competing for the cores disturbs far less.
    const cpuRatio = median(s.map((x, r) => base[r].cpuMicrosPerCall / x.cpuMicrosPerCall));
    return { name: c.name, callsPerSec: median(s.map((x) => x.callsPerSec)), cpuMicrosPerCall: median(s.map((x) => x.cpuMicrosPerCall)), ratio, cpuRatio };
  });
}

export async function overheadInProcess(o: RunOptions): Promise<ScenarioResult> {
  const rounds = o.quick ? 3 : 10;
  const perRound = o.quick ? 2_000 : 20_000;
  const warmUp = o.quick ? 500 : 5_000;
  const [rawSpec, ...others] = ALL;
  const core = await compare([rawSpec, noopInterceptors, ...others].map((spec) => spec.make(BASE)), rounds, perRound, warmUp);
  // The telemetry rows run after the others, with raw axios again as their baseline: their
  // listeners (every event) would otherwise change how V8 optimizes the code the core row runs.
  const telemetry = (await compare([rawSpec, ...TELEMETRY].map((spec) => spec.make(BASE)), rounds, perRound, warmUp)).slice(1);
  const rows = [...core, ...telemetry];
  const floor = rows[1];
  const res = rows[2];
  const peers = rows.slice(3, ALL.length + 1);
  const targets = {
    ratio: res.ratio >= 0.97,
    cpuRatio: res.cpuRatio >= 0.97,
    aheadOfPeers: peers.every((p) => res.callsPerSec > p.callsPerSec),
    aheadOfPeersCpu: peers.every((p) => res.cpuMicrosPerCall < p.cpuMicrosPerCall),
  };
  const markdown = [
    table(
      ['contender', 'calls/s', 'vs raw', 'CPU µs/call', 'vs raw (CPU)', 'target: ≥ 0.97x raw, ahead of every peer'],
      rows.map((r, i) => [
        r.name, int(r.callsPerSec), `${fmt(r.ratio, 3)}x`, fmt(r.cpuMicrosPerCall), `${fmt(r.cpuRatio, 3)}x`,
        i === 2
          ? `wall: ${check(targets.ratio, '≥ 0.97x')}, ${check(targets.aheadOfPeers, 'ahead')}; CPU: ${check(targets.cpuRatio, '≥ 0.97x')}, ${check(targets.aheadOfPeersCpu, 'ahead')}`
          : '',
      ]),
    ),
    `\nresilient-axios costs ${fmt(res.cpuMicrosPerCall - rows[0].cpuMicrosPerCall, 2)} µs of CPU a call over raw axios, ` +
      `${fmt(res.cpuMicrosPerCall - floor.cpuMicrosPerCall, 2)} µs over the floor (no-op interceptors).`,
    `${rounds} rounds × ${int(perRound)} sequential calls per contender, alternating; medians. ` +
      '"vs raw" pairs each round with raw axios\'s round; "(CPU)" is raw\'s CPU µs/call over the contender\'s. ' +
      'The telemetry rows run after the others (their own rounds, paired with raw axios again). ' +
      '"+ otel": `instrument()` with the real SDKs (batch span processor, in-memory exporter, metrics aggregated, no context manager); ' +
      '"+ prometheus": `prometheusMetrics()` into a fresh Registry.',
  ].join('\n');
  return {
    id: 1,
    title: 'S1 overhead in-process (instant adapter)',
    markdown,
    data: { rounds, perRound, rows, targets, overMicros: { raw: res.cpuMicrosPerCall - rows[0].cpuMicrosPerCall, floor: res.cpuMicrosPerCall - floor.cpuMicrosPerCall } },
  };
}
