/**
 * Soak: 100_000 calls through one client (system clock, real Node timers) with
 * an adapter that answers at once, every call passing the SAME long-lived
 * AbortSignal. Afterwards nothing may be left behind: no listener on the
 * signal, no attempt in flight, no ref'd timer keeping the process alive.
 * Not timed (no throughput assertion). The calls run in a child process
 * (__tests__/fixtures/soak.ts), where axios costs what it costs for users
 * (about a third of its cost inside jest's sandbox), which keeps the test
 * well under 10 s; batching bounds the calls in flight at once.
 */
import { join } from 'node:path';
import { runTs } from '../helpers/run-ts.js';

const CALLS = 100_000;
/**
 * Calls in flight at once. 100 rather than 1_000: a fifth less CPU (fewer configs alive for
 * the GC; Node's EventTarget walks its listener list on every add and remove), and a leak
 * shows as clearly.
 */
const BATCH = 100;
/** Calls that fail with a 404, and calls that get one 503 then a 200. */
const MISSING = CALLS / 50;
const FLAKY = CALLS / 50;

test("100_000 calls sharing one AbortSignal leave no listener, no attempt in flight and no ref'd timer", async () => {
  const exit = await runTs(join(__dirname, '..', 'fixtures', 'soak.ts'), [String(CALLS), String(BATCH)], 55_000);
  expect({ code: exit.code, killed: exit.killed, stderr: exit.stderr }).toEqual({ code: 0, killed: false, stderr: '' });
  const line = exit.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  expect(line).toBeDefined();
  const r = JSON.parse((line ?? '').slice('RESULT '.length));

  expect(r.unexpected).toEqual([]);
  expect(r.ok).toBe(CALLS - MISSING);
  expect(r.failed).toBe(MISSING);
  expect(r.flaky).toBe(FLAKY);
  expect(r.flakyTriedTwice).toBe(true);

  // The measure is sensitive: while attempts are in flight the client holds exactly one ref'd timer.
  expect(r.firstBatch.timers).toBe(1);
  expect(r.firstBatch.listeners).toBeGreaterThan(0);
  // Nothing accumulates between batches.
  expect(r.listenersLeftBetweenBatches).toBe(0);

  // Every listener added on the caller's signal was removed.
  expect(r.counts).toEqual({ add: CALLS, remove: CALLS });
  expect(r.after.listeners).toBe(0);
  expect(r.after.aborted).toBe(false);

  expect(r.after.stats).toMatchObject({
    calls: CALLS,
    attempts: CALLS + FLAKY,
    retries: FLAKY,
    successes: CALLS - MISSING,
    failures: MISSING,
    inFlight: 0,
  });
  // A 404 means the server is healthy: breaker failures are the 503s only.
  expect(r.after.breaker).toMatchObject({ calls: CALLS + FLAKY, failures: FLAKY, successes: CALLS, ignored: 0 });

  // No ref'd timer left (the client holds none while no call is in flight): a script would exit by itself.
  expect(r.after.timers).toBeLessThanOrEqual(0);

  // Aborting the long-lived signal afterwards reaches nobody: no settled call reacts, nothing throws.
  expect(r.afterAbort).toMatchObject({ failures: MISSING, inFlight: 0 });
  expect(r.afterDispose.timers).toBeLessThanOrEqual(0);
}, 60_000);
