/**
 * The bulkhead on its own: `max` slots, a FIFO queue of `queue` waiters, slots
 * handed over on `leave()`, waiters that give up (`dequeue`), run-time limits.
 */
import { Bulkhead } from '../../lib/gates/bulkhead.js';
import type { BulkheadWaiter } from '../../lib/gates/bulkhead.js';

/** A waiter that records when it was granted, into a shared log. */
function waiter(name: string, log: string[]): BulkheadWaiter & { granted: number } {
  const w = {
    granted: 0,
    grant(): void {
      w.granted++;
      log.push(name);
    },
  };
  return w;
}

describe('Bulkhead', () => {
  test('tryEnter takes up to max slots, then refuses', () => {
    const b = new Bulkhead({ max: 2, queue: 0 });
    expect(b.tryEnter()).toBe(true);
    expect(b.tryEnter()).toBe(true);
    expect(b.tryEnter()).toBe(false);
    expect(b.stats()).toEqual({ active: 2, queued: 0, rejected: 0, max: 2, queue: 0 });
  });

  test('enqueue accepts up to `queue` waiters, then refuses and counts the rejection', () => {
    const log: string[] = [];
    const b = new Bulkhead({ max: 1, queue: 2 });
    expect(b.tryEnter()).toBe(true);
    expect(b.enqueue(waiter('a', log))).toBe(true);
    expect(b.enqueue(waiter('b', log))).toBe(true);
    expect(b.enqueue(waiter('c', log))).toBe(false);
    expect(b.enqueue(waiter('d', log))).toBe(false);
    expect(b.stats()).toEqual({ active: 1, queued: 2, rejected: 2, max: 1, queue: 2 });
    expect(log).toEqual([]);
  });

  test('queue 0: nobody waits', () => {
    const log: string[] = [];
    const b = new Bulkhead({ max: 1, queue: 0 });
    b.tryEnter();
    expect(b.enqueue(waiter('a', log))).toBe(false);
    expect(b.stats().rejected).toBe(1);
  });

  test('leave hands the slot to the longest waiter (FIFO), each granted exactly once', () => {
    const log: string[] = [];
    const b = new Bulkhead({ max: 1, queue: 3 });
    b.tryEnter();
    const ws = ['a', 'b', 'c'].map((n) => waiter(n, log));
    for (const w of ws) b.enqueue(w);
    b.leave();
    expect(log).toEqual(['a']);
    // The slot went to `a`: still one active, two waiting.
    expect(b.stats()).toMatchObject({ active: 1, queued: 2 });
    b.leave();
    b.leave();
    expect(log).toEqual(['a', 'b', 'c']);
    expect(b.stats()).toMatchObject({ active: 1, queued: 0 });
    b.leave();
    expect(b.stats()).toMatchObject({ active: 0, queued: 0 });
    expect(ws.map((w) => w.granted)).toEqual([1, 1, 1]);
    // A free slot again.
    expect(b.tryEnter()).toBe(true);
  });

  test('a new caller cannot jump the queue: while somebody waits, the freed slot is not free', () => {
    const log: string[] = [];
    const b = new Bulkhead({ max: 1, queue: 1 });
    b.tryEnter();
    b.enqueue(waiter('a', log));
    b.leave();
    expect(b.tryEnter()).toBe(false);
    expect(log).toEqual(['a']);
  });

  test('dequeue removes a waiter that gave up: it is never granted, and its place is freed', () => {
    const log: string[] = [];
    const b = new Bulkhead({ max: 1, queue: 2 });
    b.tryEnter();
    const a = waiter('a', log);
    const c = waiter('c', log);
    b.enqueue(a);
    b.enqueue(waiter('b', log));
    b.dequeue(a);
    expect(b.stats().queued).toBe(1);
    expect(b.enqueue(c)).toBe(true);
    // Dequeuing somebody who is not waiting is harmless.
    b.dequeue(a);
    b.dequeue(waiter('x', log));
    expect(b.stats().queued).toBe(2);
    b.leave();
    b.leave();
    expect(log).toEqual(['b', 'c']);
    expect(a.granted).toBe(0);
  });

  test('setOptions raising max grants waiters at once, in order', () => {
    const log: string[] = [];
    const b = new Bulkhead({ max: 1, queue: 3 });
    b.tryEnter();
    for (const n of ['a', 'b', 'c']) b.enqueue(waiter(n, log));
    b.setOptions({ max: 3, queue: 3 });
    expect(log).toEqual(['a', 'b']);
    expect(b.stats()).toMatchObject({ active: 3, queued: 1, max: 3 });
  });

  test('setOptions lowering queue keeps those already waiting but refuses newcomers', () => {
    const log: string[] = [];
    const b = new Bulkhead({ max: 1, queue: 3 });
    b.tryEnter();
    for (const n of ['a', 'b', 'c']) b.enqueue(waiter(n, log));
    b.setOptions({ max: 1, queue: 1 });
    expect(b.stats()).toMatchObject({ queued: 3, queue: 1 });
    expect(b.enqueue(waiter('d', log))).toBe(false);
    b.leave();
    expect(log).toEqual(['a']);
  });

  test('setOptions lowering max: a freed slot is not handed over while more than max are active', () => {
    const log: string[] = [];
    const b = new Bulkhead({ max: 3, queue: 1 });
    b.tryEnter();
    b.tryEnter();
    b.tryEnter();
    b.enqueue(waiter('a', log));
    b.setOptions({ max: 1, queue: 1 });
    // 3 active, max 1: the first two slots given back must not go to the waiter.
    b.leave();
    expect(log).toEqual([]);
    expect(b.stats()).toMatchObject({ active: 2, queued: 1 });
    b.leave();
    expect(log).toEqual([]);
    expect(b.stats()).toMatchObject({ active: 1, queued: 1 });
    // Back to max: the next slot given back goes to the waiter.
    b.leave();
    expect(log).toEqual(['a']);
    expect(b.stats()).toMatchObject({ active: 1, queued: 0 });
  });
});
