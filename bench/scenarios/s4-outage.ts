/**
 * Scenario 4: outage amplification. The backend answers 503 to everything;
 * how many requests does it receive per call made, breakers on and off?
 * Backoff is (about) zero everywhere so the scenario is fast.
 */
import { axiosRetrySpec, cockatiel, opossum, raw, resilient, retryAxios } from '../contenders.js';
import type { ContenderSpec, Tuning } from '../contenders.js';
import { countingAdapter, drive, withoutStacks } from '../common.js';
import type { RunOptions, ScenarioResult } from '../common.js';
import { check, fmt, int, table } from '../stats.js';

const WIDTH = 32;

interface Variant {
  spec: ContenderSpec;
  tuning: Tuning;
  breaker: 'on' | 'off' | 'none';
  target?: (overall: number, afterTrip: number) => string;
}

const VARIANTS: Variant[] = [
  { spec: raw, tuning: {}, breaker: 'none' },
  { spec: resilient, tuning: {}, breaker: 'on', target: (_o, a) => check(a <= 0.01, '≤ 0.01 after the trip') },
  { spec: resilient, tuning: { breaker: false }, breaker: 'off', target: (o) => check(o <= 1.05, '≤ 1.05 (retry budget on)') },
  { spec: resilient, tuning: { breaker: false, retryBudget: false }, breaker: 'off' },
  { spec: axiosRetrySpec, tuning: {}, breaker: 'none' },
  { spec: retryAxios, tuning: {}, breaker: 'none' },
  { spec: cockatiel, tuning: {}, breaker: 'on' },
  { spec: cockatiel, tuning: { breaker: false }, breaker: 'off' },
  { spec: opossum, tuning: {}, breaker: 'on' },
  { spec: opossum, tuning: { breaker: false }, breaker: 'off' },
];

interface Sample {
  overall: number;
  afterTrip: number;
  failedShare: number;
}

async function measure(v: Variant, calls: number): Promise<{ name: string; sample: Sample }> {
  const backend = countingAdapter(() => 503);
  const c = v.spec.make({ baseURL: 'http://down.test', adapter: backend.adapter }, { ...v.tuning, tinyBackoff: true });
  try {
    const first = Math.round(calls / 10);
    const a = await drive((u) => c.get(u), first, WIDTH);
    const tripped = backend.requests();
    const b = await drive((u) => c.get(u), calls - first, WIDTH);
    const total = backend.requests();
    return {
      name: c.name,
      sample: { overall: total / calls, afterTrip: (total - tripped) / (calls - first), failedShare: (a.failed + b.failed) / calls },
    };
  } finally {
    c.close();
  }
}

export function outage(o: RunOptions): Promise<ScenarioResult> {
  return withoutStacks(() => run(o));
}

async function run(o: RunOptions): Promise<ScenarioResult> {
  // Counts, not timings, from a deterministic backend: one round per variant (more give the same figures).
  const calls = o.quick ? 1_000 : 10_000;
  const rows = [];
  for (const v of VARIANTS) {
    const { name, sample } = await measure(v, calls);
    rows.push({ name, breaker: v.breaker, ...sample });
  }
  const targets = {
    breakerOn: rows[1].afterTrip <= 0.01,
    budgetOnly: rows[2].overall <= 1.05,
  };
  const markdown = [
    table(
      ['contender', 'breaker', 'requests/call', 'requests/call after the trip', 'calls failed', 'target'],
      rows.map((r, i) => [r.name, r.breaker, fmt(r.overall, 3), fmt(r.afterTrip, 3), `${fmt(r.failedShare * 100, 1)}%`, VARIANTS[i].target?.(r.overall, r.afterTrip) ?? '']),
    ),
    `\n${int(calls)} calls per variant, ${WIDTH} at a time, fresh client; "after the trip" = the last 90% of the calls ` +
      '(the first 10% run to completion first). A deterministic count: one round.',
  ].join('\n');
  return { id: 4, title: 'S4 outage amplification (every request gets 503)', markdown, data: { calls, width: WIDTH, rows, targets } };
}
