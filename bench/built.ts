/**
 * The library as users run it: the built CommonJS package (`dist/cjs`), not
 * the TypeScript sources through tsx. tsx's module shims turn every import
 * between two of our files into a getter call, about 0.3 µs a call on
 * scenario 1's path that no deployment pays. `npm run bench` builds first.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as Core from '../lib/index.js';
import type * as Otel from '../lib/otel/index.js';
import type * as Prometheus from '../lib/prometheus/index.js';

const root = path.join(__dirname, '..');
const load = createRequire(__filename);

function built<T>(entry: string): T {
  const file = path.join(root, 'dist', 'cjs', entry, 'index.js');
  if (!existsSync(file)) {
    throw new Error(`bench: ${path.relative(root, file)} is missing: run \`npm run build\` first (\`npm run bench\` does).`);
  }
  return load(file) as T;
}

/** `resilient-axios`, built. */
export const core: typeof Core = built('');
/** `resilient-axios/otel`, built. */
export const otel: typeof Otel = built('otel');
/** `resilient-axios/prometheus`, built. */
export const prometheus: typeof Prometheus = built('prometheus');
