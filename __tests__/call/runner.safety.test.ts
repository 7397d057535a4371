/**
 * The safety net for misbehaving custom adapters: one that ignores its abort
 * signal, and one that rejects with an error carrying no config. Neither may
 * keep a call's bulkhead slot, breaker permit or timer past the deadline.
 */
import type { AxiosAdapter } from 'axios';
import { ResilientClient } from '../../lib/index.js';
import type { FailureEvent } from '../../lib/index.js';
import { FakeClock } from '../helpers/fake-clock.js';

function okAdapter(): AxiosAdapter {
  return (config) => Promise.resolve({ data: 'ok', status: 200, statusText: 'OK', headers: {}, config, request: {} });
}

describe('an adapter that never answers and ignores config.signal', () => {
  it('frees the call 1 s after its deadline: failure event, slot and timer released', async () => {
    const clock = new FakeClock();
    let hang = true;
    const ok = okAdapter();
    const adapter: AxiosAdapter = (config) => (hang ? new Promise(() => undefined) : ok(config));
    const client = new ResilientClient({ adapter, clock, concurrency: { max: 1, queue: 0 }, timeBudget: { totalMs: 1_000 } });
    const failures: FailureEvent[] = [];
    client.on('failure', (e) => failures.push(e));

    void client.get('http://a.test/x'); // stays pending: the adapter never settles it
    await clock.advance(1_000);
    expect(failures).toHaveLength(0); // aborted, given a grace period
    expect(client.stats().bulkhead?.active).toBe(1);

    await clock.advance(1_000);
    expect(failures.map((f) => f.reason)).toEqual(['deadline']);
    expect(client.stats()).toMatchObject({ failures: 1, inFlight: 0, bulkhead: { active: 0 } });
    expect(client.circuit('http://a.test')?.stats.failures).toBe(1);
    expect(clock.pending).toBe(0);

    hang = false; // the slot is free again
    await expect(client.get('http://a.test/y')).resolves.toMatchObject({ status: 200 });
  });
});

describe('an adapter that rejects with a plain Error (no config)', () => {
  it('passes the error on, and frees the call at its attempt deadline', async () => {
    const clock = new FakeClock();
    const adapter: AxiosAdapter = () => Promise.reject(new Error('boom'));
    const client = new ResilientClient({ adapter, clock, concurrency: { max: 1, queue: 0 }, timeBudget: { totalMs: 5_000, attemptMs: 200 } });
    const failures: FailureEvent[] = [];
    client.on('failure', (e) => failures.push(e));

    await expect(client.get('http://a.test/x')).rejects.toThrow('boom');
    expect(client.stats().bulkhead?.active).toBe(1);

    await clock.advance(200 + 1_000);
    expect(failures).toHaveLength(1);
    expect(client.stats()).toMatchObject({ inFlight: 0, bulkhead: { active: 0 } });
    expect(clock.pending).toBe(0);
  });
});
