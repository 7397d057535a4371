/**
 * The core in a real browser: headless Chromium (driven by playwright-core)
 * runs a page whose script esbuild bundled from `lib/` with axios's browser
 * build. Against a loopback API on another origin (CORS) it checks, with the
 * xhr adapter and again with `adapter: 'fetch'`: a retried 503, `Retry-After`,
 * a deadline on a hanging request, an open circuit that sends nothing, and a
 * caller abort. Passing proves the core path uses no Node-only API.
 *
 * The browser is the headless Chromium inside the npm package
 * `@sparticuz/chromium` (a devDependency: `npm ci` installs it), or the one at
 * $CHROMIUM_PATH; see helpers/chromium.ts. SKIP_BROWSER_TESTS=1 skips the suite
 * (and says so loudly).
 */
import { join, relative } from 'node:path';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import type { BrowserAdapter, CallSummary, ErrorSummary } from './browser/entry.js';
import { CHROMIUM_ARGS, chromiumExecutable } from './helpers/chromium.js';
import { startServers } from './browser/server.js';
import type { BrowserServers } from './browser/server.js';

const ROOT = join(__dirname, '..');
const SKIP = process.env.SKIP_BROWSER_TESTS === '1';

if (SKIP) {
  const bar = '!'.repeat(78);
  console.warn(`${bar}\n!! SKIP_BROWSER_TESTS=1: the browser tests are SKIPPED. Nothing here checks that\n!! resilient-axios runs in a browser. Unset it to run them.\n${bar}`);
}

/** Bundles the page script as a browser would get it; returns the code and the files it pulled in. */
async function bundle(): Promise<{ code: string; inputs: string[] }> {
  const result = await esbuild.build({
    entryPoints: [join(__dirname, 'browser', 'entry.ts')],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'chrome120',
    write: false,
    metafile: true,
    sourcemap: 'inline',
    logLevel: 'silent',
  });
  return { code: result.outputFiles[0].text, inputs: Object.keys(result.metafile.inputs).map((f) => relative(ROOT, join(ROOT, f))) };
}

