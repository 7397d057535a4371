/**
 * One process of `samples/fleet.ts`: told over IPC to set a phase up (a
 * ResilientClient with a `redisFleet` link over node-redis, or without), it
 * says 'ready'; on 'go' it calls the backend at its pace for the phase's time,
 * then says 'done'. Its name goes out in `x-node`.
 */
import { createClient } from 'redis';
import { ResilientClient } from '../../lib/index.js';
import { redisFleet } from '../../lib/redis/index.js';

/** What the parent asks: one phase. */
export interface Phase {
  readonly fleet: boolean;
  readonly base: string;
  readonly redisPort: number;
  readonly paceMs: number;
  readonly forMs: number;
}

const name = process.argv[2];
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function phase(p: Phase): Promise<void> {
  const redis = p.fleet ? createClient({ socket: { port: p.redisPort, host: '127.0.0.1' } }) : undefined;
  redis?.on('error', () => undefined);
  await redis?.connect();
  const fleet = redis === undefined ? undefined : redisFleet({ redis, prefix: 'sample:' });
  const client = new ResilientClient({
    baseURL: p.base,
    headers: { 'x-node': name },
    retry: false,
    circuitBreaker: { trip: { type: 'consecutive', failures: 5 }, openMs: 5_000 },
    ...(fleet === undefined ? {} : { fleet }),
  });
  while (fleet !== undefined && !fleet.stats().connected) await sleep(5);
  await new Promise<void>((go) => {
    const on = (m: unknown): void => {
      if (m !== 'go') return;
      process.off('message', on);
      go();
    };
    process.on('message', on);
    process.send?.('ready');
  });
  const end = Date.now() + p.forMs;
  while (Date.now() < end) {
    await client.get('/').catch(() => undefined);
    await sleep(p.paceMs);
  }
  client.dispose();
  await fleet?.close();
  redis?.destroy();
  process.send?.('done');
}

process.on('message', (p: Phase | 'go' | 'exit') => {
  if (p === 'exit') process.disconnect?.();
  else if (p !== 'go') void phase(p);
});
