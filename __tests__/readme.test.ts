/**
 * README code runs: every ```ts block in README.md type-checks against the
 * library's source, compiled as a user's ES module project would compile it
 * (`strict`, `module` and `moduleResolution` `nodenext`, `@types/node`), with
 * `resilient-axios` mapped to the library's source. All blocks go into one
 * TypeScript program (a few seconds), each as its own module in a temporary
 * ES module package under .tmp/ (inside the repository, so that `axios`
 * resolves from node_modules as it would for a user). lib/ is copied into that
 * package: in place, the repository's package.json makes lib/ CommonJS, whose
 * axios types (index.d.cts) an ES module's axios types do not match, whereas a
 * user's ES module gets our ES module declarations, which import axios's ES types.
 *
 * Conventions, for README authors:
 * - A block is the module `readme-<line>.ts` unless its first line is a comment
 *   naming it (`// manual-clock.ts`); other blocks import it by that name
 *   (`./manual-clock.js`), as in the testing recipe.
 * - Packages the recipes use that this repository does not install (pino,
 *   the OpenTelemetry SDK) are declared untyped: the blocks are checked against our API,
 *   not theirs. Jest's globals are there for the recipe that is a jest test.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const ROOT = join(__dirname, '..');
const UNTYPED_PACKAGES = ['pino', '@opentelemetry/sdk-node'];

/** A ```ts block: where it starts in README.md, the module it becomes, its code. */
interface Block {
  /** 1-based README line of the block's first code line. */
  readonly line: number;
  readonly file: string;
  readonly code: string;
}

/** The ```ts blocks of `markdown`, indented ones (inside list items) dedented. */
function tsBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^( *)```ts\s*$/.exec(lines[i]);
    if (fence === null) continue;
    const indent = fence[1].length;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !/^ *```\s*$/.test(lines[j]); j++) body.push(lines[j].slice(Math.min(indent, lines[j].search(/\S|$/))));
    const named = /^\/\/ ([\w.-]+\.ts)\s*$/.exec(body[0] ?? '');
    blocks.push({ line: i + 2, file: named === null ? `readme-${i + 2}.ts` : named[1], code: `${body.join('\n')}\n` });
    i = j;
  }
  return blocks;
}

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const BLOCKS = tsBlocks(README);

/** Diagnostics by block file, as `README.md:<line>:<col> TS<code>: <message>`. */
const found = new Map<string, string[]>();
const elsewhere: string[] = [];

beforeAll(() => {
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  const dir = mkdtempSync(join(ROOT, '.tmp', 'readme-'));
  try {
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ type: 'module' })}\n`);
    writeFileSync(join(dir, 'untyped.d.ts'), UNTYPED_PACKAGES.map((p) => `declare module '${p}';`).join('\n'));
    cpSync(join(ROOT, 'lib'), join(dir, 'lib'), { recursive: true });
    const byPath = new Map<string, Block>();
    for (const b of BLOCKS) {
      const path = join(dir, b.file);
      if (byPath.has(path)) throw new Error(`README.md:${b.line}: a second block named ${b.file}`);
      writeFileSync(path, b.code);
      byPath.set(path, b);
    }
    const program = ts.createProgram([...byPath.keys(), join(dir, 'untyped.d.ts')], {
      strict: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ['lib.es2022.d.ts'],
      types: ['node', 'jest'],
      typeRoots: [join(ROOT, 'node_modules', '@types')],
      paths: {
        'resilient-axios': [join(dir, 'lib', 'index.ts')],
        'resilient-axios/otel': [join(dir, 'lib', 'otel', 'index.ts')],
        'resilient-axios/prometheus': [join(dir, 'lib', 'prometheus', 'index.ts')],
        'resilient-axios/redis': [join(dir, 'lib', 'redis', 'index.ts')],
      },
      skipLibCheck: true,
      noEmit: true,
    });
    for (const d of ts.getPreEmitDiagnostics(program)) {
      const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
      const block = d.file === undefined ? undefined : byPath.get(d.file.fileName);
      if (d.file === undefined || d.start === undefined) {
        elsewhere.push(`TS${d.code}: ${message}`);
      } else if (block === undefined) {
        const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
        elsewhere.push(`${relative(d.file.fileName.startsWith(dir) ? dir : ROOT, d.file.fileName)}:${line + 1}:${character + 1} TS${d.code}: ${message}`);
      } else {
        const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
        const list = found.get(block.file) ?? [];
        list.push(`README.md:${block.line + line}:${character + 1} TS${d.code}: ${message}`);
        found.set(block.file, list);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);

test('README.md has ts blocks to check', () => {
  expect(BLOCKS.length).toBeGreaterThanOrEqual(10);
});

test.each(BLOCKS.map((b) => [b.line, b.file, b] as const))('the ts block at README.md line %i (%s) type-checks', (_line, _file, block) => {
  expect(found.get(block.file) ?? []).toEqual([]);
});

test('nothing outside the blocks fails to compile (the library, as the blocks see it)', () => {
  expect(elsewhere).toEqual([]);
});
