/**
 * A fleet: three processes call one backend, a busily (every 10 ms), b and c
 * quietly (every 100 ms). The backend dies. Without a fleet link each process
 * learns alone, so each pays about 5 failed requests (its own trip); with
 * `redisFleet` (adopt 'verify'), a's trip reaches b and c within milliseconds
 * and each sends one trial at most (halfOpenMaxCalls) after it. Needs `redis-server` on the PATH: the
 * sample starts its own on a free loopback port and stops it by PID.
 *
 * Run: npm run sample -- fleet
 */
import { fork, spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import type { Phase } from './support/fleet-member.js';

const NAMES = ['a', 'b', 'c'] as const;
const PACE_MS = { a: 10, b: 100, c: 100 };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ port, host: '127.0.0.1' }, () => (s.end(), resolve(true)));
    s.on('error', () => resolve(false));
  });
}

async function main(): Promise<void> {
  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status !== 0) {
    console.error('This sample needs redis-server on the PATH (Debian: apt-get install -y redis-server).');
    process.exitCode = 1;
    return;
  }
  let dead = false;
  /** Requests each process sent while the backend was dead, and how many of them came after a tripped. */
  const sent: Record<string, { all: number; afterTrip: number }> = {};
  const backend = createServer((req, res) => {
    if (dead) {
      const n = (sent[String(req.headers['x-node'])] ??= { all: 0, afterTrip: 0 });
      n.all++;
      if ((sent.a?.all ?? 0) >= 5 && req.headers['x-node'] !== 'a') n.afterTrip++; // a trips on its 5th failure
    }
    res.writeHead(dead ? 503 : 200).end();
  });
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  const port = (backend.address() as { port: number }).port;
  const redisPort = port + 1 < 65_536 && !(await listening(port + 1)) ? port + 1 : port - 1;
  const redis = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const members: ChildProcess[] = NAMES.map((n) => fork(join(__dirname, 'support', 'fleet-member.ts'), [n], { execArgv: ['--import', 'tsx'] }));
  const next = (m: ChildProcess, what: string): Promise<void> =>
    new Promise((resolve) => {
      const on = (x: unknown): void => {
        if (x !== what) return;
        m.off('message', on);
        resolve();
      };
      m.on('message', on);
    });
  try {
    while (!(await listening(redisPort))) await sleep(10);
    for (const fleet of [false, true]) {
      dead = false;
      for (const k of Object.keys(sent)) delete sent[k];
      const ready = members.map((m) => next(m, 'ready'));
      const done = members.map((m) => next(m, 'done'));
      members.forEach((m, i) => m.send({ fleet, base: `http://127.0.0.1:${port}`, redisPort, paceMs: PACE_MS[NAMES[i]], forMs: 1_500 } satisfies Phase));
      await Promise.all(ready);
      for (const m of members) m.send('go');
      await sleep(200);
      dead = true; // the backend answers 503 from now on
      await Promise.all(done);
      const total = NAMES.reduce((n, k) => n + (sent[k]?.all ?? 0), 0);
      console.log(`${fleet ? "with redisFleet (adopt 'verify')" : 'without a fleet link'}: requests each process sent to the dead backend`);
      console.log(`  ${NAMES.map((k) => `${k}: ${sent[k]?.all ?? 0}${k === 'a' ? '' : ` (${sent[k]?.afterTrip ?? 0} after a tripped)`}`).join('   ')}   total ${total}`);
    }
  } finally {
    for (const m of members) m.send('exit');
    redis.kill('SIGTERM');
    await new Promise((r) => backend.close(r));
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
