/**
 * Summary of a .cpuprofile: `npx tsx bench/profile-top.ts <files...> [n] [--calls=N]`.
 * Top functions by self time, lib/ functions by total time (self + callees:
 * what the engine's entry points cost), and self time by module. With
 * --calls=N, times are also given in µs per call. Given several files (tsx's
 * loader thread writes its own), reads the largest: the main thread's.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

const args = process.argv.slice(2);
const count = Number(args.find((a) => /^\d+$/.test(a)) ?? '25');
const calls = Number(args.find((a) => a.startsWith('--calls='))?.slice('--calls='.length) ?? '0');
const file = args.filter((a) => a.endsWith('.cpuprofile')).sort((a, b) => statSync(b).size - statSync(a).size)[0];
if (file === undefined) {
  console.error('usage: tsx bench/profile-top.ts <file.cpuprofile>... [n] [--calls=N]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

/** Our code is `lib/` whether it ran from the sources or built (`dist/cjs`, as the bench runs it). */
const short = (url: string): string => url.replace('file://', '').replace(/.*\/(node_modules\/((@[^/]+\/)?[^/]+)|lib|dist\/cjs)\//, (_m, _a, mod: string | undefined) => (mod === undefined ? 'lib/' : `${mod}/`));
const ours = (url: string): boolean => (url.includes('/lib/') || url.includes('/dist/cjs/')) && !url.includes('/node_modules/');
const label = (n: ProfileNode): string => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url === '' ? '' : path.basename(short(n.callFrame.url))}`;
const moduleOf = (n: ProfileNode): string => {
  const u = n.callFrame.url;
  if (u === '') return n.callFrame.functionName;
  const s = short(u);
  return s.startsWith('lib/') || !s.includes('/') ? s : s.startsWith('node:') ? 'node internals' : s.split('/').slice(0, -1).join('/').split('/')[0];
};

const self = new Map<string, number>();
const total = new Map<string, number>();
const modules = new Map<string, number>();
let sum = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  const node = byId.get(id);
  if (node === undefined) return;
  sum += dt;
  self.set(label(node), (self.get(label(node)) ?? 0) + dt);
  modules.set(moduleOf(node), (modules.get(moduleOf(node)) ?? 0) + dt);
  const seen = new Set<string>();
  for (let n: ProfileNode | undefined = node; n !== undefined; n = byId.get(parent.get(n.id) ?? -1)) {
    if (!ours(n.callFrame.url)) continue;
    const l = label(n);
    if (!seen.has(l)) total.set(l, (total.get(l) ?? 0) + dt);
    seen.add(l);
  }
});
const top = (m: Map<string, number>, n: number): string =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `${((100 * v) / sum).toFixed(1).padStart(5)}%  ${(v / 1000).toFixed(0).padStart(6)} ms${calls > 0 ? `  ${(v / calls).toFixed(3).padStart(7)} µs/call` : ''}  ${k}`)
    .join('\n');
console.log(`${path.basename(file)}: ${(sum / 1000).toFixed(0)} ms sampled`);
console.log(`\nself time by function:\n${top(self, count)}`);
console.log(`\nlib/ functions by total time (self + callees):\n${top(total, count)}`);
console.log(`\nself time by module:\n${top(modules, 15)}`);