(SKIP ? describe.skip : describe)('in headless Chromium', () => {
  let servers: BrowserServers | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let inputs: string[] = [];
  const pageErrors: string[] = [];
  let counter = 0;
  const fresh = (): string => `c${++counter}`;

  beforeAll(async () => {
    const [exe, built] = await Promise.all([chromiumExecutable(), bundle()]);
    inputs = built.inputs;
    servers = await startServers(built.code);
    try {
      browser = await chromium.launch({ executablePath: exe.path, args: [...CHROMIUM_ARGS], timeout: 30_000 });
    } catch (err) {
      throw new Error(`Chromium at ${exe.path} (${exe.source}) did not start: ${String(err)}`);
    }
    page = await browser.newPage();
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    await page.goto(servers.pageUrl);
    await page.waitForFunction(() => typeof window.scenarios === 'object');
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await servers?.close();
    await esbuild.stop();
  });

  afterEach(() => {
    expect(pageErrors.splice(0)).toEqual([]);
  });

  test('the bundle holds axios\u2019s browser adapters, and neither its http adapter nor any Node built-in', () => {
    expect(inputs).toEqual(expect.arrayContaining(['node_modules/axios/lib/adapters/xhr.js', 'node_modules/axios/lib/adapters/fetch.js', 'lib/call/runner.ts']));
    expect(inputs.filter((f) => f.includes('adapters/http') || f.startsWith('node:') || f.includes('platform/node'))).toEqual([]);
  });

  test('the page is a browser: no process, Buffer, require or setImmediate', async () => {
    expect(await page.evaluate(() => window.scenarios.environment())).toEqual({ process: 'undefined', Buffer: 'undefined', require: 'undefined', setImmediate: 'undefined' });
  });

  describe.each<BrowserAdapter>(['xhr', 'fetch'])('adapter %s', (adapter) => {
    const api = (): string => (servers as BrowserServers).apiUrl;
    /** XMLHttpRequests a call of `requests` requests should open: all of them with xhr, none with fetch. */
    const xhr = (requests: number): number => (adapter === 'xhr' ? requests : 0);

    test('a logged rejection shows no secret in the console, and its config can still be replayed', async () => {
      const id = fresh();
      const secrets = ['S3CRET-AUTH-7c1', 'S3CRET-KEY-9a2', 'S3CRET-PASS-4d3', 'S3CRET-TOKEN-8e4', 'S3CRET-BODY-2f5'];
      const consoleText: string[] = [];
      const onConsole = (msg: { text(): string }): void => {
        consoleText.push(msg.text());
      };
      page.on('console', onConsole);
      try {
        const r = await page.evaluate(([base, a, i, s]) => window.scenarios.logged(base, a, i, s), [api(), adapter, id, secrets] as const);
        expect(r.replayable).toBe(true);
        const everything = [r.shown, ...consoleText].join('\n');
        expect(consoleText.length).toBeGreaterThanOrEqual(2);
        for (const secret of secrets) expect(everything).not.toContain(secret);
        expect(everything).toContain('[REDACTED]');
      } finally {
        page.off('console', onConsole);
      }
    });

    test('503 then 200: retried once, resolves with the 200', async () => {
      const id = fresh();
      const r: CallSummary = await page.evaluate(([base, a, i]) => window.scenarios.retry503(base, a, i), [api(), adapter, id] as const);
      expect(r.error).toBeNull();
      expect({ status: r.status, data: r.data, outcomes: r.outcomes }).toEqual({ status: 200, data: { hits: 2 }, outcomes: ['success after 2'] });
      expect(r.retries).toEqual([{ attempt: 1, status: 503, delayMs: expect.any(Number), retryAfterMs: null }]);
      expect(r.retries[0].delayMs).toBeLessThanOrEqual(50);
      expect(servers?.stats('flaky', id)).toMatchObject({ requests: 2 });
      expect(r.xhrOpened).toBe(xhr(2));
    });

    test('503 with Retry-After: 0 then 200: the server\u2019s value (read through CORS) replaces a 5 s backoff', async () => {
      const id = fresh();
      const r = await page.evaluate(([base, a, i]) => window.scenarios.retryAfter(base, a, i, 0), [api(), adapter, id] as const);
      expect(r.error).toBeNull();
      expect({ status: r.status, outcomes: r.outcomes }).toEqual({ status: 200, outcomes: ['success after 2'] });
      expect(r.retries).toEqual([{ attempt: 1, status: 503, delayMs: 0, retryAfterMs: 0 }]);
      expect(r.elapsedMs).toBeLessThan(3_000);
      expect(servers?.stats('retry-after', id)).toMatchObject({ requests: 2 });
      expect(r.xhrOpened).toBe(xhr(2));
    });

    test('503 with Retry-After: 1 then 200: waits the second the server asked for', async () => {
      const id = fresh();
      const r = await page.evaluate(([base, a, i]) => window.scenarios.retryAfter(base, a, i, 1), [api(), adapter, id] as const);
      expect(r.error).toBeNull();
      expect(r.retries).toEqual([{ attempt: 1, status: 503, delayMs: expect.any(Number), retryAfterMs: 1_000 }]);
      // The server's second plus a jitter of up to 10% of it, never less.
      expect(r.retries[0].delayMs).toBeGreaterThanOrEqual(1_000);
      expect(r.retries[0].delayMs).toBeLessThanOrEqual(1_100);
      const { arrivals } = servers?.stats('retry-after', id) ?? { arrivals: [] };
      expect(arrivals).toHaveLength(2);
      expect(arrivals[1] - arrivals[0]).toBeGreaterThanOrEqual(950);
    });

    test('a hanging request with timeBudget.totalMs 300 rejects with DeadlineExceededError near 300 ms, and the request is abandoned', async () => {
      const id = fresh();
      const r = await page.evaluate(([base, a, i]) => window.scenarios.deadline(base, a, i), [api(), adapter, id] as const);
      expect(r.error).toMatchObject<Partial<ErrorSummary>>({
        name: 'DeadlineExceededError',
        code: 'ERR_DEADLINE_EXCEEDED',
        isDeadlineExceededError: true,
        isAxiosError: true,
        isCancel: false,
        reason: 'deadline',
        totalMs: 300,
        attempts: 1,
      });
      expect(r.outcomes).toEqual(['failure (deadline) after 1']);
      expect(r.elapsedMs).toBeGreaterThanOrEqual(290);
      expect(r.elapsedMs).toBeLessThan(1_500);
      const stats = servers?.stats('hang', id);
      expect(stats?.requests).toBe(1);
      expect(r.xhrOpened).toBe(xhr(1));
      // The browser closes the connection when the request is aborted.
      await waitFor(() => stats?.abandoned === 1, 'the server to see the aborted connection close');
    });

    test('an open circuit refuses the second call with CircuitOpenError, and nothing reaches the server', async () => {
      const id = fresh();
      const r = await page.evaluate(([base, a, i]) => window.scenarios.circuit(base, a, i), [api(), adapter, id] as const);
      expect(r.first).toMatchObject<Partial<ErrorSummary>>({ name: 'AxiosError', status: 503, isCircuitOpenError: false, reason: 'not-retryable', attempts: 1 });
      expect(r.second).toMatchObject<Partial<ErrorSummary>>({
        name: 'CircuitOpenError',
        code: 'ERR_CIRCUIT_OPEN',
        isCircuitOpenError: true,
        isAxiosError: true,
        key: api(),
        reason: 'circuit-open',
        attempts: 0,
      });
      expect(r.second?.remainingMs).toBeGreaterThan(0);
      expect(r.events).toEqual([`circuit-open ${api()} after 1`, `circuit-reject ${api()}`]);
      expect(r.state).toBe('OPEN');
      expect(servers?.stats('fail', id)).toMatchObject({ requests: 1 });
      expect(r.xhrOpened).toBe(xhr(1));
    });

    test('the caller\u2019s AbortController rejects with axios\u2019s CanceledError, and the request is abandoned', async () => {
      const id = fresh();
      const r = await page.evaluate(([base, a, i]) => window.scenarios.abort(base, a, i), [api(), adapter, id] as const);
      expect(r.error).toMatchObject<Partial<ErrorSummary>>({ name: 'CanceledError', code: 'ERR_CANCELED', isCancel: true, isDeadlineExceededError: false, reason: 'aborted' });
      expect(r.outcomes).toEqual(['failure (aborted) after 1']);
      expect(r.elapsedMs).toBeGreaterThanOrEqual(90);
      expect(r.elapsedMs).toBeLessThan(2_000);
      const stats = servers?.stats('hang', id);
      expect(stats?.requests).toBe(1);
      expect(r.xhrOpened).toBe(xhr(1));
      await waitFor(() => stats?.abandoned === 1, 'the server to see the aborted connection close');
    });
  });
});

/** Polls `ok` every 10 ms for up to 2 s; fails naming what it waited for. */
async function waitFor(ok: () => boolean, what: string): Promise<void> {
  for (let waited = 0; waited < 2_000; waited += 10) {
    if (ok()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}
