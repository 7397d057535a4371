import { systemClock } from '../../lib/time/clock.js';
import type { AbortSignalLike, Clock } from '../../lib/time/clock.js';
import { DeadlineScheduler } from '../../lib/time/deadline-scheduler.js';
import type { Expiring } from '../../lib/time/deadline-scheduler.js';
import { FakeClock, flushMicrotasks } from '../helpers/fake-clock.js';

interface Entry extends Expiring {
  readonly name: string;
}

/** Expired entries as `name@now`, in the order they expired. */
type Log = string[];

function entry(name: string, deadline: number, log: Log, onExpire?: (now: number) => void): Entry {
  return {
    name,
    deadline,
    prevExpiring: undefined,
    nextExpiring: undefined,
    expire(now: number) {
      log.push(`${name}@${now}`);
      onExpire?.(now);
    },
  };
}

const names = (s: DeadlineScheduler): string[] => s.entries().map((e) => (e as Entry).name);

describe('DeadlineScheduler with an injected clock', () => {
  let clock: FakeClock;
  let s: DeadlineScheduler;
  let log: Log;

  beforeEach(() => {
    clock = new FakeClock(1_000);
    s = new DeadlineScheduler(clock);
    log = [];
  });

  it('starts idle, with nothing scheduled and no wait', () => {
    expect(s.idle).toBe(true);
    expect(s.entries()).toEqual([]);
    expect(clock.pending).toBe(0);
  });

  it('expires an entry once its deadline has passed, not before', async () => {
    const a = entry('a', 1_100, log);
    s.add(a);
    expect(s.idle).toBe(false);
    expect(clock.sleeps).toEqual([100]);
    await clock.advance(99);
    expect(log).toEqual([]);
    await clock.advance(1);
    expect(log).toEqual(['a@1100']);
    expect(s.idle).toBe(true);
    expect(a.prevExpiring).toBeUndefined();
    expect(a.nextExpiring).toBeUndefined();
    expect(clock.pending).toBe(0);
    await clock.advance(10_000);
    expect(log).toEqual(['a@1100']);
  });

  it('keeps entries sorted when added out of order and expires them in deadline order', async () => {
    s.add(entry('c', 1_300, log));
    s.add(entry('a', 1_100, log));
    s.add(entry('d', 1_400, log));
    s.add(entry('b', 1_200, log));
    expect(names(s)).toEqual(['a', 'b', 'c', 'd']);
    await clock.advance(1_000);
    expect(log).toEqual(['a@1100', 'b@1200', 'c@1300', 'd@1400']);
    expect(clock.pending).toBe(0);
  });

  it('keeps entries with equal deadlines in insertion order', async () => {
    s.add(entry('x', 1_100, log));
    s.add(entry('y', 1_100, log));
    s.add(entry('w', 1_050, log));
    s.add(entry('z', 1_100, log));
    expect(names(s)).toEqual(['w', 'x', 'y', 'z']);
    await clock.advance(100);
    expect(log).toEqual(['w@1050', 'x@1100', 'y@1100', 'z@1100']);
  });

  it('expires every entry that is due on one wake-up', async () => {
    const slow: Clock = { now: () => clock.now(), sleep: (ms, signal) => clock.sleep(ms + 50, signal) };
    const late = new DeadlineScheduler(slow);
    late.add(entry('a', 1_100, log));
    late.add(entry('b', 1_120, log));
    late.add(entry('c', 1_200, log));
    await clock.advance(150);
    expect(log).toEqual(['a@1150', 'b@1150']);
    expect(clock.sleeps).toEqual([150, 100]);
  });

  it('re-arms for an earlier deadline and cancels the later wait', async () => {
    s.add(entry('late', 1_500, log));
    expect(clock.sleeps).toEqual([500]);
    s.add(entry('early', 1_200, log));
    expect(clock.sleeps).toEqual([500, 200]);
    expect(clock.pending).toBe(1);
    await clock.advance(200);
    expect(log).toEqual(['early@1200']);
    expect(clock.sleeps).toEqual([500, 200, 300]);
    await clock.advance(300);
    expect(log).toEqual(['early@1200', 'late@1500']);
    expect(clock.pending).toBe(0);
  });

  it('does not re-arm for a later deadline', () => {
    s.add(entry('a', 1_200, log));
    s.add(entry('b', 1_500, log));
    s.add(entry('c', 1_200, log));
    expect(clock.sleeps).toEqual([200]);
    expect(clock.pending).toBe(1);
  });

  it('waits at least 1 ms for a fractional deadline and 0 ms for a past one', async () => {
    s.add(entry('frac', 1_000.25, log));
    expect(clock.sleeps).toEqual([1]);
    s.add(entry('past', 900, log));
    expect(clock.sleeps).toEqual([1, 0]);
    await clock.advance(0);
    expect(log).toEqual(['past@1000']);
    await clock.advance(1);
    expect(log).toEqual(['past@1000', 'frac@1001']);
  });

  it('caps one wait at the largest timer delay', () => {
    s.add(entry('far', 1_000 + 1e12, log));
    expect(clock.sleeps).toEqual([2_147_483_647]);
  });

  describe('remove', () => {
    let a: Entry;
    let b: Entry;
    let c: Entry;

    beforeEach(() => {
      a = entry('a', 1_100, log);
      b = entry('b', 1_200, log);
      c = entry('c', 1_300, log);
      s.add(a);
      s.add(b);
      s.add(c);
    });

    it('unlinks the head', async () => {
      s.remove(a);
      expect(names(s)).toEqual(['b', 'c']);
      expect(b.prevExpiring).toBeUndefined();
      await clock.advance(300);
      expect(log).toEqual(['b@1200', 'c@1300']);
    });

    it('unlinks the middle', async () => {
      s.remove(b);
      expect(names(s)).toEqual(['a', 'c']);
      expect(a.nextExpiring).toBe(c);
      expect(c.prevExpiring).toBe(a);
      expect(b.prevExpiring).toBeUndefined();
      expect(b.nextExpiring).toBeUndefined();
      await clock.advance(300);
      expect(log).toEqual(['a@1100', 'c@1300']);
    });

    it('unlinks the tail, so a later add goes after the new tail', async () => {
      s.remove(c);
      expect(names(s)).toEqual(['a', 'b']);
      s.add(entry('d', 1_250, log));
      expect(names(s)).toEqual(['a', 'b', 'd']);
      await clock.advance(300);
      expect(log).toEqual(['a@1100', 'b@1200', 'd@1250']);
    });

    it('ignores an entry that is not scheduled, or removed twice', () => {
      s.remove(entry('stranger', 1_150, log));
      s.remove(b);
      s.remove(b);
      expect(names(s)).toEqual(['a', 'c']);
    });

    it('can re-add a removed entry', async () => {
      s.remove(b);
      b.deadline = 1_050;
      s.add(b);
      expect(names(s)).toEqual(['b', 'a', 'c']);
      await clock.advance(50);
      expect(log).toEqual(['b@1050']);
    });

    it('leaves no wait pending once every entry is removed', async () => {
      s.remove(b);
      s.remove(a);
      expect(clock.pending).toBe(1);
      s.remove(c);
      expect(s.idle).toBe(true);
      expect(clock.pending).toBe(0);
      await clock.advance(1_000);
      expect(log).toEqual([]);
    });

    it('wakes at the removed head deadline, finds nothing due, and waits for the next', async () => {
      s.remove(a);
      await clock.advance(100);
      expect(log).toEqual([]);
      expect(clock.pending).toBe(1);
      expect(clock.sleeps).toEqual([100, 100]);
      await clock.advance(100);
      expect(log).toEqual(['b@1200']);
    });
  });

  it('never expires an infinite deadline and holds no wait for it', async () => {
    const forever = entry('forever', Infinity, log);
    s.add(forever);
    expect(s.idle).toBe(false);
    expect(clock.sleeps).toEqual([]);
    expect(clock.pending).toBe(0);
    s.add(entry('soon', 1_010, log));
    s.add(entry('forever2', Infinity, log));
    expect(names(s)).toEqual(['soon', 'forever', 'forever2']);
    await clock.advance(1e9);
    expect(log).toEqual(['soon@1010']);
    expect(names(s)).toEqual(['forever', 'forever2']);
    expect(clock.pending).toBe(0);
    s.remove(forever);
    expect(names(s)).toEqual(['forever2']);
  });

  it('clear() drops every entry without expiring it and cancels the wait', async () => {
    const a = entry('a', 1_100, log);
    const b = entry('b', 1_200, log);
    s.add(a);
    s.add(b);
    s.clear();
    expect(s.idle).toBe(true);
    expect(s.entries()).toEqual([]);
    expect(a.nextExpiring).toBeUndefined();
    expect(b.prevExpiring).toBeUndefined();
    expect(clock.pending).toBe(0);
    await clock.advance(1_000);
    expect(log).toEqual([]);
    s.add(entry('c', 2_100, log));
    await clock.advance(100);
    expect(log).toEqual(['c@2100']);
  });

  it('clear() on an empty scheduler is harmless', () => {
    expect(() => s.clear()).not.toThrow();
    expect(s.idle).toBe(true);
  });

  it('lets an expiring entry schedule a new one', async () => {
    s.add(entry('a', 1_100, log, () => s.add(entry('b', 1_150, log))));
    await clock.advance(100);
    expect(log).toEqual(['a@1100']);
    expect(names(s)).toEqual(['b']);
    await clock.advance(50);
    expect(log).toEqual(['a@1100', 'b@1150']);
    expect(clock.pending).toBe(0);
  });

  it('lets an expiring entry remove another one', async () => {
    const b = entry('b', 1_100, log);
    s.add(entry('a', 1_100, log, () => s.remove(b)));
    s.add(b);
    await clock.advance(200);
    expect(log).toEqual(['a@1100']);
    expect(s.idle).toBe(true);
  });

  it('ignores a superseded wait that ends anyway', async () => {
    let now = 0;
    const waits: Array<() => void> = [];
    // A clock whose sleep ignores the abort signal.
    const stubborn: Clock = {
      now: () => now,
      sleep: (_ms: number, _signal?: AbortSignalLike) => new Promise<void>((resolve) => waits.push(resolve)),
    };
    const sched = new DeadlineScheduler(stubborn);
    sched.add(entry('a', 100, log));
    sched.add(entry('b', 50, log));
    expect(waits).toHaveLength(2);
    now = 60;
    waits[0]();
    await flushMicrotasks();
    expect(log).toEqual([]);
    waits[1]();
    await flushMicrotasks();
    expect(log).toEqual(['b@60']);
  });
});

