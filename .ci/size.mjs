#!/usr/bin/env node
// `npm run size`: what resilient-axios adds to a browser bundle. Bundles the ES
// module build (dist/esm, so run `npm run build` first; `npm run size` does)
// with esbuild, minified, axios and eventemitter3 left external, and prints the
// raw, minified and gzipped sizes. eventemitter3 (the one dependency) is sized
// on its own, every module's share of the minified output is listed, and so is
// what each feature group costs (what moving it behind a subpath export would
// save). Target: at most 8 kB gzipped for the whole public API, axios and
// eventemitter3 excluded.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const esbuild = require('esbuild');
const TARGET_GZIP = 8 * 1024;
const entry = join(root, 'dist', 'esm', 'index.js');
if (!existsSync(entry)) {
  console.error(`size: ${relative(root, entry)} is missing: run \`npm run build\` first.`);
  process.exit(1);
}

const kb = (n) => `${(n / 1024).toFixed(2)} kB`.padStart(9);
const gzip = (text) => gzipSync(text, { level: 9 }).length;

/** Bundles `contents` (an ES module importing the build) and sizes the result; `plugins` may stub modules. */
async function measure(contents, external, plugins = []) {
  const common = {
    stdin: { contents, resolveDir: root, sourcefile: 'size-entry.mjs', loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    external,
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
    plugins,
  };
  const plain = await esbuild.build(common);
  const min = await esbuild.build({ ...common, minify: true, metafile: true });
  const out = min.outputFiles[0].text;
  return { raw: plain.outputFiles[0].contents.length, min: Buffer.byteLength(out), gzip: gzip(out), metafile: min.metafile };
}

const everything = await measure(`export * from ${JSON.stringify(entry)};`, ['axios', 'eventemitter3']);
const clientOnly = await measure(`export { ResilientClient } from ${JSON.stringify(entry)};`, ['axios', 'eventemitter3']);
const emitter = await measure(`export { EventEmitter } from 'eventemitter3';`, []);
const withEmitter = await measure(`export * from ${JSON.stringify(entry)};`, ['axios']);

const rows = [
  ['resilient-axios, every export (axios, eventemitter3 external)', everything],
  ['resilient-axios, `import { ResilientClient }` only', clientOnly],
  ['eventemitter3 (the one dependency), on its own', emitter],
  ['resilient-axios + eventemitter3 (axios external)', withEmitter],
];
console.log(`${'bundle'.padEnd(64)} ${'raw'.padStart(9)} ${'minified'.padStart(9)} ${'gzipped'.padStart(9)}`);
for (const [name, m] of rows) console.log(`${name.padEnd(64)} ${kb(m.raw)} ${kb(m.min)} ${kb(m.gzip)}`);

const verdict = everything.gzip <= TARGET_GZIP ? 'within' : 'OVER';
console.log(`\nESM build, minified + gzipped, axios and eventemitter3 excluded: ${everything.gzip} bytes (${(everything.gzip / 1024).toFixed(2)} kB), ${verdict} the ${TARGET_GZIP / 1024} kB target.`);

const inputs = Object.values(everything.metafile.outputs)[0].inputs;
const total = Object.values(inputs).reduce((s, i) => s + i.bytesInOutput, 0);
const heaviest = Object.entries(inputs)
  .map(([file, i]) => [relative(join(root, 'dist', 'esm'), join(root, file)), i.bytesInOutput])
  .sort((a, b) => b[1] - a[1]);
console.log(`\nShare of the minified output by module${verdict === 'OVER' ? ' (heaviest first: where to cut)' : ''}:`);
for (const [file, bytes] of heaviest) {
  if (bytes === 0) continue;
  console.log(`  ${file.padEnd(28)} ${String(bytes).padStart(6)} B  ${((100 * bytes) / total).toFixed(1).padStart(5)}%`);
}

// What each feature costs: the group's modules replaced by stubs that export the
// same names as empty functions (what their importers still reference), the
// bundle rebuilt, and the gzipped difference taken. Modules only the group used
// drop out with it; the wiring in the modules that stay (call/*, the client)
// is still counted, so each figure is what moving that group's own modules
// behind a subpath export would save at least. The minified share (the sum of
// the group's modules in the table above) is printed beside it.
const dist = join(root, 'dist', 'esm');
const GROUPS = [
  ['hedging (hedge/*, call/hedger, call/hedge-race)', ['hedge/', 'call/hedger.js', 'call/hedge-race.js']],
  ['fleet seam (fleet/*)', ['fleet/']],
  ['adaptive throttle (gates/adaptive-throttle)', ['gates/adaptive-throttle.js']],
  ['bulkhead (gates/bulkhead)', ['gates/bulkhead.js']],
  ['retry budget (gates/retry-budget)', ['gates/retry-budget.js']],
  ['breaker (breaker/*)', ['breaker/']],
  ['safe logging forms (log-form, compact-stack, error-view)', ['report/log-form.js', 'report/compact-stack.js', 'report/error-view.js']],
  ['Retry-After parsing (retry/retry-after)', ['retry/retry-after.js']],
  ['option validation (common/validate; the tables stay)', ['common/validate.js']],
];
const modules = heaviest.filter(([, bytes]) => bytes > 0).map(([file]) => file);
const membersOf = (prefixes) => modules.filter((file) => prefixes.some((p) => (p.endsWith('/') ? file.startsWith(p) : file === p)));

/** An esbuild plugin loading each of `files` (dist/esm-relative) as empty functions under its export names. */
async function stubPlugin(files) {
  const stubs = new Map();
  for (const file of files) {
    const path = join(dist, file);
    const alone = await esbuild.build({ entryPoints: [path], bundle: false, format: 'esm', write: false, metafile: true, logLevel: 'silent' });
    const names = Object.values(alone.metafile.outputs)[0].exports;
    stubs.set(path, names.map((n) => (n === 'default' ? 'export default function () {}' : `export function ${n}() {}`)).join('\n'));
  }
  return {
    name: 'stub-feature',
    setup(build) {
      build.onLoad({ filter: /\.js$/ }, (args) => (stubs.has(args.path) ? { contents: stubs.get(args.path), loader: 'js' } : undefined));
    },
  };
}

const entryAll = `export * from ${JSON.stringify(entry)};`;
const featureRows = [];
for (const [name, prefixes] of GROUPS) featureRows.push([name, membersOf(prefixes)]);
featureRows.push(['all of the above together', [...new Set(featureRows.flatMap(([, files]) => files))]]);
console.log('\nWhat each feature costs (gzipped bytes saved if its modules were out of the core bundle: stubbed, rebuilt, measured):');
console.log(`  ${'feature group'.padEnd(58)} ${'min share'.padStart(9)} ${'gz saved'.padStart(9)} ${'gz left'.padStart(9)}`);
for (const [name, files] of featureRows) {
  const share = files.reduce((sum, file) => sum + (heaviest.find(([f]) => f === file)?.[1] ?? 0), 0);
  const stubbed = await measure(entryAll, ['axios', 'eventemitter3'], [await stubPlugin(files)]);
  const saved = everything.gzip - stubbed.gzip;
  const kept = new Set(Object.entries(Object.values(stubbed.metafile.outputs)[0].inputs)
    .filter(([, i]) => i.bytesInOutput > 0).map(([file]) => relative(dist, join(root, file))));
  const alsoDropped = modules.filter((file) => !files.includes(file) && !kept.has(file));
  const note = alsoDropped.length === 0 ? '' : `  (also drops ${alsoDropped.join(', ')})`;
  console.log(`  ${name.padEnd(58)} ${`${share} B`.padStart(9)} ${`${saved} B`.padStart(9)} ${kb(stubbed.gzip)}${note}`);
}
console.log('  min share: the group\'s modules in the minified output; gz saved: the whole bundle gzipped, minus the same with them stubbed.');
