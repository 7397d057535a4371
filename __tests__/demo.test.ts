/**
 * `npm run demo` as a user runs it (its own process, stdout not a TTY): a
 * short, seeded run prints progress and the summary, writes a self-contained
 * HTML report that shows the outage, and exits 0 by itself. Bad arguments
 * print the usage on stderr and exit with 2.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runTs } from './helpers/run-ts.js';
import type { Exit } from './helpers/run-ts.js';

const DEMO = join(ROOT, 'samples', 'demo.ts');

function run(args: readonly string[], killAfterMs = 20_000): Promise<Exit> {
  return runTs(DEMO, args, killAfterMs);
}

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'resilient-axios-demo-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

test('a 3 s seeded run: progress lines, the summary, a self-contained report showing the outage, exit 0', async () => {
  const report = join(dir, 'report.html');
  const exit = await run(['--duration', '3', '--seed', '1', '--report', report]);

  expect({ code: exit.code, signal: exit.signal, stderr: exit.stderr }).toEqual({ code: 0, signal: null, stderr: '' });
  expect(exit.elapsedMs).toBeLessThan(15_000); // 3 s of workload, calls in flight finish, tsx startup

  const out = exit.stdout;
  expect(out).toContain('resilient-axios chaos demo: 3 s, seed 1');
  expect(out).toMatch(/^\[ {2}\d\.\d s\] inventory: \d+ calls, .* \| pricing: \d+ calls/m); // not a TTY: plain progress lines
  expect(out).toContain('Summary: 3.0 s of workload');
  // The table: attempts sent = what the server received, per backend.
  for (const name of ['inventory', 'pricing']) {
    const row = out.split('\n').find((l) => l.startsWith(`${name} `) && /\d+ ms/.test(l));
    expect(row).toBeDefined();
    const cells = (row ?? '').trim().split(/\s{2,}/);
    const [, calls, ok, failed, refused, , attempts, served] = cells.map(Number);
    expect(calls).toBeGreaterThan(20);
    expect((ok ?? 0) + (failed ?? 0) + (refused ?? 0)).toBe(calls);
    expect(attempts).toBe(served);
  }
  expect(out).toMatch(/inventory: circuit opened at \d+\.\d s, closed for good at \d+\.\d s/);
  expect(out).toContain(`Report written to ${report}`);

  const html = readFileSync(report, 'utf8');
  expect(html.startsWith('<!doctype html>')).toBe(true);
  expect(html.match(/<svg /g)).toHaveLength(2); // one timeline per backend
  expect(html).toContain('inventory');
  expect(html).toContain('pricing');
  expect(html).toContain('outage');
  expect(html).toContain('circuit <b class="open">OPEN</b>');
  expect(html).toContain('circuit <b class="closed">CLOSED</b>');
  expect(html).toMatch(/<rect [^>]*fill="#d64541"><title>OPEN /); // the breaker band shows the open period
  // Self-contained: nothing fetched from anywhere.
  expect(html).not.toMatch(/\b(?:src|href)\s*=/i);
  expect(html).not.toMatch(/https?:\/\//);
  expect(html).not.toMatch(/<script/i);
}, 25_000);

test.each([
  [['--bogus'], 'Unknown option: --bogus'],
  [['--duration', 'abc'], "--duration must be a number of seconds from 1 to 600, got 'abc'"],
  [['--seed', '1.5'], "--seed must be an integer from 0 to 4294967295, got '1.5'"],
  [['--duration'], '--duration needs a value'],
])('bad input %j: usage on stderr, nothing on stdout, exit code 2', async (args, message) => {
  const exit = await run(args);
  expect(exit.code).toBe(2);
  expect(exit.stdout).toBe('');
  expect(exit.stderr).toContain(message);
  expect(exit.stderr).toContain('Usage: npm run demo -- [--duration <seconds>] [--seed <n>] [--report <path>]');
});
