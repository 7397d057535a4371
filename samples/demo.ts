/**
 * The chaos demo: `npm run demo [-- --duration <s>] [--seed <n>] [--report <path>]`.
 *
 * Starts two fault servers on 127.0.0.1 and drives a small, realistic workload
 * through two `ResilientClient`s for about 20 s:
 *
 * - inventory: healthy, then an outage (503s, connection resets, requests that
 *   never get an answer), then recovery. Its circuit breaker opens during the
 *   outage, probes with trial calls, and closes once the backend is back;
 *   attempts that hang are cut by the time budget.
 * - pricing: steady, with occasional 429 + Retry-After (delta-seconds and
 *   HTTP-date forms) that the client waits out, and a heavy tail (5% of
 *   answers take 300-600 ms) that hedging cuts: a quote read that has not
 *   answered after 80 ms gets a second copy, and the first answer wins.
 *
 * `--metrics-port <n>` serves both clients' Prometheus metrics
 * (`resilient-axios/prometheus`) on http://127.0.0.1:<n>/metrics while it runs.
 *
 * Live progress on a terminal (redrawn in place), a line every few seconds
 * otherwise; a summary table at the end, and a self-contained HTML report.
 * Exits by itself (nothing disposed, no timer left). Bad arguments: usage on
 * stderr, exit code 2.
 */
import { statSync, writeFileSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Registry } from 'prom-client';
import { ResilientClient } from '../lib/index.js';
import type { ResilientClientConfig } from '../lib/index.js';
import { prometheusMetrics } from '../lib/prometheus/index.js';
import { BackendRecorder, percentile, reasonsInWords, renderReport, totalsOf } from './support/demo-report.js';
import type { BreakerState, PhaseSpan } from './support/demo-report.js';
import { fault, seededRandom, startFaultServer } from './support/fault-server.js';
import type { FaultServer } from './support/fault-server.js';
import { serveMetrics } from './support/metrics-server.js';
import type { MetricsServer } from './support/metrics-server.js';
import { fitToWidth } from './support/terminal.js';

// ---- arguments ----------------------------------------------------------------

interface DemoOptions {
  readonly durationS: number;
  readonly seed: number;
  readonly report: string;
  /** Serve Prometheus metrics on this port while running (0: any free one). */
  readonly metricsPort: number | undefined;
}

const USAGE = `Usage: npm run demo -- [--duration <seconds>] [--seed <n>] [--report <path>] [--metrics-port <n>]

  --duration <seconds>  how long the workload runs, 1 to 600 (default 20)
  --seed <n>            integer seed for a repeatable run (default: random, printed)
  --report <path>       where to write the HTML report (default ./demo-report.html)
  --metrics-port <n>    serve Prometheus metrics on http://127.0.0.1:<n>/metrics while running (0: a free port)
  --help                this text`;

class UsageError extends Error {}

function parseArgs(argv: readonly string[]): DemoOptions | 'help' {
  let durationS = 20;
  let seed: number | undefined;
  let report = 'demo-report.html';
  let metricsPort: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return 'help';
    if (!arg.startsWith('--')) throw new UsageError(`Unexpected argument: ${arg}`);
    const eq = arg.indexOf('=');
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    if (flag !== '--duration' && flag !== '--seed' && flag !== '--report' && flag !== '--metrics-port') throw new UsageError(`Unknown option: ${flag}`);
    let value: string | undefined;
    if (eq !== -1) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`${flag} needs a value`);
      i++;
    }
    if (flag === '--duration') {
      const n = value.trim() === '' ? NaN : Number(value);
      if (!Number.isFinite(n) || n < 1 || n > 600) throw new UsageError(`--duration must be a number of seconds from 1 to 600, got '${value}'`);
      durationS = n;
    } else if (flag === '--seed') {
      const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
      if (!Number.isSafeInteger(n) || n > 0xffffffff) throw new UsageError(`--seed must be an integer from 0 to 4294967295, got '${value}'`);
      seed = n;
    } else if (flag === '--metrics-port') {
      const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
      if (!(n <= 65_535)) throw new UsageError(`--metrics-port must be a port from 0 to 65535, got '${value}'`);
      metricsPort = n;
    } else {
      if (value.trim() === '') throw new UsageError('--report needs a file path');
      const dir = dirname(resolvePath(value));
      let isDir = false;
      try {
        isDir = statSync(dir).isDirectory();
      } catch {
        isDir = false;
      }
      if (!isDir) throw new UsageError(`--report: no such directory: ${dir}`);
      report = value;
    }
  }
  return { durationS, seed: seed ?? Math.floor(Math.random() * 100_000), report, metricsPort };
}

