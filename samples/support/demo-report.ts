/**
 * What the chaos demo records, the numbers it prints, and its HTML report: one
 * self-contained file (inline CSS and SVG, no script, no external asset, no
 * network) with a timeline per backend of calls, failures, retries and breaker
 * state, over the phases the backend went through.
 */

export type BreakerState = 'CLOSED' | 'OPEN' | 'HALF_OPEN';

/** Counts over one slice of time. */
export interface Bucket {
  /** Calls that succeeded, failed after reaching the network, or were refused locally, by the time they settled. */
  ok: number;
  failed: number;
  refused: number;
  /** Retries scheduled, and attempts sent, by the time they happened. */
  retries: number;
  attempts: number;
  /** Requests the backend received. */
  served: number;
}

export interface PhaseSpan {
  readonly name: string;
  readonly fromMs: number;
  readonly toMs: number;
  readonly kind: 'healthy' | 'outage' | 'recovery' | 'steady';
}

export interface Transition {
  readonly atMs: number;
  readonly state: BreakerState;
  /** For OPEN: what the trip rule counted. */
  readonly failures?: number;
}

export interface CallRecord {
  readonly endMs: number;
  readonly elapsedMs: number;
  readonly outcome: 'ok' | 'failed' | 'refused';
  readonly reason?: string;
}

/** Everything recorded about one backend. */
export class BackendRecorder {
  readonly calls: CallRecord[] = [];
  readonly retryTimes: number[] = [];
  readonly attemptTimes: number[] = [];
  readonly transitions: Transition[] = [];
  /** Why the `failed` calls failed (their failure events' `reason`); `refused` calls are not in here. */
  readonly reasons = new Map<string, number>();
  readonly retryCauses = new Map<string, number>();
  servedTimes: number[] = [];

  constructor(
    readonly name: string,
    readonly description: string,
    readonly phases: readonly PhaseSpan[],
  ) {}

  /** The breaker state at `ms` (CLOSED before the first transition). */
  stateAt(ms: number): BreakerState {
    let state: BreakerState = 'CLOSED';
    for (const t of this.transitions) {
      if (t.atMs > ms) break;
      state = t.state;
    }
    return state;
  }

  phaseAt(ms: number): PhaseSpan | undefined {
    return this.phases.find((p) => ms >= p.fromMs && ms < p.toMs) ?? this.phases[this.phases.length - 1];
  }
}

export interface Totals {
  readonly calls: number;
  readonly ok: number;
  readonly failed: number;
  readonly refused: number;
  readonly retries: number;
  readonly attempts: number;
  readonly served: number;
  /** Call durations (retries and waits included) of the calls that reached the network. */
  readonly p50: number;
  readonly p99: number;
  readonly opened: number;
  readonly closed: number;
}

/**
 * A failure reason in words, for readers who have not read the README: most
 * importantly, `circuit-open` on a *failed* call is a retry that the breaker
 * stopped (attempts were sent), unlike a *refused* call (nothing sent).
 */
export const REASON_WORDS: Readonly<Record<string, string>> = {
  exhausted: 'every attempt failed',
  'not-retryable': 'an error not worth retrying',
  deadline: 'the time budget ran out',
  'circuit-open': 'a retry stopped by the breaker opening',
  aborted: 'the caller gave up',
  'retry-after-too-long': 'the server asked to wait too long',
  'retry-budget': 'the retry budget was spent',
  'bulkhead-full': 'too many calls in flight',
  throttled: 'shed by adaptive throttling',
};

/** `exhausted 3 (every attempt failed), deadline 1 (...)`, or 'none'. */
export function reasonsInWords(reasons: ReadonlyMap<string, number>): string {
  const parts = [...reasons.entries()].map(([k, v]) => `${k} ${v}${REASON_WORDS[k] === undefined ? '' : ` (${REASON_WORDS[k]})`}`);
  return parts.length === 0 ? 'none' : parts.join(', ');
}

