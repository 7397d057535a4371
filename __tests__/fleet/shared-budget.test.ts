/**
 * The retry budget's token quota as one bucket for the fleet: reconciled at
 * most once a second, only while tokens moved; a full bucket never syncs; a
 * fleet in a total outage sends about `capacity / retryCost` retries in all,
 * plus at most one sync period's worth per process; an unreachable fleet
 * leaves each bucket on its own. Driven by a FakeClock and an in-memory hub.
 */
import { createRetryBudget } from '../../lib/gates/retry-budget.js';
import type { RetryBudget } from '../../lib/gates/retry-budget.js';
import type { ResolvedTokenBudget } from '../../lib/gates/gate-options.js';
import { BudgetSync, SYNC_MS, scheduleOn, unrefSchedule } from '../../lib/fleet/shared-budget.js';
import { systemClock } from '../../lib/time/clock.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { MemoryHub } from '../helpers/memory-fleet.js';
import { calls, fleetOf } from '../helpers/fleet-members.js';

const TOKENS: ResolvedTokenBudget = Object.freeze({ type: 'tokens', capacity: 50, retryCost: 5, timeoutCost: 10, successRefund: 1 });

function node(hub: MemoryHub, name: string, options: ResolvedTokenBudget = TOKENS) {
  const sync = new BudgetSync(hub.link(name), hub.clock, scheduleOn(hub.clock));
  const budget = sync.share(createRetryBudget(options));
  return { sync, budget, tokens: () => (budget.stats(0) as { tokens: number }).tokens };
}

/** Retries until refused; returns how many were allowed. */
function drain(budget: RetryBudget, max = 1_000): number {
  let n = 0;
  while (n < max && budget.tryRetry(0, false) !== -1) n++;
  return n;
}

test('a full bucket never syncs: refunds past capacity change nothing', async () => {
  const clock = new FakeClock();
  const hub = new MemoryHub(clock);
  const a = node(hub, 'a');
  for (let i = 0; i < 1_000; i++) a.budget.onSuccess(0, 0);
  await clock.advance(10 * SYNC_MS);
  expect(hub.ops).toEqual([]);
  expect(clock.pending).toBe(0);
});

test('the first move syncs at once, later ones at most once a second, and only while something moved', async () => {
  const clock = new FakeClock();
  const hub = new MemoryHub(clock);
  const a = node(hub, 'a');
  a.budget.tryRetry(0, false);
  await clock.advance(0);
  expect(hub.ops).toEqual([{ op: 'budget', from: 'a', change: -5, capacity: 50 }]);
  for (let i = 0; i < 3; i++) a.budget.tryRetry(0, true);
  a.budget.onSuccess(0, 10);
  await clock.advance(SYNC_MS - 1);
  expect(hub.ops).toHaveLength(1);
  await clock.advance(1);
  expect(hub.ops.at(-1)).toEqual({ op: 'budget', from: 'a', change: -20, capacity: 50 });
  expect(hub.tokens).toBe(25);
  await clock.advance(10 * SYNC_MS);
  expect(hub.ops).toHaveLength(2);
  expect(clock.pending).toBe(0);
});

test('one bucket for the fleet: what one node spends, the others no longer have', async () => {
  const clock = new FakeClock();
  const hub = new MemoryHub(clock);
  const a = node(hub, 'a');
  const b = node(hub, 'b');
  expect(drain(a.budget)).toBe(10);
  await clock.advance(0);
  expect(hub.tokens).toBe(0);
  // b learns at its next move (its first retry), within one sync: then it has nothing left.
  expect(b.budget.tryRetry(0, false)).toBe(5);
  await clock.advance(0);
  expect(b.tokens()).toBe(0);
  expect(hub.tokens).toBe(0);
  // Successes refill the fleet's bucket, whoever has them.
  for (let i = 0; i < 20; i++) a.budget.onSuccess(0, 0);
  await clock.advance(SYNC_MS);
  expect(hub.tokens).toBe(20);
  b.budget.onSuccess(0, 0);
  await clock.advance(SYNC_MS);
  expect([hub.tokens, b.tokens()]).toEqual([21, 21]);
});

