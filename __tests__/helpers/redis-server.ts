/**
 * A real `redis-server` for the tests: started on a free loopback port with no
 * persistence (`--save '' --appendonly no`), stopped by PID. Where
 * `redis-server` is not on the PATH the Redis suites fail, saying how to
 * install it (`.ci/run` does): a missing server never passes as a green run.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createConnection, createServer } from 'node:net';

/** True when `redis-server` can be run here. */
export const REDIS_AVAILABLE = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

/** `describe` when redis-server is there; else a suite whose one test fails, saying how to install it. */
export function describeWithRedis(name: string, body: () => void): void {
  if (REDIS_AVAILABLE) {
    describe(name, body);
    return;
  }
  describe(name, () => {
    test('redis-server is installed', () => {
      throw new Error('redis-server is not on the PATH: apt-get install -y redis-server (.ci/run does)');
    });
  });
}

/** A free TCP port on 127.0.0.1 (free when asked). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** One redis-server process. */
export interface RedisServer {
  readonly port: number;
  readonly pid: number;
  /** Stops it (SIGTERM by PID, SIGKILL after 2 s) and waits for the exit. */
  stop(): Promise<void>;
  /** Kills it at once (SIGKILL by PID), as a crash would, and waits for the exit. */
  kill(): Promise<void>;
}

/**
 * Answers one raw command on a fresh connection (for `INFO commandstats`, `PTTL`
 * and the like): a status, an integer or a bulk string, as a string.
 */
export function redisCommand(port: number, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      data += d;
      const bulk = /^\$(-?\d+)\r\n/.exec(data);
      let reply: string | undefined;
      if (bulk !== null) {
        const size = Number(bulk[1]);
        if (size < 0) reply = '';
        else if (Buffer.byteLength(data) >= bulk[0].length + size + 2) reply = Buffer.from(data).subarray(bulk[0].length, bulk[0].length + size).toString();
      } else if (/\r\n$/.test(data)) reply = data.slice(1).trim();
      if (reply === undefined) return;
      socket.end();
      if (data.startsWith('-')) reject(new Error(reply));
      else resolve(data.startsWith('+') ? `+${reply}` : reply);
    });
    socket.on('error', reject);
    socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
  });
}

/** `INFO commandstats` as command -> calls. */
export async function commandCalls(port: number): Promise<Record<string, number>> {
  const info = await redisCommand(port, 'INFO', 'commandstats');
  const calls: Record<string, number> = {};
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls[m[1]] = Number(m[2]);
  return calls;
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Starts redis-server on `port` (a free one by default) and waits until it answers PING. */
export async function startRedis(port?: number): Promise<RedisServer> {
  const p = port ?? (await freePort());
  const child = spawn('redis-server', ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const pid = child.pid as number;
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    process.kill(pid, signal);
    const hard = setTimeout(() => child.exitCode === null && child.signalCode === null && process.kill(pid, 'SIGKILL'), 2_000);
    await exited(child);
    clearTimeout(hard);
  };
  const server: RedisServer = { port: p, pid, stop: () => end('SIGTERM'), kill: () => end('SIGKILL') };
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode} on port ${p}`);
    if ((await redisCommand(p, 'PING').catch(() => '')) === '+PONG') return server;
    await new Promise((r) => setTimeout(r, 20));
  }
  await server.kill();
  throw new Error(`redis-server did not answer on port ${p}`);
}