/** Nearest-rank percentile of `values` (0 when empty). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/** Totals over the calls settled since `fromMs` (default: all). */
export function totalsOf(r: BackendRecorder, fromMs = -Infinity): Totals {
  let ok = 0;
  let failed = 0;
  let refused = 0;
  const durations: number[] = [];
  for (const c of r.calls) {
    if (c.endMs < fromMs) continue;
    if (c.outcome === 'ok') ok++;
    else if (c.outcome === 'failed') failed++;
    else refused++;
    if (c.outcome !== 'refused') durations.push(c.elapsedMs);
  }
  const since = (times: readonly number[]): number => (fromMs === -Infinity ? times.length : times.filter((t) => t >= fromMs).length);
  return {
    calls: ok + failed + refused,
    ok,
    failed,
    refused,
    retries: since(r.retryTimes),
    attempts: since(r.attemptTimes),
    served: since(r.servedTimes),
    p50: percentile(durations, 50),
    p99: percentile(durations, 99),
    opened: r.transitions.filter((t) => t.state === 'OPEN' && t.atMs >= fromMs).length,
    closed: r.transitions.filter((t) => t.state === 'CLOSED' && t.atMs >= fromMs).length,
  };
}

export function bucketsOf(r: BackendRecorder, bucketMs: number, endMs: number): Bucket[] {
  const n = Math.max(1, Math.ceil(endMs / bucketMs));
  const buckets: Bucket[] = Array.from({ length: n }, () => ({ ok: 0, failed: 0, refused: 0, retries: 0, attempts: 0, served: 0 }));
  const at = (ms: number): Bucket => buckets[Math.min(n - 1, Math.max(0, Math.floor(ms / bucketMs)))];
  for (const c of r.calls) at(c.endMs)[c.outcome]++;
  for (const t of r.retryTimes) at(t).retries++;
  for (const t of r.attemptTimes) at(t).attempts++;
  for (const t of r.servedTimes) at(t).served++;
  return buckets;
}

// ---- HTML ---------------------------------------------------------------------

export interface ReportInput {
  readonly title: string;
  readonly seed: number;
  readonly durationMs: number;
  /** When the last call settled (the workload stops at durationMs, calls in flight finish). */
  readonly endMs: number;
  readonly startedAt: Date;
  readonly backends: readonly BackendRecorder[];
  /** One line per backend: the client settings, for the reader. */
  readonly settings: Readonly<Record<string, string>>;
}

/**
 * Two palettes that share no colour: calls (the bars) say how a call ended,
 * green / red / grey; the breaker (the band under each chart) is a scale of
 * blues, darker as it lets less through. So red only ever means "failed".
 */
const COLORS = {
  ok: '#2f9e55',
  failed: '#d64541',
  refused: '#9aa0a6',
  retries: '#f08c00',
  outage: '#fbe3e1',
  recovery: '#e3f4e8',
  healthy: '#ffffff',
  steady: '#ffffff',
} as const;
export const BREAKER_COLORS: Readonly<Record<BreakerState, string>> = { CLOSED: '#a9c8e8', HALF_OPEN: '#4f86c6', OPEN: '#1b3a66' };

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const fmtMs = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);
const fmtS = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

function niceMax(v: number): number {
  if (v <= 5) return 5;
  const pow = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * pow >= v) return m * pow;
  return 10 * pow;
}