test('a total outage: the fleet retries about capacity / retryCost in all, plus at most one sync period\u2019s worth per node', async () => {
  const clock = new FakeClock();
  const hub = new MemoryHub(clock);
  const nodes = ['a', 'b', 'c'].map((n) => node(hub, n));
  const perNodePerSecond = 4; // each node fails 4 calls a second, each asking for one retry
  let retries = 0;
  for (let t = 0; t < 10 * SYNC_MS; t += SYNC_MS / perNodePerSecond) {
    for (const n of nodes) if (n.budget.tryRetry(0, false) !== -1) retries++;
    await clock.advance(SYNC_MS / perNodePerSecond);
  }
  const bucket = TOKENS.capacity / TOKENS.retryCost;
  expect(retries).toBeGreaterThanOrEqual(bucket);
  expect(retries).toBeLessThanOrEqual(bucket + nodes.length * perNodePerSecond);
  // Without the fleet each node would have had a bucket of its own: 3 x 10.
  expect(retries).toBeLessThan(nodes.length * bucket);
});

test('an unreachable fleet: each bucket goes on alone, and the change waits for the next sync', async () => {
  const clock = new FakeClock();
  const hub = new MemoryHub(clock);
  const a = node(hub, 'a');
  hub.mode = 'down';
  expect(drain(a.budget)).toBe(10);
  await clock.advance(0);
  expect(a.tokens()).toBe(0);
  await clock.advance(3 * SYNC_MS);
  expect(hub.ops.length).toBeGreaterThanOrEqual(3); // one try a second while the change is unreconciled
  hub.mode = 'up';
  await clock.advance(SYNC_MS);
  expect(hub.tokens).toBe(0);
  const tries = hub.ops.length;
  await clock.advance(5 * SYNC_MS);
  expect(hub.ops.length).toBe(tries);
});

test('what moves while a sync is under way is kept and reconciled next', async () => {
  const clock = new FakeClock();
  const hub = new MemoryHub(clock);
  const a = node(hub, 'a');
  hub.latencyMs = 300;
  a.budget.tryRetry(0, false);
  await clock.advance(100);
  a.budget.tryRetry(0, false); // while the first sync is under way
  await clock.advance(200);
  expect([hub.tokens, a.tokens()]).toEqual([45, 40]);
  await clock.advance(SYNC_MS);
  expect([hub.tokens, a.tokens()]).toEqual([40, 40]);
  expect(hub.ops).toHaveLength(2);
});

test('a ratio budget is not shared; close() stops a pending sync', async () => {
  const clock = new FakeClock();
  const hub = new MemoryHub(clock);
  const sync = new BudgetSync(hub.link('a'), clock, scheduleOn(clock));
  const ratio = createRetryBudget({ type: 'ratio', ratio: 0.1, minPerSecond: 1, windowMs: 1_000 });
  expect(sync.share(ratio)).toBe(ratio);
  const tokens = sync.share(createRetryBudget(TOKENS));
  expect(sync.share(tokens)).toBe(tokens);
  tokens.tryRetry(0, false);
  await clock.advance(0);
  tokens.tryRetry(0, false);
  sync.close();
  await clock.advance(2 * SYNC_MS);
  expect(hub.ops).toHaveLength(1);
  expect(clock.pending).toBe(0);
});

test('with the system clock the sync timer is an unref\u2019d global timer, and can be cancelled', () => {
  expect(scheduleOn(systemClock)).toBe(unrefSchedule);
  const ran = jest.fn();
  const cancel = unrefSchedule(ran, 60_000);
  cancel();
  expect(ran).not.toHaveBeenCalled();
});

test('through the client: retries move the shared bucket; configure() keeps it shared', async () => {
  const { clock, hub, backend, a } = fleetOf('verify', {
    retry: { maxAttempts: 2, backoff: { type: 'constant', baseMs: 1, jitter: 'none' } },
    circuitBreaker: false,
    retryBudget: { capacity: 50, retryCost: 5 },
  });
  backend.status = 503;
  const call = calls(a.client, 1);
  await clock.advance(1);
  expect(await call).toEqual(['exhausted']);
  await clock.advance(0);
  expect(hub.ops).toEqual([{ op: 'budget', from: 'a', change: -5, capacity: 50 }]);
  a.client.configure({ retryBudget: { capacity: 100, retryCost: 5 } });
  const again = calls(a.client, 1);
  await clock.advance(1);
  await again;
  await clock.advance(SYNC_MS);
  expect(hub.ops.at(-1)).toEqual({ op: 'budget', from: 'a', change: -5, capacity: 100 });
  // The fleet's bucket had 45; it takes this retry's 5, and the local bucket takes the fleet's level.
  expect(hub.tokens).toBe(40);
  expect(a.client.stats().retryBudget).toMatchObject({ type: 'tokens', tokens: 40, capacity: 100 });
});
