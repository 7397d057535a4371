/** CallMetrics with the real metrics SDK: the circuit gauge, its key cap, and the settled-call attributes. */
import { CallMetrics, MAX_CIRCUIT_KEYS } from '../../lib/otel/call-metrics.js';
import type { ClientStats } from '../../lib/index.js';
import { sdk } from '../helpers/otel.js';
import type { Sdk } from '../helpers/otel.js';

let telemetry: Sdk;
beforeEach(() => {
  telemetry = sdk();
});
afterEach(async () => {
  await telemetry.shutdown();
});

type Breakers = ClientStats['breakers'];
const breaker = (key: string, state: 'CLOSED' | 'HALF_OPEN' | 'OPEN'): Breakers[number] =>
  ({ key, state, calls: 0, successes: 0, failures: 0, ignored: 0, rejections: 0, stateChanges: 0, lastChangeAt: undefined, openedAt: undefined });

test(`the circuit gauge reports the first ${MAX_CIRCUIT_KEYS} keys, then one _OTHER holding the worst state of the rest`, async () => {
  let breakers: Breakers = Array.from({ length: 150 }, (_, i) => breaker(`https://h${i}.test`, i === 120 ? 'HALF_OPEN' : 'CLOSED'));
  let reads = 0;
  const metrics = new CallMetrics(telemetry.meterProvider.getMeter('t'), () => {
    reads++;
    return breakers;
  });
  let points = await telemetry.points('resilient_axios.circuit.state');
  expect(points).toHaveLength(MAX_CIRCUIT_KEYS + 1);
  expect(points.find((p) => p.attributes.key === '_OTHER')?.value).toBe(1);
  expect(points.find((p) => p.attributes.key === 'https://h0.test')?.value).toBe(0);

  // Keys seen first keep their place; a new key stays in _OTHER, whose value follows the worst there.
  breakers = [breaker('https://h0.test', 'OPEN'), breaker('https://new.test', 'OPEN')];
  points = await telemetry.points('resilient_axios.circuit.state');
  const value = (key: string): unknown => points.find((p) => p.attributes.key === key)?.value;
  expect([value('https://h0.test'), value('_OTHER'), value('https://new.test')]).toEqual([2, 2, undefined]);

  expect(reads).toBe(2);
  metrics.close();
  await telemetry.points('resilient_axios.circuit.state');
  expect(reads).toBe(2); // close() removed the callback: the breakers are not read again
});

test('a settled call with no known target is measured by its method alone; a failure carries its reason', async () => {
  const metrics = new CallMetrics(telemetry.meterProvider.getMeter('t'), () => []);
  metrics.settled(undefined, { method: 'DELETE', attempts: 0, elapsedMs: 1500, reason: 'bulkhead-full' });
  metrics.retried(undefined, 'BREW');
  const [duration] = await telemetry.points('resilient_axios.call.duration');
  expect(duration.attributes).toEqual({ 'http.request.method': 'DELETE', outcome: 'failure', reason: 'bulkhead-full' });
  expect(duration.value).toMatchObject({ count: 1, sum: 1.5 });
  const [attempts] = await telemetry.points('resilient_axios.call.attempts');
  expect(attempts.value).toMatchObject({ count: 1, sum: 0 });
  expect(await telemetry.points('resilient_axios.retries')).toEqual([{ attributes: { 'http.request.method': '_OTHER' }, value: 1 }]);
  metrics.close();
});
