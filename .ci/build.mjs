#!/usr/bin/env node
// `npm run build`: dist/cjs (CommonJS) and dist/esm (ES modules), each with its
// .d.ts, compiled by the repo's tsc in parallel, then a nested package.json in
// each marking its format. The markers matter for TypeScript too: they make
// dist/cjs/*.d.ts CommonJS declarations (importing axios's index.d.cts) and
// dist/esm/*.d.ts ES module declarations (importing axios's index.d.ts).
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');

function compile(project) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsc, '-p', project], { cwd: root, stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`tsc -p ${project} exited ${code}`))));
  });
}

for (const dir of ['dist/cjs', 'dist/esm']) rmSync(join(root, dir), { recursive: true, force: true });
try {
  await Promise.all([compile('tsconfig.build.json'), compile('tsconfig.esm.json')]);
} catch (err) {
  console.error(String(err.message ?? err));
  process.exit(1);
}
for (const [dir, type] of [['dist/cjs', 'commonjs'], ['dist/esm', 'module']]) {
  mkdirSync(join(root, dir), { recursive: true });
  writeFileSync(join(root, dir, 'package.json'), `${JSON.stringify({ type })}\n`);
}
