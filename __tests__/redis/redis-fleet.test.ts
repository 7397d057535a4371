/**
 * `redisFleet()` against a real redis-server, once per client (ioredis and
 * node-redis): changes across links, the lease and the budget scripts, the
 * subscription's one duplicate connection (closed by `close()`, the user's
 * client left open), options, and Redis down (every operation fails at once),
 * slow (bounded by `opTimeoutMs`) and back (sharing resumes within 5 s).
 */
import Redis from 'ioredis';
import { createClient } from 'redis';
import { ConfigError } from '../../lib/common/config-error.js';
import type { FleetChange } from '../../lib/fleet/fleet-link.js';
import { redisFleet } from '../../lib/redis/index.js';
import type { RedisFleet } from '../../lib/redis/index.js';
import { describeWithRedis, redisCommand, startRedis } from '../helpers/redis-server.js';
import type { RedisServer } from '../helpers/redis-server.js';

type Kind = 'ioredis' | 'node-redis';

/** A user's client of `kind`, connected (or connecting), with the 'error' listener users must add. */
async function userClient(kind: Kind, port: number): Promise<{ client: object; close: () => Promise<void> }> {
  if (kind === 'ioredis') {
    const client = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
    client.on('error', () => undefined);
    return { client, close: async () => client.disconnect() };
  }
  const client = createClient({ socket: { port, host: '127.0.0.1' } });
  client.on('error', () => undefined);
  await client.connect();
  return { client, close: async () => client.destroy() };
}

