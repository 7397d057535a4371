/**
 * Scenario 6: deadline precision. The loopback server never answers /hang;
 * each contender is given a 200 ms deadline in its own terms and we measure
 * how late the rejection comes. Fresh client (and agent) per batch, so an
 * open breaker from one batch does not short-circuit the next.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { ALL } from '../contenders.js';
import type { RunOptions, ScenarioResult } from '../common.js';
import { startLoopback } from '../loopback.js';
import { check, fmt, int, percentile, table } from '../stats.js';

const DEADLINE_MS = 200;

const HOW: Record<string, string> = {
  'raw axios': 'axios timeout: 200',
  'resilient-axios': 'timeBudget.totalMs: 200',
  'axios-retry': 'axios timeout: 200 (timeouts not retried)',
  'retry-axios': 'axios timeout: 200 per attempt (timeouts retried)',
  cockatiel: 'timeout(200, aggressive) around retry + breaker',
  opossum: 'timeout: 200',
};

export async function deadline(o: RunOptions): Promise<ScenarioResult> {
  const batches = o.quick ? 2 : 4;
  const perBatch = o.quick ? 10 : 50;
  const server = await startLoopback();
  const overshoot: number[][] = ALL.map(() => []);
  let resolved = 0;
  try {
    for (let b = 0; b < batches; b++) {
      for (let i = 0; i < ALL.length; i++) {
        const agent = new http.Agent({ keepAlive: true });
        const c = ALL[i].make({ baseURL: server.baseURL, httpAgent: agent }, { deadlineMs: DEADLINE_MS });
        await Promise.all(
          Array.from({ length: perBatch }, async () => {
            const t0 = performance.now();
            try {
              await c.get('/hang');
              resolved++;
            } catch {
              overshoot[i].push(performance.now() - t0 - DEADLINE_MS);
            }
          }),
        );
        c.close();
        agent.destroy();
      }
    }
  } finally {
    await server.stop();
  }
  const rows = ALL.map((spec, i) => ({
    name: spec.name,
    how: HOW[spec.name] ?? 'n/a',
    rejected: overshoot[i].length,
    p50: percentile(overshoot[i], 50),
    p99: percentile(overshoot[i], 99),
    max: Math.max(...overshoot[i]),
  }));
  const targets = { p99: rows[1].p99 <= 10 };
  const markdown = [
    table(
      ['contender', 'deadline as', 'p50 ms late', 'p99 ms late', 'max ms late', 'target'],
      rows.map((r, i) => [r.name, r.how, fmt(r.p50), fmt(r.p99), fmt(r.max), i === 1 ? check(targets.p99, 'p99 ≤ 10 ms') : '']),
    ),
    `\n${batches} batches × ${perBatch} concurrent calls per contender (${int(batches * perBatch)} calls), pooled; lateness = time to reject − ${DEADLINE_MS} ms.` +
      (resolved > 0 ? ` ${resolved} call(s) unexpectedly resolved.` : ''),
  ].join('\n');
  return { id: 6, title: 'S6 deadline precision (server never answers)', markdown, data: { batches, perBatch, deadlineMs: DEADLINE_MS, rows, resolved, targets } };
}
