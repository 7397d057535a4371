import { compactStack } from '../../lib/report/compact-stack.js';

const frame = (name: string): string => `    at ${name} (/app/node_modules/axios/dist/node/axios.cjs:100:10)`;

describe('compactStack', () => {
  it('keeps a short stack as it is', () => {
    const stack = `Error: boom\n${frame('a')}\n${frame('b')}`;
    expect(compactStack(stack, 1000, false)).toBe(stack);
  });

  it("drops Node's internal frames", () => {
    const stack = [
      'AxiosError: Request failed with status code 503',
      frame('settle'),
      '    at IncomingMessage.emit (node:events:536:35)',
      '    at endReadableNT (node:internal/streams/readable:1698:12)',
      '    at process.processTicksAndRejections (node:internal/process/task_queues:82:21)',
      '    at node:internal/main/run_main_module:28:49',
      '    at async /app/src/pay.js:10:9',
    ].join('\n');
    expect(compactStack(stack, 1000, false)).toBe(
      `AxiosError: Request failed with status code 503\n${frame('settle')}\n    at async /app/src/pay.js:10:9`,
    );
  });

  it("drops axios's inlined Caused by: section only when the error has a cause", () => {
    const stack = `AxiosError: connect ECONNREFUSED\n${frame('from')}\nCaused by: Error: connect ECONNREFUSED\n    at x (/app/y.js:1:1)`;
    expect(compactStack(stack, 1000, true)).toBe(`AxiosError: connect ECONNREFUSED\n${frame('from')}`);
    expect(compactStack(stack, 1000, false)).toBe(stack);
  });

  it('keeps the header, the first frame and the last frames that fit, and counts the rest', () => {
    const frames = Array.from({ length: 12 }, (_, i) => frame(`f${i}`));
    const stack = ['AxiosError: boom', ...frames].join('\n');
    const out = compactStack(stack, 300, false);
    expect(out.length).toBeLessThanOrEqual(300);
    const lines = out.split('\n');
    expect(lines[0]).toBe('AxiosError: boom');
    expect(lines[1]).toBe(frames[0]);
    expect(lines[lines.length - 1]).toBe(frames[11]);
    const kept = lines.length - 3;
    expect(lines[2]).toBe(`    ... ${12 - 1 - kept} more frames`);
    expect(lines.slice(3)).toEqual(frames.slice(12 - kept));
    expect(kept).toBeGreaterThan(0);
  });

  it('keeps a multi-line message as the header', () => {
    const stack = ['Error: line one', 'line two', ...Array.from({ length: 10 }, (_, i) => frame(`f${i}`))].join('\n');
    const out = compactStack(stack, 250, false);
    expect(out.startsWith('Error: line one\nline two\n')).toBe(true);
    expect(out.length).toBeLessThanOrEqual(250);
  });

  it('cuts a header longer than the budget', () => {
    const out = compactStack(`Error: ${'x'.repeat(500)}\n${frame('a')}`, 100, false);
    expect(out).toHaveLength(100);
    expect(out.endsWith('…')).toBe(true);
  });

  it('cuts stacks that are not V8-style at a line boundary', () => {
    const firefox = Array.from({ length: 20 }, (_, i) => `fn${i}@https://app.example/main.js:${i}:1`).join('\n');
    const out = compactStack(firefox, 200, false);
    expect(out.length).toBeLessThanOrEqual(200);
    expect(firefox.startsWith(out)).toBe(true);
    expect(out.endsWith('\n')).toBe(false);
  });
});
