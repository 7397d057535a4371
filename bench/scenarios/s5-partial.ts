/**
 * Scenario 5: partial failure. 20% of requests get 503 (the same seeded
 * sequence for every contender); share of calls that succeed and requests per
 * call, default settings but (about) zero backoff. The extra resilient-axios
 * rows show which default costs what.
 */
import { axiosRetrySpec, cockatiel, opossum, raw, resilient, retryAxios } from '../contenders.js';
import type { ContenderSpec, Tuning } from '../contenders.js';
import { countingAdapter, drive, withoutStacks } from '../common.js';
import type { RunOptions, ScenarioResult } from '../common.js';
import { check, fmt, int, median, seeded, table } from '../stats.js';

const WIDTH = 32;
const FAILURE_RATE = 0.2;
const SEED = 0x5eed;

const VARIANTS: Array<{ spec: ContenderSpec; tuning: Tuning }> = [
  { spec: raw, tuning: {} },
  { spec: resilient, tuning: {} },
  { spec: resilient, tuning: { retryBudget: false } },
  { spec: resilient, tuning: { breaker: false } },
  { spec: resilient, tuning: { breaker: false, retryBudget: false } },
  {
    spec: resilient,
    tuning: {
      resilient: {
        label: 'rate breaker 50%, budget 0.3',
        config: {
          circuitBreaker: { trip: { type: 'rate', threshold: 0.5, minimumCalls: 20, windowMs: 10_000 } },
          retryBudget: { ratio: 0.3, minPerSecond: 10, windowMs: 10_000 },
        },
      },
    },
  },
  { spec: axiosRetrySpec, tuning: {} },
  { spec: retryAxios, tuning: {} },
  { spec: cockatiel, tuning: {} },
  { spec: opossum, tuning: {} },
];

export function partialFailure(o: RunOptions): Promise<ScenarioResult> {
  return withoutStacks(() => run(o));
}

async function run(o: RunOptions): Promise<ScenarioResult> {
  const rounds = o.quick ? 1 : 3;
  const calls = o.quick ? 1_000 : 10_000;
  const success: number[][] = VARIANTS.map(() => []);
  const perCall: number[][] = VARIANTS.map(() => []);
  const names: string[] = [];
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < VARIANTS.length; i++) {
      const random = seeded(SEED + r);
      const backend = countingAdapter(() => (random() < FAILURE_RATE ? 503 : 200));
      const c = VARIANTS[i].spec.make({ baseURL: 'http://flaky.test', adapter: backend.adapter }, { ...VARIANTS[i].tuning, tinyBackoff: true });
      try {
        const { ok } = await drive((u) => c.get(u), calls, WIDTH);
        names[i] = c.name;
        success[i].push(ok / calls);
        perCall[i].push(backend.requests() / calls);
      } finally {
        c.close();
      }
    }
  }
  const rows = VARIANTS.map((_v, i) => ({
    name: names[i],
    success: median(success[i]),
    requestsPerCall: median(perCall[i]),
    perRound: { success: success[i], requestsPerCall: perCall[i] },
  }));
  const targets = { success: rows[1].success >= 0.99 };
  const markdown = [
    table(
      ['contender', 'calls succeeded', 'requests/call', 'succeeded per round', 'target'],
      rows.map((r, i) => [
        r.name, `${fmt(r.success * 100, 2)}%`, fmt(r.requestsPerCall, 3), r.perRound.success.map((x) => `${fmt(x * 100, 1)}%`).join(' / '),
        i === 1 ? check(targets.success, '≥ 99%') : '',
      ]),
    ),
    `\n${rounds} round${rounds === 1 ? '' : 's'} × ${int(calls)} calls, ${WIDTH} at a time, ${FAILURE_RATE * 100}% seeded 503s (a new seed per round), fresh client per round. Medians.`,
  ].join('\n');
  return { id: 5, title: 'S5 partial failure (20% random 503)', markdown, data: { rounds, calls, width: WIDTH, failureRate: FAILURE_RATE, rows, targets } };
}
