import { systemClock } from '../../lib/time/clock.js';
import type { AbortSignalLike } from '../../lib/time/clock.js';
import { LiteSignal } from '../../lib/time/lite-signal.js';

/** Tracks a promise's state without awaiting it. */
function track(p: Promise<void>): { state: () => 'pending' | 'resolved' | 'rejected'; reason: () => unknown } {
  let state: 'pending' | 'resolved' | 'rejected' = 'pending';
  let reason: unknown;
  p.then(
    () => {
      state = 'resolved';
    },
    (err: unknown) => {
      state = 'rejected';
      reason = err;
    },
  );
  return { state: () => state, reason: () => reason };
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

/** Moves jest's fake timers forward by `ms`, then lets promise callbacks run. */
const advance = async (ms: number): Promise<void> => {
  jest.advanceTimersByTime(ms);
  await settle();
};

describe('systemClock.now', () => {
  it('is a monotonic number of milliseconds', () => {
    const a = systemClock.now();
    const b = systemClock.now();
    expect(typeof a).toBe('number');
    expect(Number.isFinite(a)).toBe(true);
    expect(b).toBeGreaterThanOrEqual(a);
  });

  it('follows performance.now()', () => {
    const spy = jest.spyOn(performance, 'now').mockReturnValue(1234.5);
    try {
      expect(systemClock.now()).toBe(1234.5);
    } finally {
      spy.mockRestore();
    }
  });

  it('falls back to Date.now() where performance is missing, read at each call', () => {
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'performance');
    Object.defineProperty(globalThis, 'performance', { value: undefined, configurable: true, writable: true });
    const dateNow = jest.spyOn(Date, 'now').mockReturnValue(42_000);
    try {
      expect(systemClock.now()).toBe(42_000);
    } finally {
      dateNow.mockRestore();
      if (saved) Object.defineProperty(globalThis, 'performance', saved);
    }
    expect(systemClock.now()).not.toBe(42_000);
  });

  it('reads the global performance object at each call, not a copy taken at import', () => {
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'performance');
    Object.defineProperty(globalThis, 'performance', { value: { now: () => 7 }, configurable: true, writable: true });
    try {
      expect(systemClock.now()).toBe(7);
    } finally {
      if (saved) Object.defineProperty(globalThis, 'performance', saved);
    }
  });
});

describe('systemClock driven by jest.useFakeTimers() alone (no clock option)', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('moves now() by exactly the time advanced', () => {
    jest.useFakeTimers();
    const start = systemClock.now();
    jest.advanceTimersByTime(1_000);
    expect(systemClock.now() - start).toBe(1_000);
    jest.advanceTimersByTime(250);
    expect(systemClock.now() - start).toBe(1_250);
  });

  it('resolves sleep(1000) once 1,000 ms are advanced', async () => {
    jest.useFakeTimers();
    const t = track(systemClock.sleep(1_000));
    await advance(999);
    expect(t.state()).toBe('pending');
    await advance(1);
    expect(t.state()).toBe('resolved');
  });

  it('follows the real clock again after jest.useRealTimers()', () => {
    jest.useFakeTimers({ now: 0 });
    jest.advanceTimersByTime(5_000);
    jest.useRealTimers();
    const real = performance.now();
    expect(Math.abs(systemClock.now() - real)).toBeLessThan(1_000);
  });
});

