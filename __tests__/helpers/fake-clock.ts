import type { AbortSignalLike, Clock } from '../../lib/time/clock.js';

interface Sleeper {
  at: number;
  seq: number;
  resolve: () => void;
}

function abortReason(signal: AbortSignalLike | undefined): unknown {
  return signal?.reason ?? new Error('aborted');
}

/**
 * A clock that only moves when told to. `advance(ms)` wakes every sleeper whose
 * time has come, in order, letting promise callbacks run between wake-ups.
 */
export class FakeClock implements Clock {
  private t: number;
  private seq = 0;
  private sleepers: Sleeper[] = [];
  /** Every sleep requested, in order (ms). */
  readonly sleeps: number[] = [];

  constructor(start = 1_000) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  /** Sleepers not yet woken. */
  get pending(): number {
    return this.sleepers.length;
  }

  sleep(ms: number, signal?: AbortSignalLike): Promise<void> {
    this.sleeps.push(ms);
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortReason(signal));
        return;
      }
      const sleeper: Sleeper = { at: this.t + Math.max(0, ms), seq: this.seq++, resolve: () => undefined };
      const onAbort = (): void => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        reject(abortReason(signal));
      };
      sleeper.resolve = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      signal?.addEventListener('abort', onAbort);
      this.sleepers.push(sleeper);
    });
  }

  /** When the next sleeper wakes (clock time), or undefined when none sleeps. */
  get nextWakeAt(): number | undefined {
    let at: number | undefined;
    for (const s of this.sleepers) if (at === undefined || s.at < at) at = s.at;
    return at;
  }

  /** Moves time forward to the next sleeper's wake-up (nothing when none sleeps). */
  async advanceToNext(): Promise<void> {
    const at = this.nextWakeAt;
    if (at !== undefined) await this.advance(Math.max(0, at - this.t));
  }

  /** Moves time forward by `ms`, waking due sleepers one by one. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await flushMicrotasks();
      const due = this.sleepers
        .filter((s) => s.at <= end)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (due === undefined) break;
      this.sleepers = this.sleepers.filter((s) => s !== due);
      this.t = Math.max(this.t, due.at);
      due.resolve();
    }
    this.t = end;
    await flushMicrotasks();
  }
}

/** Lets every queued promise callback run (several rounds, for chained awaits). */
export async function flushMicrotasks(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}

/** A seeded uniform random source in [0, 1) (mulberry32), for repeatable tests. */
export { seededRandom } from '../../samples/support/seeded-random.js';
