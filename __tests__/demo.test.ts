/**
 * `npm run demo` as a user runs it (its own process, stdout not a TTY): a
 * short, seeded run prints progress and the summary, writes a self-contained
 * HTML report that shows the outage, and exits 0 by itself. The report, opened
 * in headless Chromium, fits a 420 px wide phone. Bad arguments print the usage
 * on stderr and exit with 2. The live view fits the terminal, even one that
 * reports 0 columns.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { BREAKER_COLORS } from '../samples/support/demo-report.js';
import { fitToWidth } from '../samples/support/terminal.js';
import { CHROMIUM_ARGS, chromiumExecutable } from './helpers/chromium.js';
import { ROOT, runTs } from './helpers/run-ts.js';
import type { Exit } from './helpers/run-ts.js';

const DEMO = join(ROOT, 'samples', 'demo.ts');

function run(args: readonly string[], killAfterMs = 20_000): Promise<Exit> {
  return runTs(DEMO, args, killAfterMs);
}

let dir = '';
let report = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'resilient-axios-demo-'));
  report = join(dir, 'report.html');
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

test('a 3 s seeded run: progress lines, the summary, a self-contained report showing the outage, exit 0', async () => {
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
  expect(html).toContain('<b class="state open">');
  expect(html).toContain('<b class="state closed">');
  expect(html).toContain(`fill="${BREAKER_COLORS.OPEN}"><title>OPEN `); // the breaker band shows the open period
  // Red means "failed" and nothing else: no breaker state wears the failed calls' colour.
  const failedColor = /background:(#[0-9a-f]{6})"><\/i>failed/.exec(html)?.[1];
  expect(failedColor).toMatch(/^#/);
  expect(Object.values(BREAKER_COLORS)).not.toContain(failedColor);
  // `failed` and `refused` are explained in words next to the numbers.
  expect(html).toContain('<b>failed</b>: reached the backend');
  expect(html).toContain('<b>refused</b>: the open breaker failed the call at once');
  // Self-contained: nothing fetched from anywhere.
  expect(html).not.toMatch(/\b(?:src|href)\s*=/i);
  expect(html).not.toMatch(/https?:\/\//);
  expect(html).not.toMatch(/<script/i);
}, 25_000);

test('the report fits a 420 px phone screen and a 1280 px desktop: nothing scrolls the page sideways', async () => {
  expect(existsSync(report)).toBe(true); // written by the test above
  const exe = await chromiumExecutable();
  const browser = await chromium.launch({ executablePath: exe.path, args: [...CHROMIUM_ARGS], timeout: 30_000 });
  try {
    for (const width of [420, 1280]) {
      const page = await browser.newPage({ viewport: { width, height: 800 } });
      await page.goto(`file://${report}`);
      const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, viewport: window.innerWidth }));
      expect({ width, ...widths }).toEqual({ width, page: width, viewport: width });
      await page.close();
    }
  } finally {
    await browser.close();
  }
}, 60_000);

describe('the live view fits the terminal', () => {
  const line = `\x1b[1m${'x'.repeat(20)}\x1b[0m ${'y'.repeat(150)}`;

  test.each([0, undefined, -1, Number.NaN])('a terminal reporting %p columns is taken as 120 wide, not 1', (columns) => {
    expect(fitToWidth(line, columns)).toBe(`${'x'.repeat(20)} ${'y'.repeat(98)}`);
    expect(fitToWidth('short \x1b[32mline\x1b[0m', columns)).toBe('short \x1b[32mline\x1b[0m');
  });

  test('a line is clipped to one less than the width (so it never wraps), losing its colours only when clipped', () => {
    expect(fitToWidth(line, 10)).toBe('x'.repeat(9));
    expect(fitToWidth('\x1b[32mok\x1b[0m', 10)).toBe('\x1b[32mok\x1b[0m');
    expect(fitToWidth(line, 1)).toBe('x');
  });
});

/** GETs `url` (loopback) and gives back the body. */
function fetchText(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve(body));
    }).on('error', reject);
  });
}

test('--metrics-port 0: both clients\u2019 Prometheus metrics are served while it runs, and the port closes with it', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', DEMO, '--duration', '2', '--seed', '1', '--report', join(dir, 'm.html'), '--metrics-port', '0'], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' },
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  let out = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  // The metrics URL is printed at the start; the first progress line comes after a second of calls.
  const printed = new Promise<string>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /Prometheus metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics)[\s\S]*\n\[/.exec(out);
      if (m !== null) resolve(m[1]);
    });
    child.on('close', () => reject(new Error(`exited before serving metrics:\n${out}\n${stderr}`)));
  });
  try {
    const url = await printed;
    const text = await fetchText(url);
    expect(text).toMatch(/^resilient_axios_calls_total\{client="inventory",method="(GET|PUT)",outcome="success",reason="none"\} \d+$/m);
    expect(text).toMatch(/^resilient_axios_calls_total\{client="pricing",method="(GET|POST)",outcome="success",reason="none"\} \d+$/m);
    expect(text).toMatch(/^resilient_axios_circuit_state\{client="inventory",key="http:\/\/127\.0\.0\.1:\d+"\} [012]$/m);
    expect(await exited).toBe(0);
    expect(stderr).toBe('');
    await expect(fetchText(url)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL'); // only when an expectation failed first
  }
}, 25_000);

test.each([
  [['--metrics-port', '70000'], "--metrics-port must be a port from 0 to 65535, got '70000'"],
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
