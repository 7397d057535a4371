/**
 * One timer for every attempt in flight. Attempts are kept in a list sorted by
 * deadline (new ones usually go at the tail: O(1)); the timer is armed for the
 * head only. A call pays a list insert and unlink instead of a
 * setTimeout/clearTimeout pair (~0.35 µs on Node 20).
 *
 * With the system clock the Node timer is `unref()`ed whenever no attempt is in
 * flight, so a script that made its calls exits by itself; with an injected
 * clock the wait goes through `clock.sleep` and is cancelled instead. A deadline
 * further away than one timer can wait ({@link MAX_TIMER_MS}) is reached in
 * steps: a capped timer wakes, finds nothing due and re-arms.
 */
import { MAX_TIMER_MS, startTimer, stopTimer, systemClock } from './clock.js';
import type { Clock, TimerHandle } from './clock.js';
import { LiteSignal } from './lite-signal.js';

/** An entry: the scheduler links it in place (no wrapper allocated). */
export interface Expiring {
  deadline: number;
  prevExpiring: Expiring | undefined;
  nextExpiring: Expiring | undefined;
  /** Called once when `deadline` has passed while still scheduled. */
  expire(now: number): void;
}

type NodeTimer = { ref?(): unknown; unref?(): unknown };

export class DeadlineScheduler {
  private head: Expiring | undefined = undefined;
  private tail: Expiring | undefined = undefined;
  private armedAt = Infinity;
  private timer: TimerHandle | undefined = undefined;
  private sleepCancel: LiteSignal | undefined = undefined;
  private held = false;
  private readonly fire = (): void => this.onTimer();

  constructor(private readonly clock: Clock = systemClock) {}

  /** Nothing scheduled. */
  get idle(): boolean {
    return this.head === undefined;
  }

  /** Schedules `e` (which must not be scheduled already). An infinite deadline is kept but never fires. */
  add(e: Expiring): void {
    let after = this.tail;
    while (after !== undefined && after.deadline > e.deadline) after = after.prevExpiring;
    e.prevExpiring = after;
    e.nextExpiring = after === undefined ? this.head : after.nextExpiring;
    if (e.nextExpiring === undefined) this.tail = e;
    else e.nextExpiring.prevExpiring = e;
    if (after === undefined) this.head = e;
    else after.nextExpiring = e;
    if (e.deadline < this.armedAt && e.deadline !== Infinity) this.arm(e.deadline);
    else if (!this.held) this.hold(true);
  }

  /** Unschedules `e`; harmless when it is not scheduled. */
  remove(e: Expiring): void {
    const { prevExpiring: p, nextExpiring: n } = e;
    if (p === undefined && this.head !== e) return;
    if (p === undefined) this.head = n;
    else p.nextExpiring = n;
    if (n === undefined) this.tail = p;
    else n.prevExpiring = p;
    e.prevExpiring = undefined;
    e.nextExpiring = undefined;
    if (this.head === undefined) this.hold(false);
  }

  /** Drops every entry without expiring it and stops the timer. */
  clear(): void {
    for (let e = this.head; e !== undefined; ) {
      const next = e.nextExpiring;
      e.prevExpiring = e.nextExpiring = undefined;
      e = next;
    }
    this.head = this.tail = undefined;
    this.disarm();
  }

  private onTimer(): void {
    this.timer = undefined;
    this.sleepCancel = undefined;
    this.armedAt = Infinity;
    const now = this.clock.now();
    try {
      for (let e = this.head; e !== undefined && e.deadline <= now; e = this.head) {
        this.remove(e);
        e.expire(now);
      }
    } finally {
      // Even if an expiry threw (a faulty abort listener), the rest stay scheduled.
      if (this.head !== undefined && this.head.deadline !== Infinity) this.arm(this.head.deadline);
    }
  }

  /** Every scheduled entry, soonest first (for shutdown). */
  entries(): Expiring[] {
    const out: Expiring[] = [];
    for (let e = this.head; e !== undefined; e = e.nextExpiring) out.push(e);
    return out;
  }

  private arm(deadline: number): void {
    this.disarm();
    this.armedAt = deadline;
    const ms = Math.min(MAX_TIMER_MS, Math.max(0, Math.ceil(deadline - this.clock.now())));
    if (this.clock === systemClock) {
      this.timer = startTimer(this.fire, ms);
    } else {
      const cancel = (this.sleepCancel = new LiteSignal());
      this.clock.sleep(ms, cancel).then(
        () => { if (this.sleepCancel === cancel) this.fire(); },
        () => undefined,
      );
    }
    this.held = true;
  }

  private disarm(): void {
    if (this.timer !== undefined) stopTimer(this.timer);
    this.sleepCancel?.abort(undefined);
    this.timer = undefined;
    this.sleepCancel = undefined;
    this.armedAt = Infinity;
    this.held = false;
  }

  /** Keeps the process alive while attempts are in flight, and only then. */
  private hold(on: boolean): void {
    if (this.sleepCancel !== undefined) {
      if (!on) this.disarm();
      return;
    }
    const t = this.timer as NodeTimer | undefined;
    if (t === undefined) return;
    this.held = on;
    if (on) t.ref?.();
    else t.unref?.();
  }
}
