/**
 * Scenario 7: hedged requests against a heavy tail. The backend (its own
 * process, see straggler-server.ts) answers 95% of requests in 2-6 ms and 5%
 * in 300-800 ms; resilient-axios with `hedge: false` and with
 * `hedge: { delayMs: 25 }`, twice: 20 calls at a time (a closed loop), and at
 * a fixed rate (the same offered load for both rows).
 *
 * Why both: in the closed loop, without hedging most of the 20 slots wait on
 * stragglers; with it they come back at once, so the hedged row pushes
 * several times the calls per second through the box. On a small, busy box
 * the client then saturates, its event loop lags, the hedge timer fires late
 * and every call queues: that row measures the box as much as the hedging.
 * The fixed-rate rows compare like with like.
 *
 * S7b "brownout": every request takes 200 ms, calls arrive at a fixed rate;
 * every call hedges, and what caps the extra load is the retry budget (a
 * hedge takes a token; a call won by its first attempt refunds only
 * `successRefund`). The row without a budget shows the load it prevents.
 */
import http from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { core } from '../built.js';
import { forkServer } from '../loopback.js';
import type { ResilientClientConfig } from '../../lib/index.js';
import type { RunOptions, ScenarioResult } from '../common.js';
import { check, fmt, int, percentile, pool, table } from '../stats.js';

const WIDTH = 20;
const DELAY_MS = 25;
const TAIL_RATE = 300; // calls per second, fixed-rate rows
const BROWNOUT_RATE = 100; // calls per second

interface Straggler {
  readonly baseURL: string;
  /** Requests the server saw (and of those, closed by the client before the answer) since the last call. */
  stats(): Promise<{ requests: number; aborted: number }>;
  stop(): Promise<void>;
}

async function startStraggler(): Promise<Straggler> {
  const server = await forkServer(path.join(__dirname, '..', 'straggler-server.ts'));
  return {
    baseURL: server.baseURL,
    stats: () =>
      new Promise((done) => {
        server.child.once('message', (s) => done(s as { requests: number; aborted: number }));
        server.child.send('stats');
      }),
    stop: () => server.stop(),
  };
}

interface Row {
  readonly name: string;
  readonly calls: number;
  readonly failed: number;
  /** Calls completed per second over the row. */
  readonly callsPerSec: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly p999: number;
  readonly requestsPerCall: number;
  readonly aborted: number;
  readonly hedgesSent: number;
  readonly hedgesWon: number;
  readonly refusedByBudget: number;
}

/** Runs `calls` calls through a fresh client; `drive` decides when each starts. */
async function measure(
  name: string, server: Straggler, url: string, config: ResilientClientConfig, calls: number,
  drive: (calls: number, one: () => Promise<void>) => Promise<void>,
): Promise<Row> {
  const agent = new http.Agent({ keepAlive: true });
  const client = new core.ResilientClient({ baseURL: server.baseURL, httpAgent: agent, ...config });
  const latencies: number[] = [];
  let failed = 0;
  await server.stats(); // zero the server's counters
  const started = performance.now();
  await drive(calls, async () => {
    const t0 = performance.now();
    try {
      await client.get(url);
      latencies.push(performance.now() - t0);
    } catch {
      failed++;
    }
  });
  const callsPerSec = (calls * 1000) / (performance.now() - started);
  // Losers' connections close a moment after the call settles: let the server see them.
  await new Promise((r) => setTimeout(r, 100));
  const seen = await server.stats();
  const hedges = client.stats().hedges;
  client.dispose();
  agent.destroy();
  return {
    name, calls, failed, callsPerSec,
    p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), p999: percentile(latencies, 99.9),
    requestsPerCall: seen.requests / calls, aborted: seen.aborted,
    hedgesSent: hedges.sent, hedgesWon: hedges.won, refusedByBudget: hedges.refused.budget,
  };
}

/** Closed loop: `WIDTH` calls in flight. */
const closedLoop = (calls: number, one: () => Promise<void>): Promise<void> => pool(calls, WIDTH, one);

/** Open loop: one call every 1000/rate ms, whatever the answers do. */
function openLoop(rate: number) {
  return async (calls: number, one: () => Promise<void>): Promise<void> => {
    const running: Array<Promise<void>> = [];
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) {
      const due = t0 + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      running.push(one());
    }
    await Promise.all(running);
  };
}

