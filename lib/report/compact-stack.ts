/**
 * Bounded stacks for log lines. A failed HTTP call's stack is mostly axios and
 * Node internals; axios also inlines the stack of the error it wrapped, which
 * pino, `util.inspect` and winston print a second time from `err.cause`. Pure:
 * no engine-specific API, only text.
 */

/** The marker axios puts before a wrapped error's stack (`AxiosError.from`). */
const CAUSED_BY = '\nCaused by: ';
/** A V8 stack frame line. */
const FRAME = /^\s+at /;
/** A frame inside Node itself (`node:internal/...`, `node:events`). */
const NODE_FRAME = /^\s+at (?:.*\()?node:/;

/**
 * `stack` within `maxChars`: the inlined `Caused by:` section dropped when the
 * error has a `cause` (the sinks print it from there), Node-internal frames
 * dropped, then, if still too long, the header and first frame kept with as
 * many of the last frames (where the caller is) as fit, and a
 * `    ... N more frames` line between. Stacks that are not V8's (Firefox,
 * Safari) are cut at a line boundary.
 */
export function compactStack(stack: string, maxChars: number, hasCause: boolean): string {
  let s = stack;
  if (hasCause) {
    const at = s.indexOf(CAUSED_BY);
    if (at !== -1) s = s.slice(0, at);
  }
  const lines = s.split('\n').filter((line) => !NODE_FRAME.test(line));
  s = lines.join('\n');
  if (s.length <= maxChars) return s;
  const first = lines.findIndex((line) => FRAME.test(line));
  if (first === -1) return cutLines(lines, maxChars);
  const head = lines.slice(0, first).join('\n');
  if (head.length + 1 >= maxChars) return cutLines(head.split('\n'), maxChars);
  return head + '\n' + fitFrames(lines.slice(first), maxChars - head.length - 1);
}

function cutLines(lines: readonly string[], maxChars: number): string {
  let out = '';
  for (const line of lines) {
    const next = out === '' ? line : `${out}\n${line}`;
    if (next.length > maxChars) return out === '' ? `${line.slice(0, Math.max(0, maxChars - 1))}…` : out;
    out = next;
  }
  return out;
}

/** The first frame, then the last ones that fit in `room`, with a count of those left out. */
function fitFrames(frames: readonly string[], room: number): string {
  const marker = (n: number): string => `    ... ${n} more frames`;
  let left = room - marker(frames.length).length - 1;
  const front: string[] = [];
  const back: string[] = [];
  if (frames[0] !== undefined && frames[0].length + 1 <= left) {
    front.push(frames[0]);
    left -= frames[0].length + 1;
  }
  for (let i = frames.length - 1; i >= front.length; i--) {
    const frame = frames[i];
    if (frame.length + 1 > left) break;
    back.unshift(frame);
    left -= frame.length + 1;
  }
  return [...front, marker(frames.length - front.length - back.length), ...back].join('\n');
}
