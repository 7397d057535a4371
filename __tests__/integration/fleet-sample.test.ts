/**
 * `npm run sample -- fleet` runs as a user would run it (three processes, its
 * own redis-server) and shows what it promises: without a fleet link each
 * quiet process pays for the outage itself (its own trip: 5 requests); with
 * `redisFleet` each sends at most one request after the busy one tripped.
 */
import { join } from 'node:path';
import { describeWithRedis } from '../helpers/redis-server.js';
import { ROOT, runTs } from '../helpers/run-ts.js';

describeWithRedis('samples/fleet.ts', () => {
  test('prints what each process sent to the dead backend, without and with the fleet link, and exits 0', async () => {
    const exit = await runTs(join(ROOT, 'samples', 'fleet.ts'), [], 40_000);
    expect({ code: exit.code, stderr: exit.stderr }).toEqual({ code: 0, stderr: '' });
    const rows = [...exit.stdout.matchAll(/a: (\d+) {3}b: (\d+) \((\d+) after a tripped\) {3}c: (\d+) \((\d+) after a tripped\)/g)].map((m) => m.slice(1).map(Number));
    expect(exit.stdout).toContain('without a fleet link: requests each process sent to the dead backend');
    expect(exit.stdout).toContain("with redisFleet (adopt 'verify'): requests each process sent to the dead backend");
    expect(rows).toHaveLength(2);
    const [without, withFleet] = rows;
    expect([without[0], without[1], without[3]]).toEqual([5, 5, 5]); // each trips on its own
    expect(withFleet[0]).toBe(5);
    expect(withFleet[2]).toBeLessThanOrEqual(1); // after a's trip: one trial at most
    expect(withFleet[4]).toBeLessThanOrEqual(1);
  }, 45_000);
});