function chart(r: BackendRecorder, input: ReportInput): string {
  const W = 960;
  const left = 48;
  const right = 16;
  const top = 26;
  const plotH = 170;
  const bandY = top + plotH + 26;
  const bandH = 22;
  const H = bandY + bandH + 34;
  const plotW = W - left - right;
  const endMs = Math.max(input.endMs, input.durationMs);
  const bucketMs = Math.max(100, Math.round(input.durationMs / 100 / 50) * 50);
  const buckets = bucketsOf(r, bucketMs, endMs);
  const x = (ms: number): number => left + (ms / endMs) * plotW;
  const yMax = niceMax(Math.max(1, ...buckets.map((b) => Math.max(b.ok + b.failed + b.refused, b.retries))));
  const y = (v: number): number => top + plotH - (v / yMax) * plotH;
  const out: string[] = [];
  out.push(`<div class="chart"><svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${esc(r.name)} timeline">`);
  out.push(`<title>${esc(r.name)}: calls, failures, retries and breaker state over time</title>`);

  // Phases, shaded behind everything.
  for (const p of r.phases) {
    const x0 = x(p.fromMs);
    const x1 = x(Math.min(p.toMs, endMs));
    out.push(`<rect x="${x0.toFixed(1)}" y="${top}" width="${(x1 - x0).toFixed(1)}" height="${plotH}" fill="${COLORS[p.kind]}"/>`);
    out.push(`<text x="${(x0 + 4).toFixed(1)}" y="${top - 8}" class="phase ${p.kind}">${esc(p.name)}</text>`);
  }

  // Grid and y axis.
  for (let i = 0; i <= 4; i++) {
    const v = (yMax / 4) * i;
    out.push(`<line x1="${left}" x2="${W - right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" class="grid"/>`);
    out.push(`<text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" class="axis" text-anchor="end">${Number.isInteger(v) ? v : v.toFixed(1)}</text>`);
  }
  out.push(`<text x="12" y="${top + plotH / 2}" class="axis" transform="rotate(-90 12 ${top + plotH / 2})" text-anchor="middle">calls per ${fmtMs(bucketMs)}</text>`);

  // Stacked bars: ok, failed, refused.
  const bw = (bucketMs / endMs) * plotW;
  buckets.forEach((b, i) => {
    const bx = left + i * bw;
    let base = 0;
    const tip = `${fmtS(i * bucketMs)}-${fmtS((i + 1) * bucketMs)}: ${b.ok} ok, ${b.failed} failed, ${b.refused} refused by the breaker, ${b.retries} retries, ${b.attempts} attempts sent, ${b.served} received by the server`;
    out.push(`<g><title>${esc(tip)}</title>`);
    for (const k of ['ok', 'failed', 'refused'] as const) {
      const v = b[k];
      if (v === 0) continue;
      out.push(`<rect x="${(bx + 0.5).toFixed(1)}" y="${y(base + v).toFixed(1)}" width="${Math.max(0.5, bw - 1).toFixed(1)}" height="${(y(base) - y(base + v)).toFixed(1)}" fill="${COLORS[k]}"/>`);
      base += v;
    }
    out.push(`<rect x="${bx.toFixed(1)}" y="${top}" width="${bw.toFixed(1)}" height="${plotH}" fill="transparent"/></g>`);
  });

  // Retries: a line over the bars.
  const pts = buckets.map((b, i) => `${(left + (i + 0.5) * bw).toFixed(1)},${y(b.retries).toFixed(1)}`).join(' ');
  out.push(`<polyline points="${pts}" fill="none" stroke="${COLORS.retries}" stroke-width="2" stroke-linejoin="round"/>`);

  // End of the workload.
  if (input.endMs > input.durationMs + 1) {
    const xd = x(input.durationMs);
    out.push(`<line x1="${xd.toFixed(1)}" x2="${xd.toFixed(1)}" y1="${top}" y2="${top + plotH}" class="stop"/>`);
  }

  // Breaker state band.
  out.push(`<text x="${left - 6}" y="${bandY + 15}" class="axis" text-anchor="end">breaker</text>`);
  const changes = [{ atMs: 0, state: 'CLOSED' as BreakerState }, ...r.transitions];
  changes.forEach((t, i) => {
    const from = t.atMs;
    const to = i + 1 < changes.length ? (changes[i + 1]).atMs : endMs;
    if (to <= from) return;
    const x0 = x(from);
    const w = x(to) - x0;
    out.push(`<rect x="${x0.toFixed(1)}" y="${bandY}" width="${Math.max(t.state === 'HALF_OPEN' ? 3 : 0.8, w).toFixed(1)}" height="${bandH}" fill="${BREAKER_COLORS[t.state]}"><title>${t.state} ${fmtS(from)}-${fmtS(to)}</title></rect>`);
    const label = t.state === 'HALF_OPEN' ? 'HALF' : t.state;
    if (w > label.length * 7 + 6) out.push(`<text x="${(x0 + w / 2).toFixed(1)}" y="${bandY + 15}" class="band ${t.state.toLowerCase()}" text-anchor="middle">${label}</text>`);
  });

  // Time axis.
  const step = endMs > 30_000 ? 5000 : endMs > 8000 ? 2000 : endMs > 4000 ? 1000 : 500;
  for (let t = 0; t <= endMs; t += step) {
    out.push(`<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${bandY + bandH}" y2="${bandY + bandH + 4}" class="grid"/>`);
    out.push(`<text x="${x(t).toFixed(1)}" y="${bandY + bandH + 17}" class="axis" text-anchor="middle">${t / 1000} s</text>`);
  }
  out.push('</svg></div>');
  return out.join('\n');
}

