/**
 * `npm run checks`: the type check and the lint side by side.
 * `node .ci/checks.mjs -- <command...>` (what `npm test` runs): the same, with
 * the command (jest) running beside them.
 *
 * jest runs in band (`--detectOpenHandles`), on one core, mostly waiting on
 * sockets and timers; tsc and eslint are one core each for ~25 s. Side by side
 * they take the time of jest alone instead of the sum. The command's output
 * streams as it runs; each check's output is printed whole when it ends, so
 * nothing interleaves. The exit code is non-zero when any of them fails.
 */
import { spawn } from 'node:child_process';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CHECKS = ['typecheck', 'lint'];

function check(script) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(`npm run -s ${script}`, { shell: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    child.stdout.on('data', (chunk) => out.push(chunk));
    child.stderr.on('data', (chunk) => out.push(chunk));
    child.on('error', (err) => out.push(Buffer.from(`${err.stack ?? err}\n`)));
    child.on('close', (code, signal) => {
      const ok = code === 0;
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      process.stdout.write(`\n> ${script}: ${ok ? 'ok' : `FAILED (${signal ?? `exit ${code}`})`} in ${seconds} s\n`);
      process.stdout.write(Buffer.concat(out));
      resolve({ name: script, ok });
    });
  });
}

function command(argv) {
  return new Promise((resolve) => {
    // As npm runs scripts: the package's own bins first. On Windows they are .cmd files, which only a shell runs.
    const bin = join(fileURLToPath(new URL('..', import.meta.url)), 'node_modules', '.bin');
    const env = { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` };
    const child = spawn(argv[0], argv.slice(1), { stdio: 'inherit', env, shell: process.platform === 'win32' });
    child.on('error', (err) => {
      process.stderr.write(`${argv[0]}: ${err.message}\n`);
      resolve({ name: argv[0], ok: false });
    });
    child.on('exit', (code) => resolve({ name: argv[0], ok: code === 0 }));
  });
}

const dashes = process.argv.indexOf('--');
const argv = dashes === -1 ? [] : process.argv.slice(dashes + 1);
const results = await Promise.all([...CHECKS.map(check), ...(argv.length === 0 ? [] : [command(argv)])]);
const failed = results.filter((r) => !r.ok).map((r) => r.name);
if (argv.length > 0) process.stdout.write(`\n> ${failed.length === 0 ? `${CHECKS.join(', ')} and ${argv[0]}: ok` : `failed: ${failed.join(', ')}`}\n`);
process.exitCode = failed.length === 0 ? 0 : 1;