// ---- the workload -------------------------------------------------------------

interface Backend {
  readonly recorder: BackendRecorder;
  readonly server: FaultServer;
  readonly client: ResilientClient;
  readonly settings: string;
  /** One call of the workload. */
  readonly call: (rnd: () => number) => Promise<unknown>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function instrument(client: ResilientClient, recorder: BackendRecorder, now: () => number): void {
  client.on('attempt', () => recorder.attemptTimes.push(now()));
  client.on('retry', (e) => {
    recorder.retryTimes.push(now());
    const cause = String(e.status ?? e.code ?? 'other');
    recorder.retryCauses.set(cause, (recorder.retryCauses.get(cause) ?? 0) + 1);
  });
  client.on('success', (e) => recorder.calls.push({ endMs: now(), elapsedMs: e.elapsedMs, outcome: 'ok' }));
  client.on('failure', (e) => {
    const outcome = e.reason === 'circuit-open' && e.attempts === 0 ? 'refused' : 'failed';
    recorder.calls.push({ endMs: now(), elapsedMs: e.elapsedMs, outcome, reason: e.reason });
    if (outcome === 'failed') recorder.reasons.set(e.reason, (recorder.reasons.get(e.reason) ?? 0) + 1);
  });
  const state = (s: BreakerState, failures?: number): void => {
    recorder.transitions.push(failures === undefined ? { atMs: now(), state: s } : { atMs: now(), state: s, failures });
  };
  client.on('circuit-open', (e) => state('OPEN', e.failures));
  client.on('circuit-half-open', () => state('HALF_OPEN'));
  client.on('circuit-close', () => state('CLOSED'));
}

async function startBackends(durationMs: number, seed: number, now: () => number): Promise<Backend[]> {
  // inventory: healthy for 30% of the run, down for 25%, then back.
  const outageFrom = Math.round(durationMs * 0.3);
  const outageTo = Math.round(durationMs * 0.55);
  const openMs = Math.min(2_000, Math.max(250, Math.round(durationMs / 10)));
  const inventoryPhases: PhaseSpan[] = [
    { name: 'healthy', fromMs: 0, toMs: outageFrom, kind: 'healthy' },
    { name: 'outage', fromMs: outageFrom, toMs: outageTo, kind: 'outage' },
    { name: 'recovery', fromMs: outageTo, toMs: durationMs, kind: 'recovery' },
  ];
  const inventoryServer = await startFaultServer({
    seed,
    routes: {
      '/items/*': fault.phases([
        { name: 'healthy', for: outageFrom, fault: fault.latency([5, 30], fault.flaky(0.04)) },
        // The outage: mostly 503, some resets, some requests never answered.
        { name: 'outage', for: outageTo - outageFrom, fault: fault.random(0.6, fault.status(503), fault.random(0.5, fault.reset(), fault.hang())) },
        { name: 'recovery', fault: fault.latency([5, 30]) }, // back to health: the first trial call closes the breaker
      ]),
    },
  });
  const inventoryConfig: ResilientClientConfig = {
    baseURL: inventoryServer.url,
    retry: { maxAttempts: 3, backoff: { baseMs: 50, maxMs: 500 } },
    timeBudget: { totalMs: 2_000, attemptMs: 300 },
    circuitBreaker: { trip: { type: 'consecutive', failures: 5 }, openMs },
    random: seededRandom(seed + 1),
  };

  // pricing: steady; about 6% of requests get 429 + Retry-After: 1 (half as delta-seconds, half as an
  // HTTP-date), about 2% never get an answer (cut by attemptMs and retried), about 2% a plain 503;
  // answers take 10-40 ms, but 5% take 300-600 ms (a heavy tail: quote reads are hedged after 80 ms).
  const tooMany = fault.random(0.5, fault.retryAfter(429, 1, 'delta'), fault.retryAfter(429, 1, 'date'));
  const answer = fault.random(0.06, tooMany, fault.random(0.02, fault.hang(), fault.flaky(0.02)));
  const pricingServer = await startFaultServer({
    seed: seed + 2,
    routes: {
      '/quotes*': fault.random(0.05, fault.latency([300, 600], answer), fault.latency([10, 40], answer)),
    },
  });
  const pricingConfig: ResilientClientConfig = {
    baseURL: pricingServer.url,
    retry: { maxAttempts: 3, backoff: { baseMs: 50 }, retryAfter: { maxMs: 3_000 }, idempotencyKey: true },
    hedge: { delayMs: 80 }, // GET only (the retry methods): POST /quotes is never hedged
    timeBudget: { totalMs: 4_000, attemptMs: 500 },
    circuitBreaker: { trip: { type: 'consecutive', failures: 5 }, openMs },
    random: seededRandom(seed + 3),
  };

  const inventory = new BackendRecorder('inventory', 'healthy, then an outage (503s, resets, hangs), then recovery', inventoryPhases);
  const pricing = new BackendRecorder('pricing', 'steady, occasional 429 with Retry-After, the odd request never answered', [{ name: 'steady (occasional 429 + Retry-After, hangs)', fromMs: 0, toMs: durationMs, kind: 'steady' }]);
  const inventoryClient = new ResilientClient(inventoryConfig);
  const pricingClient = new ResilientClient(pricingConfig);
  instrument(inventoryClient, inventory, now);
  instrument(pricingClient, pricing, now);

  const describe = (c: ResilientClientConfig): string => JSON.stringify({ retry: c.retry, timeBudget: c.timeBudget, circuitBreaker: c.circuitBreaker, hedge: c.hedge });
  return [
    {
      recorder: inventory,
      server: inventoryServer,
      client: inventoryClient,
      settings: describe(inventoryConfig),
      call: (rnd) => {
        const id = 1 + Math.floor(rnd() * 500);
        return rnd() < 0.8 ? inventoryClient.get(`/items/${id}`) : inventoryClient.put(`/items/${id}/reservation`, { qty: 1 });
      },
    },
    {
      recorder: pricing,
      server: pricingServer,
      client: pricingClient,
      settings: describe(pricingConfig),
      call: (rnd) => {
        const sku = `sku-${1 + Math.floor(rnd() * 200)}`;
        return rnd() < 0.85 ? pricingClient.get(`/quotes/${sku}`) : pricingClient.post('/quotes', { sku, qty: 2 });
      },
    },
  ];
}

// ---- progress -----------------------------------------------------------------

const useColor = process.stdout.isTTY && process.env.NO_COLOR === undefined;
const paint = (code: string, text: string): string => (useColor ? `\x1b[${code}m${text}\x1b[0m` : text);
const stateText = (s: BreakerState | undefined): string => {
  const t = s ?? '-';
  return s === 'OPEN' ? paint('31;1', t.padEnd(9)) : s === 'HALF_OPEN' ? paint('33;1', t.padEnd(9)) : paint('32', t.padEnd(9));
};
const ms = (v: number): string => `${Math.round(v)} ms`;

/** Live lines: cumulative counts, latency over the last 3 s. */
function progressLines(backends: readonly Backend[], nowMs: number, durationMs: number, seed: number): string[] {
  const lines = [
    `${paint('1', 'resilient-axios chaos demo')}  ${(Math.min(nowMs, durationMs) / 1000).toFixed(1)} s / ${durationMs / 1000} s  seed ${seed}  (latency over the last 3 s)`,
    `${'backend'.padEnd(10)} ${'phase'.padEnd(9)} ${'calls'.padStart(6)} ${'ok'.padStart(6)} ${'failed'.padStart(6)} ${'refused'.padStart(7)} ${'retries'.padStart(7)}  ${'breaker'.padEnd(9)} ${'p50'.padStart(7)} ${'p99'.padStart(8)}`,
  ];
  for (const b of backends) {
    const t = totalsOf(b.recorder);
    const recent = b.recorder.calls.filter((c) => c.endMs >= nowMs - 3000 && c.outcome !== 'refused').map((c) => c.elapsedMs);
    const phase = b.recorder.phaseAt(Math.min(nowMs, durationMs - 1))?.name.split(' ')[0] ?? '';
    lines.push(
      `${b.recorder.name.padEnd(10)} ${(phase === 'outage' ? paint('31', phase.padEnd(9)) : phase.padEnd(9))} ${String(t.calls).padStart(6)} ${String(t.ok).padStart(6)} ${String(t.failed).padStart(6)} ${String(t.refused).padStart(7)} ${String(t.retries).padStart(7)}  ${stateText(b.client.circuit()?.state)} ${ms(percentile(recent, 50)).padStart(7)} ${ms(percentile(recent, 99)).padStart(8)}`,
    );
  }
  return lines.map(fit);
}

/** Clips a line to the terminal width (120 when the terminal reports none, or 0 columns). */
function fit(line: string): string {
  return fitToWidth(line, process.stdout.columns);
}

function progressLine(backends: readonly Backend[], nowMs: number): string {
  const parts = backends.map((b) => {
    const t = totalsOf(b.recorder);
    const recent = b.recorder.calls.filter((c) => c.endMs >= nowMs - 3000 && c.outcome !== 'refused').map((c) => c.elapsedMs);
    return `${b.recorder.name}: ${t.calls} calls, ${t.ok} ok, ${t.failed} failed, ${t.refused} refused, ${t.retries} retries, breaker ${b.client.circuit()?.state}, p50 ${ms(percentile(recent, 50))}, p99 ${ms(percentile(recent, 99))}`;
  });
  return `[${(nowMs / 1000).toFixed(1).padStart(5)} s] ${parts.join(' | ')}`;
}

// ---- summary ------------------------------------------------------------------

function summary(backends: readonly Backend[], endMs: number, durationMs: number, seed: number): string {
  const head = ['backend', 'calls', 'ok', 'failed', 'refused', 'retries', 'attempts', 'server rx', 'p50', 'p99', 'opened', 'closed'];
  const rows = backends.map((b) => {
    const t = totalsOf(b.recorder);
    return [b.recorder.name, t.calls, t.ok, t.failed, t.refused, t.retries, t.attempts, t.served, ms(t.p50), ms(t.p99), t.opened, t.closed].map(String);
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i]).length)));
  const fmt = (cells: readonly string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const lines = [
    '',
    `Summary: ${(durationMs / 1000).toFixed(1)} s of workload, ${(endMs / 1000).toFixed(1)} s in all, seed ${seed}`,
    fmt(head),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map(fmt),
    '',
  ];
  for (const b of backends) {
    const r = b.recorder;
    const causes = [...r.retryCauses.entries()].map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
    lines.push(`${r.name}: failed calls by reason: ${reasonsInWords(r.reasons)}; retries after: ${causes}`);
    if (b.client.settings.hedge !== false) {
      const h = b.client.stats().hedges;
      const refused = Object.entries(h.refused).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ') || 'none';
      lines.push(`${r.name}: hedged copies sent ${h.sent}, won ${h.won}; not sent: ${refused}`);
    }
    const opens = r.transitions.filter((t) => t.state === 'OPEN');
    const closes = r.transitions.filter((t) => t.state === 'CLOSED');
    if (opens.length > 0) {
      const first = opens[0] as { atMs: number };
      const last = closes[closes.length - 1];
      lines.push(
        `${r.name}: circuit opened at ${(first.atMs / 1000).toFixed(1)} s` +
          (last === undefined ? ', still open at the end' : `, closed for good at ${(last.atMs / 1000).toFixed(1)} s`) +
          ` (${opens.length} open period${opens.length === 1 ? '' : 's'})`,
      );
    }
  }
  lines.push('failed: reached the backend and still failed (circuit-open here: a retry the breaker stopped when it opened)');
  lines.push('refused: failed at once by the open breaker, nothing sent; attempts = requests sent = server rx (what the server counted)');
  return lines.join('\n');
}

