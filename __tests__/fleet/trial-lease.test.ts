/**
 * The fleet's trial lease and the failure semantics, through real clients on
 * an in-memory hub and a FakeClock: one trial per open period for the whole
 * fleet, a remote close after the lease holder's successful trial, and a hub
 * that is down or hangs (no call fails because of it; a trial waits at most
 * `opTimeoutMs`, then goes out as it would without a fleet).
 */
import { CanceledError } from 'axios';
import { ConfigError } from '../../lib/common/config-error.js';
import { CircuitOpenError, DeadlineExceededError } from '../../lib/report/errors.js';
import { ResilientClient } from '../../lib/resilient-client.js';
import { rejection, settleChain, track } from '../helpers/engine-harness.js';
import { KEY, calls, fleetOf } from '../helpers/fleet-members.js';

/** a and b both OPEN (b trusting a), the backend down, 1 s into the open period. */
async function bothOpen(config = {}) {
  const f = fleetOf('trust', config);
  await calls(f.b.client, 1);
  f.backend.status = 503;
  await calls(f.a.client, 3);
  await settleChain();
  await f.clock.advance(1_000);
  return f;
}

describe('one trial per open period for the whole fleet', () => {
  test('the opener wins the lease; the other is refused (nothing sent) and stays OPEN for the holder\u2019s time', async () => {
    const { clock, hub, a, b } = await bothOpen();
    const sentA = a.exchanges.length;
    const sentB = b.exchanges.length;
    expect(await calls(a.client, 1)).toEqual(['not-retryable']); // a's trial: sent, failed
    expect(a.exchanges.length - sentA).toBe(1);
    expect(a.log.slice(1)).toEqual(['half-open', 'open 1']);
    // a's failed trial doubled its period (2 s) and took the lease for it.
    expect(hub.holder(KEY)).toBe('a');
    await clock.advance(10);
    const refused = await rejection(b.client.get('/x'));
    expect(refused).toBeInstanceOf(CircuitOpenError);
    expect(refused.resilience).toMatchObject({ attempts: 0, reason: 'circuit-open' });
    expect((refused as unknown as CircuitOpenError).remainingMs).toBe(1_990);
    expect(b.exchanges.length).toBe(sentB);
    expect(b.log.slice(1)).toEqual(['half-open', 'open 0', 'reject OPEN']);
    // The permit it took is given back as ignored; the refusal counts in the client's stats.
    expect(b.client.circuit()?.stats).toMatchObject({ state: 'OPEN', ignored: 1, failures: 0 });
    expect(b.client.stats().rejections).toBe(1);
    expect(hub.ops.map((o) => `${o.op} ${o.from}`)).toEqual(['publish a', 'lease a', 'publish a', 'lease b']);
  });

  test('the holder\u2019s successful trial closes it, frees the lease and closes the others; a verifying breaker decides alone', async () => {
    const { clock, hub, backend, a, b } = await bothOpen();
    backend.status = 200;
    expect(await calls(a.client, 1)).toEqual(['ok']);
    await settleChain();
    expect(a.log.slice(1)).toEqual(['half-open', 'close']);
    expect(hub.holder(KEY)).toBeUndefined();
    expect(b.log.at(-1)).toBe('close');
    expect(b.client.circuit()?.state).toBe('CLOSED');
    expect(await calls(b.client, 3)).toEqual(['ok', 'ok', 'ok']);
    expect(hub.ops.filter((o) => o.op === 'publish').map((o) => `${o.from} ${o.op === 'publish' ? o.change.type : ''}`)).toEqual(['a open', 'a close']);
    await clock.advance(0);
  });

  test('a remote close leaves CLOSED breakers and HALF_OPEN ones with a trial in flight alone', async () => {
    const f = fleetOf('verify');
    await calls(f.b.client, 1);
    f.backend.status = 503;
    await calls(f.a.client, 3); // b goes HALF_OPEN (verify)
    await settleChain();
    f.backend.status = 'hang';
    const trial = track(f.b.client.get('/x')); // b's verification trial, in flight
    await settleChain();
    f.b.fleet.deliver({ type: 'close', key: KEY });
    expect(f.b.client.circuit()?.state).toBe('HALF_OPEN');
    f.b.exchanges.at(-1)?.respond(200);
    await trial.done;
    expect(f.b.log).toEqual(['half-open', 'close']);
    f.b.fleet.deliver({ type: 'close', key: KEY });
    expect(f.b.log).toEqual(['half-open', 'close']);
  });

  test('a remote close that overtakes a held answer wins: the asking trial goes out and closes the breaker, unpublished', async () => {
    // Redis answers the lease and publishes the close over two connections: the close can arrive first.
    const { clock, hub, backend, a, b } = await bothOpen();
    backend.status = 'hang';
    const trialA = track(a.client.get('/x')); // a takes the lease; its trial is in flight
    await settleChain();
    expect(hub.holder(KEY)).toBe('a');
    hub.latencyMs = 10;
    backend.status = 200;
    const sentB = b.exchanges.length;
    const trialB = track(b.client.get('/x')); // b asks; the hub will answer 'held' (a holds)
    await settleChain();
    b.fleet.deliver({ type: 'close', key: KEY }); // a's close, ahead of b's answer
    expect(b.client.circuit()?.state).toBe('HALF_OPEN');
    await clock.advance(10);
    await trialB.done;
    expect(trialB.state).toBe('resolved');
    expect(b.exchanges.length).toBe(sentB + 1);
    expect(b.log.slice(1)).toEqual(['half-open', 'close']);
    expect(hub.ops.filter((o) => o.op === 'publish' && o.from === 'b')).toEqual([]);
    a.exchanges.at(-1)?.respond(200);
    await trialA.done;
  });

  test('a remote close that overtakes a granted answer: the trial goes out, and its close frees the lease', async () => {
    const { clock, hub, backend, b } = await bothOpen(); // a's lease has expired with its open period
    hub.latencyMs = 10;
    backend.status = 200;
    const trial = track(b.client.get('/x')); // b asks; the hub will grant it
    await settleChain();
    b.fleet.deliver({ type: 'close', key: KEY });
    await clock.advance(10);
    await trial.done;
    expect(trial.state).toBe('resolved');
    expect(b.log.slice(1)).toEqual(['half-open', 'close']);
    await clock.advance(10);
    expect(hub.ops.filter((o) => o.op === 'publish' && o.from === 'b').map((o) => (o.op === 'publish' ? o.change.type : ''))).toEqual(['close']);
    expect(hub.holder(KEY)).toBeUndefined();
  });

  test('two trial slots share one lease request', async () => {
    const { hub, backend, a } = await bothOpen({ circuitBreaker: { trip: { type: 'consecutive', failures: 3 }, openMs: 1_000, openJitter: 0, halfOpenMaxCalls: 2 } });
    backend.status = 'hang';
    const one = track(a.client.get('/x'));
    const two = track(a.client.get('/x'));
    await settleChain();
    expect(hub.ops.filter((o) => o.op === 'lease')).toHaveLength(1);
    expect(a.exchanges.filter((x) => !x.aborted).slice(-2).map((x) => x.url)).toEqual(['/x', '/x']);
    for (const x of a.exchanges.slice(-2)) x.respond(200);
    await Promise.all([one.done, two.done]);
    expect([one.state, two.state]).toEqual(['resolved', 'resolved']);
  });
});

