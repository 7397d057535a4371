/** Small numeric and formatting helpers shared by the scenarios. */

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Nearest-rank percentile, p in [0, 100]. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.min(s.length, Math.max(1, Math.ceil((p / 100) * s.length)));
  return s[rank - 1];
}

/** Seeded uniform [0, 1) generator (mulberry32): the same failures for every contender. */
export { seededRandom as seeded } from '../samples/support/seeded-random.js';

/** Runs `total` async jobs with at most `width` in flight. */
export async function pool(total: number, width: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total) await job(next++);
  };
  await Promise.all(Array.from({ length: Math.min(width, total) }, worker));
}

/** Fixed-point number, or n/a. */
export function fmt(x: number | undefined, digits = 2): string {
  return x === undefined || Number.isNaN(x) ? 'n/a' : x.toFixed(digits);
}

/** Integer with thousands separators. */
export function int(x: number): string {
  return Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : 'n/a';
}

/** "value ✓" or "value ✗ (target)". */
export function check(ok: boolean, target: string): string {
  return ok ? `✓ ${target}` : `✗ ${target}`;
}

/** A markdown table. */
export function table(head: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

/** CPU time (user + system) in µs since `since`. */
export function cpuMicros(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return d.user + d.system;
}