describe('DeadlineScheduler with the system clock, driven by jest.useFakeTimers() alone', () => {
  let setTimeoutSpy: jest.SpyInstance;
  type FakeTimer = { hasRef(): boolean };

  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
    setTimeoutSpy = jest.spyOn(globalThis, 'setTimeout');
  });

  afterEach(() => {
    jest.restoreAllMocks();
    jest.useRealTimers();
  });

  const lastTimer = (): FakeTimer => setTimeoutSpy.mock.results.at(-1)?.value as FakeTimer;

  it('expires an entry after its deadline on one ref-ed timer', () => {
    const log: Log = [];
    const s = new DeadlineScheduler();
    const start = systemClock.now();
    s.add(entry('a', start + 100, log));
    expect(jest.getTimerCount()).toBe(1);
    expect(setTimeoutSpy).toHaveBeenLastCalledWith(expect.any(Function), 100);
    expect(lastTimer().hasRef()).toBe(true);
    jest.advanceTimersByTime(99);
    expect(log).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(log).toEqual([`a@${start + 100}`]);
    expect(s.idle).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('expires several entries in order, re-arming one timer', () => {
    const log: Log = [];
    const s = new DeadlineScheduler();
    const t0 = systemClock.now();
    s.add(entry('b', t0 + 200, log));
    s.add(entry('a', t0 + 100, log));
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(100);
    expect(log).toEqual([`a@${t0 + 100}`]);
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(100);
    expect(log).toEqual([`a@${t0 + 100}`, `b@${t0 + 200}`]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('unrefs the timer when idle and refs it again when busy', () => {
    const log: Log = [];
    const s = new DeadlineScheduler();
    const t0 = systemClock.now();
    const a = entry('a', t0 + 1_000, log);
    s.add(a);
    const timer = lastTimer();
    expect(timer.hasRef()).toBe(true);
    s.remove(a);
    expect(s.idle).toBe(true);
    expect(timer.hasRef()).toBe(false);
    // a later deadline reuses the same (armed) timer and holds the process again
    s.add(entry('b', t0 + 2_000, log));
    expect(setTimeoutSpy).toHaveBeenCalledTimes(1);
    expect(timer.hasRef()).toBe(true);
    jest.advanceTimersByTime(1_000);
    expect(log).toEqual([]);
    const rearmed = lastTimer();
    expect(rearmed).not.toBe(timer);
    expect(rearmed.hasRef()).toBe(true);
    jest.advanceTimersByTime(1_000);
    expect(log).toEqual([`b@${t0 + 2_000}`]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('replaces the timer for an earlier deadline', () => {
    const log: Log = [];
    const s = new DeadlineScheduler();
    const t0 = systemClock.now();
    s.add(entry('late', t0 + 500, log));
    s.add(entry('early', t0 + 50, log));
    expect(jest.getTimerCount()).toBe(1);
    expect(setTimeoutSpy).toHaveBeenLastCalledWith(expect.any(Function), 50);
    jest.advanceTimersByTime(50);
    expect(log).toEqual([`early@${t0 + 50}`]);
  });

  it('holds no timer for infinite deadlines only, and none after clear()', () => {
    const log: Log = [];
    const s = new DeadlineScheduler();
    s.add(entry('forever', Infinity, log));
    expect(jest.getTimerCount()).toBe(0);
    s.add(entry('a', systemClock.now() + 100, log));
    expect(jest.getTimerCount()).toBe(1);
    s.clear();
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(1_000);
    expect(log).toEqual([]);
  });

  it('leaves no ref-ed timer once every entry expired', () => {
    const log: Log = [];
    const s = new DeadlineScheduler();
    s.add(entry('a', systemClock.now() + 10, log));
    jest.advanceTimersByTime(10);
    expect(log).toHaveLength(1);
    expect(jest.getTimerCount()).toBe(0);
    s.add(entry('forever', Infinity, log));
    expect(jest.getTimerCount()).toBe(0);
  });

  it('re-arms a timer capped at 2^31 - 1 ms instead of expiring the entry early', () => {
    const MAX = 2_147_483_647;
    const log: Log = [];
    const s = new DeadlineScheduler();
    const t0 = systemClock.now();
    s.add(entry('far', t0 + 3e9, log));
    expect(setTimeoutSpy).toHaveBeenLastCalledWith(expect.any(Function), MAX);
    jest.advanceTimersByTime(MAX);
    expect(log).toEqual([]);
    expect(jest.getTimerCount()).toBe(1);
    expect(setTimeoutSpy).toHaveBeenLastCalledWith(expect.any(Function), 3e9 - MAX);
    jest.advanceTimersByTime(3e9 - MAX - 1);
    expect(log).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(log).toEqual([`far@${t0 + 3e9}`]);
    expect(jest.getTimerCount()).toBe(0);
  });
});
