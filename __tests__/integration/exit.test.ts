/**
 * "A client holds no timer while no call is in flight: a script that made its
 * calls exits by itself, without dispose()." Checked on a real child process:
 * default attemptMs is 10 s and totalMs 30 s, so a timer left referenced would
 * keep the child alive well past the bound below.
 */
import { join } from 'node:path';
import { runTs } from '../helpers/run-ts.js';

const FIXTURE = join(__dirname, '..', 'fixtures', 'exits-by-itself.ts');
/** Startup (tsx) plus a few loopback calls take well under this; an unexited 10 s timer does not. */
const EXIT_WITHIN_MS = 8_000;

test('a script that made its calls (one retried, one failing after retries, one aborted mid-wait) exits by itself with code 0, without dispose()', async () => {
  const exit = await runTs(FIXTURE, [], 12_000);

  expect(exit.killed).toBe(false);
  expect({ code: exit.code, signal: exit.signal, stderr: exit.stderr }).toEqual({ code: 0, signal: null, stderr: '' });
  expect(exit.elapsedMs).toBeLessThan(EXIT_WITHIN_MS);
  const line = exit.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  expect(line).toBeDefined();
  const result = JSON.parse((line ?? '').slice('RESULT '.length)) as Record<string, unknown>;
  expect(result).toMatchObject({
    retriedStatus: 200,
    plainStatus: 200,
    refusedCode: 'ECONNREFUSED',
    abortedName: 'CanceledError',
    requests: 4,
  });
  expect(result.events).toEqual(['retry', 'retry', 'success', 'success', 'retry', 'retry', 'failure', 'retry', 'failure']);
}, 15_000);
