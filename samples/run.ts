/**
 * Runs one sample by name: `npm run sample -- <name>` (or `all`, one after
 * another). Each sample starts its own fault server on 127.0.0.1 and needs
 * nothing else (but `fleet`, which needs redis-server on the PATH). An unknown or missing name prints the usage and exits with 2.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** Name -> what it shows. One per README topic. */
export const SAMPLES: Readonly<Record<string, string>> = {
  'first-call': 'a flaky backend (503, 503, 200) and the retries that absorb it',
  logging: 'every step as an event, payloads safe to log',
  'circuit-breaker': 'a breaker opening on failures, refusing locally, closing after a trial',
  'time-budgets': 'attemptMs cutting a slow attempt, totalMs bounding a hanging server',
  'idempotent-post': 'POST sent once without a key, retried with the same key with one',
  'per-request': 'resilience options for one call only',
  'wrap-instance': 'wrapping an existing axios instance and its interceptors',
  prometheus: 'prometheusMetrics(): calls, retries and breakers served on /metrics',
  fleet: 'three processes, one dead backend, with and without a Redis fleet link (needs redis-server)',
  basic: 'the same as first-call (kept for old links)',
};

function usage(message: string): never {
  const names = Object.entries(SAMPLES)
    .map(([name, what]) => `  ${name.padEnd(16)} ${what}`)
    .join('\n');
  process.stderr.write(`${message}\n\nUsage: npm run sample -- <name>\n       npm run sample -- all\n\nSamples:\n${names}\n`);
  process.exit(2);
}

/** Runs a sample in its own process, so each one shows that it exits by itself. */
function runOne(name: string): number {
  const file = join(__dirname, `${name}.ts`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', file], { stdio: 'inherit' });
  if (result.error !== undefined) throw result.error;
  return result.status ?? 1;
}

function main(argv: readonly string[]): void {
  if (argv.length !== 1) usage(argv.length === 0 ? 'No sample named.' : `One sample at a time, got: ${argv.join(' ')}`);
  const name = argv[0];
  if (name === 'all') {
    for (const n of Object.keys(SAMPLES)) {
      if (n === 'basic') continue;
      process.stdout.write(`\n=== ${n}: ${SAMPLES[n]}\n`);
      const code = runOne(n);
      if (code !== 0) {
        process.exitCode = code;
        return;
      }
    }
    return;
  }
  if (!Object.prototype.hasOwnProperty.call(SAMPLES, name)) usage(`Unknown sample: ${name}`);
  process.exitCode = runOne(name);
}

main(process.argv.slice(2));
