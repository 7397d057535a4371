/**
 * Scenario 1: overhead in-process. Every contender calls an adapter that
 * answers at once, sequentially; contenders alternate round by round. The
 * second row is the floor (axios with no-op interceptors) and the third the
 * feature floor (`feature-floor.cjs`: the least the defaults' work costs), so
 * both gaps stay visible; two more rows show resilient-axios with each
 * telemetry entry point on. resilient-axios runs built (`bench/built.ts`), as users run it.
 */
import { performance } from 'node:perf_hooks';
import { ALL, featureFloor, noopInterceptors } from '../contenders.js';
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
  /** CPU µs per call over the baseline, paired round by round (median). */
  cpuOver: number;
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
    const cpuOver = median(s.map((x, r) => x.cpuMicrosPerCall - base[r].cpuMicrosPerCall));
    return { name: c.name, callsPerSec: median(s.map((x) => x.callsPerSec)), cpuMicrosPerCall: median(s.map((x) => x.cpuMicrosPerCall)), ratio, cpuRatio, cpuOver };
  });
}

export async function overheadInProcess(o: RunOptions): Promise<ScenarioResult> {
  const rounds = o.quick ? 3 : 10;
  const perRound = o.quick ? 2_000 : 20_000;
  const warmUp = o.quick ? 500 : 5_000;
  const [rawSpec, ...others] = ALL;
  const core = await compare([rawSpec, noopInterceptors, featureFloor, ...others].map((spec) => spec.make(BASE)), rounds, perRound, warmUp);
  // The telemetry rows run after the others, with raw axios again as their baseline: their
  // listeners (every event) would otherwise change how V8 optimizes the code the core row runs.
  const telemetry = (await compare([rawSpec, ...TELEMETRY].map((spec) => spec.make(BASE)), rounds, perRound, warmUp)).slice(1);
  const rows = [...core, ...telemetry];
  const [, floor, least, res] = rows;
  const peers = rows.slice(4, ALL.length + 2);
  const targets = {
    ratio: res.ratio >= 0.97,
    cpuRatio: res.cpuRatio >= 0.97,
    // Paired ratios, not medians of each row: rounds differ more from one another than contenders do.
    aheadOfPeers: peers.every((p) => res.ratio > p.ratio),
    aheadOfPeersCpu: peers.every((p) => res.cpuRatio > p.cpuRatio),
  };
  const markdown = [
    table(
      ['contender', 'calls/s', 'vs raw', 'CPU µs/call', 'vs raw (CPU)', 'target: ≥ 0.97x raw, ahead of every peer'],
      rows.map((r, i) => [
        r.name, int(r.callsPerSec), `${fmt(r.ratio, 3)}x`, fmt(r.cpuMicrosPerCall), `${fmt(r.cpuRatio, 3)}x`,
        i === 3
          ? `wall: ${check(targets.ratio, '≥ 0.97x')}, ${check(targets.aheadOfPeers, 'ahead')}; CPU: ${check(targets.cpuRatio, '≥ 0.97x')}, ${check(targets.aheadOfPeersCpu, 'ahead')}`
          : '',
      ]),
    ),
    `\nresilient-axios costs ${fmt(res.cpuOver, 2)} µs of CPU a call over raw axios, ` +
      `${fmt(res.cpuOver - floor.cpuOver, 2)} µs over the floor (no-op interceptors), ` +
      `${fmt(res.cpuOver - least.cpuOver, 2)} µs over the feature floor ` +
      '(`bench/feature-floor.cjs`: the least a client pays for the work the defaults require, as a bare interceptor pair).',
    `${rounds} rounds × ${int(perRound)} sequential calls per contender, alternating; medians. ` +
      '"vs raw" pairs each round with raw axios\'s round; "(CPU)" is raw\'s CPU µs/call over the contender\'s; ' +
      '"ahead" and the µs above compare these paired figures. ' +
      'The telemetry rows run after the others (their own rounds, paired with raw axios again). ' +
      '"+ otel": `instrument()` with the real SDKs (batch span processor, in-memory exporter, metrics aggregated, no context manager); ' +
      '"+ prometheus": `prometheusMetrics()` into a fresh Registry.',
  ].join('\n');
  return {
    id: 1,
    title: 'S1 overhead in-process (instant adapter)',
    markdown,
    data: { rounds, perRound, rows, targets, overMicros: { raw: res.cpuOver, floor: res.cpuOver - floor.cpuOver, featureFloor: res.cpuOver - least.cpuOver } },
  };
}