describe('the hub down or hanging: every client goes on alone', () => {
  test('down: opens are not shared, trials go out without a lease, and no call fails because of it', async () => {
    const { clock, hub, backend, a, b } = fleetOf('trust');
    await calls(b.client, 1);
    hub.mode = 'down';
    backend.status = 503;
    expect(await calls(a.client, 4)).toEqual(['not-retryable', 'not-retryable', 'not-retryable', 'circuit-open']);
    await settleChain();
    expect(b.log).toEqual([]);
    await clock.advance(1_000);
    backend.status = 200;
    expect(await calls(a.client, 2)).toEqual(['ok', 'ok']);
    expect(await calls(b.client, 2)).toEqual(['ok', 'ok']);
    expect(hub.ops.map((o) => o.op)).toEqual(['publish', 'lease', 'publish']);
  });

  test('hanging: a trial waits exactly opTimeoutMs for its lease, then goes out', async () => {
    const { clock, hub, backend, a } = await bothOpen();
    hub.mode = 'hang';
    backend.status = 200;
    const sent = a.exchanges.length;
    const trial = track(a.client.get('/x'));
    await settleChain();
    await clock.advance(249);
    expect(a.exchanges.length).toBe(sent);
    expect(trial.state).toBe('pending');
    await clock.advance(1);
    await trial.done;
    expect(trial.state).toBe('resolved');
    expect(a.exchanges.length).toBe(sent + 1);
    expect(clock.pending).toBe(0);
  });

  test.each([
    ['the caller aborts', CanceledError],
    ['the deadline passes', DeadlineExceededError],
    ['the client is disposed', CanceledError],
  ])('a trial waiting for its lease gives its slot back when %s', async (what, error) => {
    const { clock, hub, backend, a } = await bothOpen(what === 'the deadline passes' ? { timeBudget: { totalMs: 100 } } : {});
    hub.mode = 'hang';
    const controller = new AbortController();
    const sent = a.exchanges.length;
    const trial = track(a.client.get('/x', { signal: controller.signal }));
    await settleChain();
    if (what === 'the caller aborts') controller.abort();
    if (what === 'the client is disposed') {
      a.client.dispose();
      expect(a.fleet.closed).toBe(true);
    } else await clock.advance(250);
    await trial.done;
    expect(trial.error).toBeInstanceOf(error);
    expect(a.exchanges.length).toBe(sent);
    expect(a.client.circuit()?.stats).toMatchObject({ state: 'HALF_OPEN', ignored: 1 });
    expect(clock.pending).toBe(0);
    if (what === 'the client is disposed') return;
    // The slot is free: the next call is the trial, and it closes the breaker.
    hub.mode = 'up';
    backend.status = 200;
    expect(await calls(a.client, 1)).toEqual(['ok']);
    expect(a.client.circuit()?.state).toBe('CLOSED');
  });

  test('a link that throws is the link\u2019s failure, not the call\u2019s', async () => {
    const { backend, a } = fleetOf('verify');
    for (const m of ['publish', 'acquireTrialLease', 'reconcileBudget'] as const) {
      (a.fleet as unknown as Record<string, unknown>)[m] = () => {
        throw new Error(`${m} exploded`);
      };
    }
    backend.status = 503;
    expect(await calls(a.client, 4)).toEqual(['not-retryable', 'not-retryable', 'not-retryable', 'circuit-open']);
  });
});

test('fleet: anything but a link is a ConfigError', () => {
  for (const bad of [null, {}, { publish() {} }, 'redis']) {
    expect(() => new ResilientClient({ fleet: bad as never })).toThrow(ConfigError);
  }
  expect(() => new ResilientClient({ fleet: {} as never })).toThrow('fleet must be a fleet link, such as redisFleet({ redis }) from resilient-axios/redis, got an object');
});