/** The columns of the totals table: header, and the cell of one backend. */
const COLUMNS: ReadonlyArray<readonly [string, (t: Totals, r: BackendRecorder) => string]> = [
  ['calls', (t) => String(t.calls)],
  ['ok', (t) => String(t.ok)],
  ['failed', (t) => String(t.failed)],
  ['refused', (t) => String(t.refused)],
  ['retries', (t) => String(t.retries)],
  ['attempts sent', (t) => String(t.attempts)],
  ['server received', (t) => String(t.served)],
  ['p50', (t) => fmtMs(t.p50)],
  ['p99', (t) => fmtMs(t.p99)],
  ['circuit opened', (t) => String(t.opened)],
  ['failed calls, by reason', (_t, r) => esc(reasonsInWords(r.reasons))],
];

/**
 * One row per backend. Below 640 px wide each row becomes a card (one line per
 * column, its name from `data-label`), so that the page never scrolls sideways.
 */
function table(input: ReportInput): string {
  const last = COLUMNS.length - 1;
  const rows = input.backends.map((r) => {
    const t = totalsOf(r);
    const cells = COLUMNS.map(([label, cell], i) => `<td data-label="${esc(label)}"${i === last ? ' class="left"' : ''}>${cell(t, r)}</td>`);
    return `<tr><th>${esc(r.name)}</th>${cells.join('')}</tr>`;
  });
  const head = COLUMNS.map(([label], i) => `<th${i === last ? ' class="left"' : ''}>${esc(label)}</th>`).join('');
  return `<table class="totals">
<thead><tr><th>backend</th>${head}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>
<p class="defs"><b>calls</b> = <b>ok</b> + <b>failed</b> + <b>refused</b>. <b>ok</b>: answered. <b>failed</b>: reached the backend (at least one attempt sent) and still failed; <b>failed calls, by reason</b> says why, where <code>circuit-open</code> is a retry that the breaker stopped when it opened. <b>refused</b>: the open breaker failed the call at once, locally, and nothing was sent; that is the breaker doing its job, not a failure of the backend. <b>attempts sent</b> = <b>server received</b>: every request the backend got, retries included.</p>`;
}

/** A breaker state as in the band: its colour as a swatch, its name in plain text. */
function stateChip(state: BreakerState): string {
  return `<b class="state ${state.toLowerCase()}"><i style="background:${BREAKER_COLORS[state]}"></i>${state}</b>`;
}

function transitionsList(r: BackendRecorder): string {
  if (r.transitions.length === 0) return '<p class="note">The breaker stayed CLOSED for the whole run.</p>';
  const items = r.transitions.map((t) => {
    const what =
      t.state === 'OPEN'
        ? `circuit ${stateChip('OPEN')}${t.failures === undefined ? '' : ` (${t.failures} failure${t.failures === 1 ? '' : 's'})`}: calls refused locally`
        : t.state === 'HALF_OPEN'
          ? `circuit ${stateChip('HALF_OPEN')}: a trial call goes through`
          : `circuit ${stateChip('CLOSED')}: traffic flows again`;
    const phase = r.phaseAt(t.atMs);
    return `<li><span class="t">${fmtS(t.atMs)}</span> ${what}${phase === undefined ? '' : ` <span class="note">(${esc(phase.name)})</span>`}</li>`;
  });
  return `<ol class="events">${items.join('')}</ol>`;
}

/** The whole report, one self-contained HTML page. */
export function renderReport(input: ReportInput): string {
  const sections = input.backends.map((r) => {
    const t = totalsOf(r);
    return `<section>
<h2>${esc(r.name)} <span class="note">${esc(r.description)}</span></h2>
<p class="settings"><code>${esc(input.settings[r.name] ?? '')}</code></p>
<p>${t.calls} calls: <b>${t.ok}</b> ok, <b>${t.failed}</b> failed, <b>${t.refused}</b> refused by the open breaker; ${t.retries} retries; p50 ${fmtMs(t.p50)}, p99 ${fmtMs(t.p99)}; circuit opened ${t.opened} time${t.opened === 1 ? '' : 's'}, closed ${t.closed} time${t.closed === 1 ? '' : 's'}.</p>
${chart(r, input)}
${transitionsList(r)}
</section>`;
  });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(input.title)}</title>
