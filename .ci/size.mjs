#!/usr/bin/env node
// `npm run size`: what resilient-axios adds to a browser bundle. Bundles the ES
// module build (dist/esm, so run `npm run build` first; `npm run size` does)
// with esbuild, minified, axios and eventemitter3 left external, and prints the
// raw, minified and gzipped sizes. eventemitter3 (the one dependency) is sized
// on its own, and every module's share of the minified output is listed.
// Target: under 6 kB gzipped for the whole public API.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const esbuild = require('esbuild');
const TARGET_GZIP = 6 * 1024;
const entry = join(root, 'dist', 'esm', 'index.js');
if (!existsSync(entry)) {
  console.error(`size: ${relative(root, entry)} is missing: run \`npm run build\` first.`);
  process.exit(1);
}

const kb = (n) => `${(n / 1024).toFixed(2)} kB`.padStart(9);
const gzip = (text) => gzipSync(text, { level: 9 }).length;

/** Bundles `contents` (an ES module importing the build) and sizes the result. */
async function measure(contents, external) {
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