async function until(what: string, ok: () => boolean | Promise<boolean>, withinMs: number): Promise<number> {
  const start = Date.now();
  while (!(await ok())) {
    if (Date.now() - start > withinMs) throw new Error(`not ${what} within ${withinMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return Date.now() - start;
}

function clientCount(port: number): Promise<number> {
  return redisCommand(port, 'CLIENT', 'LIST').then((list) => list.split('\n').filter((l) => l.includes('id=')).length - 1); // less this connection
}

describeWithRedis('redisFleet() against redis-server', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await server?.stop();
  });

  test('options: defaults, validation, and the client is told apart', async () => {
    const user = await userClient('node-redis', server.port);
    try {
      const link = redisFleet({ redis: user.client });
      expect([link.client, link.adopt, link.opTimeoutMs]).toEqual(['node-redis', 'verify', 250]);
      expect(link.nodeId).toMatch(/^[0-9a-f]{16}$/);
      for (const [bad, path] of [
        [{ redis: {} }, 'redis'],
        [{ redis: user.client, prefix: '' }, 'redisFleet.prefix'],
        [{ redis: user.client, adopt: 'always' }, 'redisFleet.adopt'],
        [{ redis: user.client, opTimeoutMs: 0 }, 'redisFleet.opTimeoutMs'],
        [{ redis: user.client, retries: 3 }, 'redisFleet.retries'],
      ] as const) {
        expect(() => redisFleet(bad as never)).toThrow(ConfigError);
        try {
          redisFleet(bad as never);
        } catch (err) {
          expect((err as ConfigError).path).toBe(path);
        }
      }
    } finally {
      await user.close();
    }
  });

  describe.each<Kind>(['ioredis', 'node-redis'])('with %s', (kind) => {
    const prefix = `t-${kind}:`;
    let users: Array<{ client: object; close: () => Promise<void> }> = [];
    let links: RedisFleet[] = [];
    const heard: FleetChange[][] = [];

    beforeAll(async () => {
      const before = await clientCount(server.port);
      users = [await userClient(kind, server.port), await userClient(kind, server.port)];
      links = users.map((u) => redisFleet({ redis: u.client, prefix, opTimeoutMs: 100 }));
      links.forEach((link, i) => {
        heard[i] = [];
        link.onRemote((c) => heard[i].push(c));
      });
      await until('connected', () => links.every((l) => l.stats().connected), 5_000);
      // Two user clients, and one duplicate per link.
      expect(await clientCount(server.port)).toBe(before + 4);
    });

    afterAll(async () => {
      for (const link of links) await link.close();
      for (const user of users) await user.close();
    });

    test('a change reaches the other link, not its sender; garbage on the channel is dropped', async () => {
      links[0].publish({ type: 'open', key: 'http://api:80', remainingMs: 2_000.4, failures: 5 });
      await until('heard', () => heard[1].length === 1, 1_000);
      expect(heard[1]).toEqual([{ type: 'open', key: 'http://api:80', remainingMs: 2_000, failures: 5 }]);
      await redisCommand(server.port, 'PUBLISH', `${prefix}events`, '{"v":2,"t":"open"}');
      await redisCommand(server.port, 'PUBLISH', `${prefix}events`, 'not json');
      links[1].publish({ type: 'close', key: 'http://api:80' });
      await until('heard', () => heard[0].length === 1, 1_000);
      expect(heard[0]).toEqual([{ type: 'close', key: 'http://api:80' }]);
      expect(heard[1]).toHaveLength(1);
      expect(links[0].stats()).toMatchObject({ connected: true, published: 1, received: 1, dropped: 2, failed: 0 });
    });

    test('the lease: an open holds it for its period; the holder gets it again, another waits; a close frees it', async () => {
      const [a, b] = links;
      // Redis times the lease; what it has left is the period less the time since the publish (a busy machine's included).
      let t0 = Date.now();
      a.publish({ type: 'open', key: 'k', remainingMs: 1_000, failures: 3 });
      await until('published', () => a.stats().published === 2, 1_000);
      const held = await b.acquireTrialLease('k', 5_000);
      expect(held.kind).toBe('held');
      expect(held.kind === 'held' && held.remainingMs).toBeGreaterThanOrEqual(1_000 - (Date.now() - t0) - 1);
      expect(held.kind === 'held' && held.remainingMs).toBeLessThanOrEqual(1_000);
      expect(await a.acquireTrialLease('k', 5_000)).toEqual({ kind: 'granted' });
      // b's own open period is shorter than a's trial lease: a keeps it.
      b.publish({ type: 'open', key: 'k', remainingMs: 1_000, failures: 1 });
      await until('published', () => b.stats().published === 2, 1_000);
      expect((await b.acquireTrialLease('k', 5_000)).kind).toBe('held');
      // a's trial failed: its new open period replaces its own trial lease.
      t0 = Date.now();
      a.publish({ type: 'open', key: 'k', remainingMs: 2_000, failures: 1 });
      await until('published', () => a.stats().published === 3, 1_000);
      const ttl = Number(await redisCommand(server.port, 'PTTL', `${prefix}lease:k`));
      expect(ttl).toBeGreaterThanOrEqual(2_000 - (Date.now() - t0) - 1);
      expect(ttl).toBeLessThanOrEqual(2_000);
      a.publish({ type: 'close', key: 'k' });
      await until('published', () => a.stats().published === 4, 1_000);
      expect(await b.acquireTrialLease('k', 5_000)).toEqual({ kind: 'granted' });
    });

    test('the budget: one bucket, kept within [0, capacity], starting full, with a TTL', async () => {
      const [a, b] = links;
      expect(await a.reconcileBudget(-120, 500)).toBe(380);
      expect(await b.reconcileBudget(-0.5, 500)).toBe(379.5);
      expect(await b.reconcileBudget(-1_000, 500)).toBe(0);
      expect(await a.reconcileBudget(600, 500)).toBe(500);
      expect(Number(await redisCommand(server.port, 'PTTL', `${prefix}budget`))).toBeGreaterThan(590_000);
    });

    test('close() closes the link\u2019s duplicate connection only; the user\u2019s client stays open', async () => {
      const user = await userClient(kind, server.port);
      const before = await clientCount(server.port);
      const link = redisFleet({ redis: user.client, prefix });
      link.onRemote(() => undefined);
      await until('connected', () => link.stats().connected, 5_000);
      expect(await clientCount(server.port)).toBe(before + 1);
      await link.close();
      await link.close();
      await until('closed', async () => (await clientCount(server.port)) === before, 2_000);
      expect(link.stats().connected).toBe(false);
      await expect(link.reconcileBudget(0, 10)).rejects.toThrow('closed');
      expect(() => link.onRemote(() => undefined)).toThrow(ConfigError);
      await user.close();
    });
  });

  describe.each<Kind>(['ioredis', 'node-redis'])('Redis slow, down and back, with %s', (kind) => {
    test('slow: an operation fails after opTimeoutMs; down: at once; back: sharing resumes within 5 s', async () => {
      const own = await startRedis();
      const a = await userClient(kind, own.port);
      const b = await userClient(kind, own.port);
      const la = redisFleet({ redis: a.client, prefix: 'slow:', opTimeoutMs: 100 });
      const lb = redisFleet({ redis: b.client, prefix: 'slow:', opTimeoutMs: 100 });
      const heard: FleetChange[] = [];
      la.onRemote(() => undefined);
      lb.onRemote((c) => heard.push(c));
      try {
        await until('connected', () => la.stats().connected && lb.stats().connected, 5_000);
        process.kill(own.pid, 'SIGSTOP');
        let t = Date.now();
        await expect(la.acquireTrialLease('k', 1_000)).rejects.toThrow('within 100 ms');
        expect(Date.now() - t).toBeGreaterThanOrEqual(95);
        expect(Date.now() - t).toBeLessThan(1_000); // bounded, on a machine however busy
        process.kill(own.pid, 'SIGCONT');
        await own.kill();
        // Until the user's client has noticed too (a command sent before it does waits out opTimeoutMs).
        const userReady = (c: object): boolean => (c as { status?: string }).status === 'ready' || (c as { isReady?: boolean }).isReady === true;
        await until('down', () => !la.stats().connected && !userReady(a.client), 2_000);
        t = Date.now();
        await expect(la.reconcileBudget(-5, 100)).rejects.toThrow('not connected');
        la.publish({ type: 'open', key: 'k', remainingMs: 1_000, failures: 3 }); // dropped, never queued
        expect(Date.now() - t).toBeLessThan(100); // at once: not after opTimeoutMs
        const back = await startRedis(own.port);
        const ms = await until('reconnected', () => la.stats().connected && lb.stats().connected, 5_000);
        la.publish({ type: 'open', key: 'k2', remainingMs: 1_000, failures: 3 });
        await until('heard', () => heard.length > 0, 1_000);
        expect(heard).toEqual([{ type: 'open', key: 'k2', remainingMs: 1_000, failures: 3 }]); // not the stale one
        expect(la.stats().failed).toBeGreaterThanOrEqual(3);
        expect(ms).toBeLessThan(5_000);
        await back.stop();
      } finally {
        await Promise.all([la.close(), lb.close(), a.close(), b.close()]);
        await own.stop();
      }
    });
  });
});