<style>
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; margin: 24px auto; max-width: 1000px; padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 17px; margin: 28px 0 4px; }
.note { color: #6a737d; font-weight: normal; font-size: 13px; }
table { border-collapse: collapse; width: 100%; margin: 12px 0; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid #e1e4e8; padding: 5px 8px; text-align: right; white-space: nowrap; } td.left { white-space: normal; } .left { text-align: left; }
thead th { background: #f6f8fa; font-weight: 600; white-space: normal; } tbody th { text-align: left; }
.chart { overflow-x: auto; } svg { display: block; margin: 6px 0; background: #fff; }
svg text { font: 11px system-ui, sans-serif; fill: #57606a; } svg text.band { font-weight: 600; fill: #fff; } svg text.band.closed { fill: ${BREAKER_COLORS.OPEN}; }
svg .phase { font-weight: 600; } svg .phase.outage { fill: #b3261e; } svg .phase.recovery { fill: #1a7f37; }
svg .grid { stroke: #eaecef; } svg .stop { stroke: #57606a; stroke-dasharray: 4 3; }
.legend span { display: inline-block; margin-right: 16px; } .legend i { display: inline-block; width: 12px; height: 12px; margin-right: 5px; vertical-align: -1px; border-radius: 2px; }
.legend b { font-weight: 600; margin-right: 8px; }
ol.events { columns: 2; font-size: 13px; padding-left: 20px; } .t { font-variant-numeric: tabular-nums; color: #57606a; display: inline-block; width: 52px; }
b.state i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; border-radius: 2px; vertical-align: 0; }
.defs { font-size: 13px; color: #424a53; }
code { font-size: 12px; background: #f6f8fa; padding: 2px 4px; border-radius: 3px; overflow-wrap: anywhere; }
@media (max-width: 640px) {
  body { margin: 12px auto; padding: 0 10px; }
  table.totals thead { display: none; }
  table.totals, table.totals tbody, table.totals tr, table.totals th, table.totals td { display: block; width: auto; }
  table.totals tr { border: 1px solid #e1e4e8; border-radius: 6px; margin: 0 0 10px; }
  table.totals tbody th { background: #f6f8fa; }
  table.totals td { display: flex; justify-content: space-between; gap: 12px; white-space: normal; text-align: right; }
  table.totals td::before { content: attr(data-label); color: #57606a; text-align: left; }
  .chart svg { min-width: 720px; }
  ol.events { columns: 1; }
}
</style>
</head>
<body>
<h1>${esc(input.title)}</h1>
<p class="note">${fmtS(input.durationMs)} of workload (calls in flight then finished: ${fmtS(input.endMs)} in all), seed ${input.seed} (<code>npm run demo -- --seed ${input.seed}</code> repeats it as far as timing allows), run ${esc(input.startedAt.toISOString())}.</p>
${table(input)}
<p class="legend"><b>Calls (bars):</b><span><i style="background:${COLORS.ok}"></i>ok</span><span><i style="background:${COLORS.failed}"></i>failed (after its retries)</span><span><i style="background:${COLORS.refused}"></i>refused by the open breaker (nothing sent)</span><span><i style="background:${COLORS.retries}"></i>retries (line)</span><span><i style="background:${COLORS.outage};border:1px solid #e0b4b0"></i>outage phase</span></p>
<p class="legend"><b>Breaker (band under each chart):</b><span><i style="background:${BREAKER_COLORS.CLOSED}"></i>CLOSED: calls go through</span><span><i style="background:${BREAKER_COLORS.HALF_OPEN}"></i>HALF_OPEN: trial calls</span><span><i style="background:${BREAKER_COLORS.OPEN}"></i>OPEN: calls refused</span></p>
${sections.join('\n')}
<p class="note">What to look for: during an outage the breaker opens after a few failures and calls are refused locally at once (grey) instead of piling up timeouts against a broken backend; every <code>openMs</code> one trial call probes it (HALF_OPEN), and the first trial that succeeds closes the breaker. The gap between the end of the outage and the close is the price of <code>openMs</code>. <code>Retry-After</code> waits show in pricing's p99. Bars count calls by the time they settled; hover a bar for its numbers. Every call is one <code>success</code> or <code>failure</code> event; retries, attempts and breaker changes come from the <code>retry</code>, <code>attempt</code> and <code>circuit-*</code> events; "server received" is what the fault server counted.</p>
</body>
</html>
`;
}
