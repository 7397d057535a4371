/**
 * Scenario 2: overhead over loopback HTTP. The server runs in a child process;
 * 32 concurrent callers per contender, each contender with its own keep-alive agent.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { ALL } from '../contenders.js';
import type { Contender } from '../contenders.js';
import type { RunOptions, ScenarioResult } from '../common.js';
import { startLoopback } from '../loopback.js';
import { check, cpuMicros, fmt, int, median, percentile, pool, table } from '../stats.js';

const CALLERS = 32;

interface Sample {
  callsPerSec: number;
  /** This (client) process's CPU per call: far less disturbed by other processes than throughput. */
  cpuMicrosPerCall: number;
  p50: number;
  p99: number;
}

async function measure(c: Contender, calls: number): Promise<Sample> {
  const latencies = new Float64Array(calls);
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  await pool(calls, CALLERS, async (i) => {
    const s = performance.now();
    await c.get('/item');
    latencies[i] = performance.now() - s;
  });
  const ms = performance.now() - t0;
  const cpuMicrosPerCall = cpuMicros(cpu) / calls;
  const all = Array.from(latencies);
  return { callsPerSec: (calls * 1000) / ms, cpuMicrosPerCall, p50: percentile(all, 50), p99: percentile(all, 99) };
}

export async function overheadLoopback(o: RunOptions): Promise<ScenarioResult> {
  const rounds = o.quick ? 2 : 5;
  const perRound = o.quick ? 500 : 4_000;
  const server = await startLoopback();
  const agents: http.Agent[] = [];
  try {
    const contenders = ALL.map((spec) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: CALLERS });
      agents.push(agent);
      return spec.make({ baseURL: server.baseURL, httpAgent: agent });
    });
    for (const c of contenders) await measure(c, o.quick ? 200 : 1_000); // warm-up: JIT and sockets
    const samples: Sample[][] = contenders.map(() => []);
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < contenders.length; i++) samples[i].push(await measure(contenders[i], perRound));
    }
    for (const c of contenders) c.close();

    const raw = samples[0];
    const rows = contenders.map((c, i) => {
      const s = samples[i];
      return {
        name: c.name,
        callsPerSec: median(s.map((x) => x.callsPerSec)),
        ratio: median(s.map((x, r) => x.callsPerSec / raw[r].callsPerSec)),
        cpuMicrosPerCall: median(s.map((x) => x.cpuMicrosPerCall)),
        cpuRatio: median(s.map((x, r) => raw[r].cpuMicrosPerCall / x.cpuMicrosPerCall)),
        p50: median(s.map((x) => x.p50)),
        p99: median(s.map((x) => x.p99)),
        p99Ratio: median(s.map((x, r) => x.p99 / raw[r].p99)),
      };
    });
    const res = rows[1];
    const ok = { ratio: res.ratio >= 0.98, p99: res.p99Ratio <= 1.05 };
    const markdown = [
      table(
        ['contender', 'calls/s', 'vs raw', 'p50 ms', 'p99 ms', 'p99 vs raw', 'client CPU µs/call', 'vs raw (CPU)', 'target'],
        rows.map((r, i) => [
          r.name, int(r.callsPerSec), `${fmt(r.ratio, 3)}x`, fmt(r.p50), fmt(r.p99), `${fmt(r.p99Ratio, 3)}x`,
          fmt(r.cpuMicrosPerCall, 1), `${fmt(r.cpuRatio, 3)}x`,
          i === 1 ? `${check(ok.ratio, '≥ 0.98x')}, ${check(ok.p99, 'p99 ≤ 1.05x')}` : '',
        ]),
      ),
      `\n${rounds} rounds × ${int(perRound)} calls, ${CALLERS} concurrent callers per contender, alternating; medians of the rounds, ` +
        'ratios paired with raw axios\'s round. "(CPU)": raw\'s client CPU µs/call over the contender\'s (server not counted).',
    ].join('\n');
    return { id: 2, title: 'S2 overhead loopback (keep-alive HTTP, server in a child process)', markdown, data: { rounds, perRound, callers: CALLERS, rows, targets: ok } };
  } finally {
    for (const a of agents) a.destroy();
    await server.stop();
  }
}
