/**
 * A bulkhead: at most `max` calls in flight and `queue` waiting, first come
 * first served. A call holds its slot from its start to its end, waits
 * between attempts included, so retries cannot multiply concurrency.
 * No timers here: the engine bounds the wait by the call's own deadline.
 */

/** Somebody waiting for a slot. */
export interface BulkheadWaiter {
  /** Called once, when a slot is handed over. */
  grant(): void;
}

/**
 * Bulkhead limits (`concurrency`).
 * @inline
 */
export interface BulkheadOptions {
  /** Calls in flight at once (integer >= 1). */
  readonly max: number;
  /** Calls allowed to wait for a slot (integer >= 0). */
  readonly queue: number;
}

export class Bulkhead {
  private active = 0;
  private readonly waiters: BulkheadWaiter[] = [];
  private rejectedCount = 0;

  constructor(private options: BulkheadOptions) {}

  /** Takes a slot if one is free. */
  tryEnter(): boolean {
    if (this.active >= this.options.max) return false;
    this.active += 1;
    return true;
  }

  /** Joins the queue if it has room; false (counted as rejected) when it is full. */
  enqueue(waiter: BulkheadWaiter): boolean {
    if (this.waiters.length >= this.options.queue) {
      this.rejectedCount += 1;
      return false;
    }
    this.waiters.push(waiter);
    return true;
  }

  /** Leaves the queue without a slot (deadline, abort). */
  dequeue(waiter: BulkheadWaiter): void {
    const i = this.waiters.indexOf(waiter);
    if (i !== -1) this.waiters.splice(i, 1);
  }

  /** Gives a slot back; the longest waiter gets it. */
  leave(): void {
    // Above the limit (it was lowered at run time): the slot is retired, not handed over.
    const next = this.active > this.options.max ? undefined : this.waiters.shift();
    if (next !== undefined) next.grant();
    else this.active -= 1;
  }

  /** Lets every waiter through at once (the bulkhead is being switched off). */
  drain(): void {
    for (const w of this.waiters.splice(0)) {
      this.active += 1;
      w.grant();
    }
  }

  /** New limits; waiters beyond new free slots keep waiting. */
  setOptions(options: BulkheadOptions): void {
    this.options = options;
    while (this.active < options.max && this.waiters.length > 0) {
      this.active += 1;
      this.waiters.shift()!.grant();
    }
  }

  stats(): {
    /** Calls holding a slot now. */
    readonly active: number;
    /** Calls waiting for a slot now. */
    readonly queued: number;
    /** Calls refused (slots and queue full) since the bulkhead was turned on. */
    readonly rejected: number;
    /** Calls allowed in flight (`concurrency.max`). */
    readonly max: number;
    /** Calls allowed to wait for a slot (`concurrency.queue`). */
    readonly queue: number
  } {
    return { active: this.active, queued: this.waiters.length, rejected: this.rejectedCount, max: this.options.max, queue: this.options.queue };
  }
}