// ---- main ---------------------------------------------------------------------

async function run(opts: DemoOptions): Promise<void> {
  const durationMs = Math.round(opts.durationS * 1000);
  const t0 = performance.now();
  const now = (): number => performance.now() - t0;
  const backends = await startBackends(durationMs, opts.seed, now);
  for (const b of backends) b.server.reset(); // the servers' phase clocks start with the workload
  const tty = process.stdout.isTTY === true;
  console.log(`resilient-axios chaos demo: ${opts.durationS} s, seed ${opts.seed}, backends ${backends.map((b) => `${b.recorder.name} (${b.server.url})`).join(', ')}`);
  let metrics: MetricsServer | undefined;
  if (opts.metricsPort !== undefined) {
    const registry = new Registry();
    for (const b of backends) prometheusMetrics(b.client, { registry, name: b.recorder.name });
    metrics = await serveMetrics(registry, opts.metricsPort);
    console.log(`Prometheus metrics on ${metrics.url}`);
  }

  // Progress: redrawn in place on a terminal, a line every few seconds otherwise.
  let drawn = 0;
  const draw = (): void => {
    const lines = progressLines(backends, now(), durationMs, opts.seed);
    const up = drawn > 0 ? `\x1b[${drawn}F` : '';
    process.stdout.write(up + lines.map((l) => `\x1b[2K${l}`).join('\n') + '\n');
    drawn = lines.length;
  };
  const every = tty ? 250 : Math.min(5000, Math.max(1000, Math.round(durationMs / 5 / 1000) * 1000));
  const ticker = setInterval(() => (tty ? draw() : console.log(progressLine(backends, now()))), every);
  const restoreCursor = (): void => {
    if (tty) process.stdout.write('\x1b[?25h');
  };
  const onSigint = (): void => {
    restoreCursor();
    process.exit(130);
  };
  if (tty) {
    process.stdout.write('\x1b[?25l');
    process.once('SIGINT', onSigint);
    draw();
  }

  // A few concurrent callers per backend, each: call, think 20-80 ms, repeat, until the time is up.
  const callers: Promise<void>[] = [];
  backends.forEach((b, bi) => {
    for (let c = 0; c < 3; c++) {
      const rnd = seededRandom(opts.seed * 97 + bi * 10 + c);
      callers.push(
        (async () => {
          await sleep(rnd() * 50);
          while (now() < durationMs) {
            await b.call(rnd).catch(() => undefined); // every outcome is recorded by the events
            await sleep(20 + rnd() * 60);
          }
        })(),
      );
    }
  });
  await Promise.all(callers);
  const endMs = now();
  clearInterval(ticker);
  if (tty) {
    draw();
    restoreCursor();
    process.off('SIGINT', onSigint);
  }
  for (const b of backends) {
    b.recorder.servedTimes = b.server.requests.map((r) => r.atMs);
    await b.server.close();
  }
  await metrics?.close();

  console.log(summary(backends, endMs, durationMs, opts.seed));
  const reportPath = resolvePath(opts.report);
  const html = renderReport({
    title: 'resilient-axios chaos demo',
    seed: opts.seed,
    durationMs,
    endMs,
    startedAt: new Date(Date.now() - endMs),
    backends: backends.map((b) => b.recorder),
    settings: Object.fromEntries(backends.map((b) => [b.recorder.name, b.settings])),
  });
  writeFileSync(reportPath, html);
  console.log(`\nReport written to ${reportPath} (open it in a browser)`);
}

function main(): void {
  let opts: DemoOptions | 'help';
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`demo: ${err.message}\n\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (opts === 'help') {
    console.log(USAGE);
    return;
  }
  run(opts).catch((err: unknown) => {
    if (process.stdout.isTTY) process.stdout.write('\x1b[?25h');
    console.error(err);
    process.exitCode = 1;
  });
}

main();
