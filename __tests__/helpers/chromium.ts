/**
 * The Chromium the browser tests drive: `$CHROMIUM_PATH` when set, otherwise the
 * headless build that ships inside the npm package `@sparticuz/chromium` (a
 * devDependency, so `npm ci` installs it; no system package needed).
 *
 * That package keeps the browser brotli-compressed (`bin/chromium.br`, fonts and
 * SwiftShader beside it) and its `executablePath()` inflates it into
 * `os.tmpdir()` on first use (about 2 s). Called as it is, it has two habits a
 * test suite cannot live with: it returns `<tmpdir>/chromium` whenever that path
 * exists, so a run killed mid-extraction leaves a truncated binary that every
 * later run picks up, and so does a run after the package was upgraded. Here a
 * child process inflates it into a fresh directory (its $TMPDIR), which is then
 * renamed, whole, to `<tmpdir>/resilient-axios-chromium-<version>`: a directory
 * of that name is always complete and always this version. A run killed while
 * inflating leaves a `...-<version>.partial-*` directory behind, never used again.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/**
 * Flags for headless Chromium on this kind of machine: as root (so no sandbox),
 * no GPU, and none of the background connections a closed network refuses.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The installed `@sparticuz/chromium` version (its `exports` map hides its package.json). */
function packagedVersion(): string {
  // require.resolve gives build/cjs/index.cjs; the package root is two levels up.
  const pkg = join(dirname(require.resolve('@sparticuz/chromium')), '..', '..', 'package.json');
  return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
}

/**
 * Inflates the packaged Chromium into `dir` (which must exist) and returns the binary's path.
 * executablePath() inflates into os.tmpdir(), i.e. $TMPDIR: a child process gets its own
 * (in a jest worker, `process.env` is the sandbox's copy, which os.tmpdir() never sees).
 */
function inflateInto(dir: string): Promise<string> {
  const script = "require('@sparticuz/chromium').executablePath().then((p) => process.stdout.write(p))";
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', script], { cwd: ROOT, env: { ...process.env, TMPDIR: dir }, timeout: 120_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`inflating @sparticuz/chromium failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** Where the browser is, and where it came from (for error messages). */
export interface ChromiumLocation {
  readonly path: string;
  readonly source: string;
}

/** `$CHROMIUM_PATH`, or the packaged Chromium, inflated once per version. */
export async function chromiumExecutable(): Promise<ChromiumLocation> {
  const override = process.env.CHROMIUM_PATH;
  if (override !== undefined && override !== '') {
    if (!existsSync(override)) throw new Error(`CHROMIUM_PATH is ${override}, which does not exist.`);
    return { path: override, source: 'CHROMIUM_PATH' };
  }
  const version = packagedVersion();
  const source = `@sparticuz/chromium ${version}`;
  const home = join(tmpdir(), `resilient-axios-chromium-${version}`);
  const binary = join(home, 'chromium');
  if (existsSync(binary)) return { path: binary, source };

  const staging = mkdtempSync(`${home}.partial-`);
  try {
    const inflated = await inflateInto(staging);
    if (inflated !== join(staging, 'chromium')) throw new Error(`${source} inflated to ${inflated}, expected ${staging}/chromium`);
    try {
      renameSync(staging, home);
    } catch (err) {
      // Another process finished first: its copy is as good as ours.
      if (!existsSync(binary)) throw err;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return { path: binary, source };
}