export async function hedging(o: RunOptions): Promise<ScenarioResult> {
  const calls = o.quick ? 600 : 3_000;
  const atRate = openLoop(TAIL_RATE);
  const brownoutCalls = o.quick ? 500 : 2_000;
  const server = await startStraggler();
  const rows: Row[] = [];
  const brownout: Row[] = [];
  try {
    rows.push(await measure(`${WIDTH} at a time, hedge: false`, server, '/tail', {}, calls, closedLoop));
    rows.push(await measure(`${WIDTH} at a time, hedge: { delayMs: ${DELAY_MS} }`, server, '/tail', { hedge: { delayMs: DELAY_MS } }, calls, closedLoop));
    rows.push(await measure(`${TAIL_RATE}/s, hedge: false`, server, '/tail', {}, calls, atRate));
    rows.push(await measure(`${TAIL_RATE}/s, hedge: { delayMs: ${DELAY_MS} }`, server, '/tail', { hedge: { delayMs: DELAY_MS } }, calls, atRate));
    const open = openLoop(BROWNOUT_RATE);
    brownout.push(await measure(`hedge: { delayMs: ${DELAY_MS} }, default budget`, server, '/slow', { hedge: { delayMs: DELAY_MS } }, brownoutCalls, open));
    brownout.push(await measure(`hedge: { delayMs: ${DELAY_MS} }, retryBudget: false`, server, '/slow', { hedge: { delayMs: DELAY_MS }, retryBudget: false }, brownoutCalls, open));
  } finally {
    await server.stop();
  }
  const pair = (off: Row, on: Row) => ({
    p99: on.p99 <= 0.2 * off.p99 && on.p99 <= 100,
    requestsPerCall: on.requestsPerCall <= 1.08,
    p50: on.p50 <= off.p50 + 3,
  });
  const closed = pair(rows[0], rows[1]);
  const fixed = pair(rows[2], rows[3]);
  const targets = {
    closedLoop: closed,
    fixedRate: fixed,
    // Default token budget: a hedge takes retryCost (5), a call won by its first attempt gives back successRefund (1);
    // so after the bucket's 500 tokens are spent, one hedge per 5 calls.
    brownout: brownout[0].requestsPerCall <= 1 + 1 / 5 + 500 / (4 * brownoutCalls) + 0.02,
  };
  const ms = (x: number): string => fmt(x, 1);
  const markdown = [
    table(
      ['heavy tail (5% in 300-800 ms)', 'calls/s', 'p50 ms', 'p95 ms', 'p99 ms', 'p99.9 ms', 'requests/call', 'losers aborted', 'hedges sent / won', 'target'],
      rows.map((r, i) => [
        r.name, int(r.callsPerSec), ms(r.p50), ms(r.p95), ms(r.p99), ms(r.p999), fmt(r.requestsPerCall, 3), int(r.aborted), `${int(r.hedgesSent)} / ${int(r.hedgesWon)}`,
        i % 2 === 1
          ? ((t) => `${check(t.p99, 'p99 ≤ 0.2x and ≤ 100 ms')}, ${check(t.requestsPerCall, '≤ 1.08 req/call')}, ${check(t.p50, 'p50 ≤ +3 ms')}`)(i === 1 ? closed : fixed)
          : '',
      ]),
    ),
    `\n${int(calls)} calls per row, ${WIDTH} at a time or started at ${TAIL_RATE}/s; fresh client and keep-alive agent per row; ` +
      'latency per call, nearest rank. In the closed loop the hedged row runs more calls per second (slots no longer wait on ' +
      'stragglers): on a busy box its latencies are queueing in the client. The fixed-rate rows offer both the same load.' +
      (rows.some((r) => r.failed > 0) ? ` Failed calls: ${rows.map((r) => r.failed).join(' / ')}.` : ''),
    '',
    table(
      ['brownout (every request 200 ms)', 'p50 ms', 'p99 ms', 'requests/call', 'hedges sent', 'refused by the budget', 'target'],
      brownout.map((r, i) => [
        r.name, ms(r.p50), ms(r.p99), fmt(r.requestsPerCall, 3), int(r.hedgesSent), int(r.refusedByBudget),
        i === 0 ? check(targets.brownout, `≤ ${fmt(1 + 1 / 5 + 500 / (4 * brownoutCalls) + 0.02, 3)} req/call (token budget)`) : 'what the budget prevents',
      ]),
    ),
    `\n${int(brownoutCalls)} calls at ${BROWNOUT_RATE}/s (open loop).`,
  ].join('\n');
  return {
    id: 7,
    title: 'S7 hedged requests (heavy tail; S7b brownout)',
    markdown,
    data: { calls, width: WIDTH, tailRate: TAIL_RATE, delayMs: DELAY_MS, rows, brownoutCalls, brownoutRate: BROWNOUT_RATE, brownout, targets },
  };
}
