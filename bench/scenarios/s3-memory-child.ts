/**
 * Scenario 3's measurement, run in a child started with --expose-gc (see
 * s3-memory.ts): heap and RSS around many calls through one client, and the
 * breaker registry after many distinct origins. Sends its figures over IPC.
 */
import '../env.js';
import { core } from '../built.js';
import { instantAdapter } from '../common.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');
const collect = gc;

interface Snapshot {
  heapUsed: number;
  rss: number;
}

function snapshot(): Snapshot {
  collect();
  collect();
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, rss: m.rss };
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const calls = quick ? 50_000 : 1_000_000;
  const origins = quick ? 5_000 : 100_000;

  const client = new core.ResilientClient({ baseURL: 'http://api.test', adapter: instantAdapter });
  const noop = (): void => undefined;
  client.on('retry', noop).on('success', noop).on('failure', noop);
  for (let i = 0; i < 10_000; i++) await client.get('/item'); // warm-up: JIT, lazily built state
  const before = snapshot();
  for (let i = 0; i < calls; i++) await client.get('/item');
  const after = snapshot();

  const many = new core.ResilientClient({ adapter: instantAdapter });
  const beforeOrigins = snapshot();
  for (let i = 0; i < origins; i++) await many.get(`http://h${i}.test/`);
  const afterOrigins = snapshot();
  const breakers = many.stats().breakers.length;
  const maxKeys = (many.settings.circuitBreaker || undefined)?.maxKeys;

  process.send?.({ calls, before, after, origins, beforeOrigins, afterOrigins, breakers, maxKeys }, () => process.exit(0));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