describe('systemClock.sleep (real timers)', () => {
  it('resolves after a short real wait', async () => {
    await expect(systemClock.sleep(5)).resolves.toBeUndefined();
    const c = new AbortController();
    await expect(systemClock.sleep(5, c.signal)).resolves.toBeUndefined();
  });

  it('rejects with the reason when a real AbortController aborts', async () => {
    const c = new AbortController();
    const p = systemClock.sleep(10_000, c.signal);
    const reason = new Error('stop');
    c.abort(reason);
    await expect(p).rejects.toBe(reason);
  });

  it("rejects with the AbortController's default reason", async () => {
    const c = new AbortController();
    const p = systemClock.sleep(10_000, c.signal);
    c.abort();
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('systemClock.sleep (jest fake timers)', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });

  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('resolves after exactly ms, not before', async () => {
    const t = track(systemClock.sleep(100));
    expect(jest.getTimerCount()).toBe(1);
    await advance(99);
    expect(t.state()).toBe('pending');
    await advance(1);
    expect(t.state()).toBe('resolved');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('resolves with a signal that never aborts, removing its abort listener', async () => {
    const c = new AbortController();
    const add = jest.spyOn(c.signal, 'addEventListener');
    const remove = jest.spyOn(c.signal, 'removeEventListener');
    const t = track(systemClock.sleep(50, c.signal));
    expect(add).toHaveBeenCalledTimes(1);
    const listener = add.mock.calls[0][1];
    await advance(50);
    expect(t.state()).toBe('resolved');
    expect(remove).toHaveBeenCalledTimes(1);
    expect(remove).toHaveBeenCalledWith('abort', listener);
    c.abort(new Error('late'));
    await settle();
    expect(t.state()).toBe('resolved');
  });

  it('leaves no listener on a LiteSignal after resolving', async () => {
    const s = new LiteSignal();
    const t = track(systemClock.sleep(10, s));
    expect((s as unknown as { first: unknown }).first).toBeInstanceOf(Function);
    await advance(10);
    expect(t.state()).toBe('resolved');
    expect((s as unknown as { first: unknown }).first).toBeUndefined();
  });

  it('rejects with the reason on abort and clears its timer', async () => {
    const s = new LiteSignal();
    const t = track(systemClock.sleep(1_000, s));
    jest.advanceTimersByTime(500);
    const reason = new Error('deadline');
    s.abort(reason);
    await settle();
    expect(t.state()).toBe('rejected');
    expect(t.reason()).toBe(reason);
    expect(jest.getTimerCount()).toBe(0);
  });

  it("rejects with Error('aborted') when the signal has no reason", async () => {
    const s = new LiteSignal();
    const t = track(systemClock.sleep(1_000, s));
    s.abort(undefined);
    await settle();
    expect(t.state()).toBe('rejected');
    expect(t.reason()).toEqual(new Error('aborted'));
  });

  it('rejects at once for an already-aborted signal, without a timer or listener', async () => {
    const reason = new Error('already');
    const signal: AbortSignalLike = {
      aborted: true,
      reason,
      addEventListener: jest.fn(),
      removeEventListener: jest.fn(),
    };
    const t = track(systemClock.sleep(1_000, signal));
    expect(jest.getTimerCount()).toBe(0);
    await settle();
    expect(t.state()).toBe('rejected');
    expect(t.reason()).toBe(reason);
    expect(signal.addEventListener).not.toHaveBeenCalled();
    const bare = track(systemClock.sleep(1, { ...signal, reason: undefined }));
    await settle();
    expect(bare.reason()).toEqual(new Error('aborted'));
  });

  it('honours the reason of an aborted AbortSignal', async () => {
    const c = new AbortController();
    c.abort('why');
    await expect(systemClock.sleep(1, c.signal)).rejects.toBe('why');
  });
});

describe('systemClock.sleep past the largest timer delay (2^31 - 1 ms)', () => {
  const MAX = 2_147_483_647;

  beforeEach(() => {
    jest.useFakeTimers();
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  it('really waits 3e9 ms instead of firing at once (setTimeout overflow)', async () => {
    const t = track(systemClock.sleep(3e9));
    await advance(10);
    expect(t.state()).toBe('pending');
    await advance(MAX - 10);
    expect(t.state()).toBe('pending');
    expect(jest.getTimerCount()).toBe(1);
    await advance(3e9 - MAX - 1);
    expect(t.state()).toBe('pending');
    await advance(1);
    expect(t.state()).toBe('resolved');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('waits exactly 2^31 - 1 ms on a single timer', async () => {
    const t = track(systemClock.sleep(MAX, new LiteSignal()));
    await advance(MAX - 1);
    expect(t.state()).toBe('pending');
    await advance(1);
    expect(t.state()).toBe('resolved');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('stays abortable across the chained timers and leaves none behind', async () => {
    const s = new LiteSignal();
    const t = track(systemClock.sleep(5e9, s));
    await advance(MAX + 1_000);
    expect(t.state()).toBe('pending');
    expect(jest.getTimerCount()).toBe(1);
    const reason = new Error('stop');
    s.abort(reason);
    await settle();
    expect(t.state()).toBe('rejected');
    expect(t.reason()).toBe(reason);
    expect(jest.getTimerCount()).toBe(0);
    expect((s as unknown as { first: unknown }).first).toBeUndefined();
  });

  it('removes its abort listener when a chained wait resolves', async () => {
    const s = new LiteSignal();
    const t = track(systemClock.sleep(MAX + 5, s));
    await advance(MAX + 5);
    expect(t.state()).toBe('resolved');
    expect((s as unknown as { first: unknown }).first).toBeUndefined();
  });

  it('never resolves sleep(Infinity), yet aborts it cleanly', async () => {
    const s = new LiteSignal();
    const t = track(systemClock.sleep(Infinity, s));
    await advance(4 * MAX);
    expect(t.state()).toBe('pending');
    s.abort(new Error('enough'));
    await settle();
    expect(t.state()).toBe('rejected');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('resolves NaN and negative waits on the next timer tick, as setTimeout does', async () => {
    const a = track(systemClock.sleep(NaN));
    const b = track(systemClock.sleep(-5, new LiteSignal()));
    await advance(1);
    expect([a.state(), b.state()]).toEqual(['resolved', 'resolved']);
    expect(jest.getTimerCount()).toBe(0);
  });
});
