/**
 * An in-memory fleet for tests without Redis: links that share one hub, with
 * the same semantics as `resilient-axios/redis`'s scripts (the lease taken by
 * an open, granted to a free or own lease, freed by a close; the bucket kept
 * within [0, capacity], starting full), timed by a FakeClock. Messages are
 * delivered in a later microtask, as pub/sub would. The hub can be taken down
 * (every operation rejects) or made to hang (no operation settles), and it
 * logs every operation so a test can assert that a call made none.
 */
import type { FleetAdopt, FleetChange, FleetLink, TrialLease } from '../../lib/fleet/fleet-link.js';
import type { FakeClock } from './fake-clock.js';

/** One operation a link made, in order. */
export type HubOp =
  | { readonly op: 'publish'; readonly from: string; readonly change: FleetChange }
  | { readonly op: 'lease'; readonly from: string; readonly key: string; readonly ttlMs: number }
  | { readonly op: 'budget'; readonly from: string; readonly change: number; readonly capacity: number };

export class MemoryHub {
  readonly ops: HubOp[] = [];
  /** 'up', 'down' (operations reject at once) or 'hang' (they never settle). */
  mode: 'up' | 'down' | 'hang' = 'up';
  /** How long an operation takes (on the fake clock) before it answers. */
  latencyMs = 0;
  tokens: number | undefined = undefined;
  private readonly leases = new Map<string, { holder: string; until: number }>();
  private readonly links: MemoryLink[] = [];

  constructor(readonly clock: FakeClock) {}

  link(name: string, adopt: FleetAdopt = 'verify', opTimeoutMs = 250): MemoryLink {
    const link = new MemoryLink(this, name, adopt, opTimeoutMs);
    this.links.push(link);
    return link;
  }

  /** Who holds `key`'s lease now, if anyone. */
  holder(key: string): string | undefined {
    const lease = this.leases.get(key);
    return lease !== undefined && lease.until > this.clock.now() ? lease.holder : undefined;
  }

  /** @internal the links' side */
  run<T>(op: HubOp, answer: () => T): Promise<T> {
    this.ops.push(op);
    if (this.mode === 'down') return Promise.reject(new Error('hub is down'));
    if (this.mode === 'hang') return new Promise<T>(() => undefined);
    return this.latencyMs === 0 ? Promise.resolve(answer()) : this.clock.sleep(this.latencyMs).then(answer);
  }

  /** @internal */
  publish(from: MemoryLink, change: FleetChange): void {
    void this.run({ op: 'publish', from: from.name, change }, () => {
      const now = this.clock.now();
      const lease = this.leases.get(change.key);
      if (change.type === 'close') this.leases.delete(change.key);
      else if (change.remainingMs >= 1 && (this.holder(change.key) === undefined || lease?.holder === from.name || (lease?.until ?? now) - now < change.remainingMs)) {
        this.leases.set(change.key, { holder: from.name, until: now + change.remainingMs });
      }
      queueMicrotask(() => {
        for (const link of this.links) if (link !== from) link.deliver(change);
      });
    }).catch(() => undefined);
  }

  /** @internal */
  lease(from: MemoryLink, key: string, ttlMs: number): Promise<TrialLease> {
    return this.run({ op: 'lease', from: from.name, key, ttlMs }, () => {
      const now = this.clock.now();
      const holder = this.holder(key);
      if (holder === undefined || holder === from.name) {
        this.leases.set(key, { holder: from.name, until: now + ttlMs });
        return { kind: 'granted' } as const;
      }
      return { kind: 'held', remainingMs: Math.max(1, (this.leases.get(key)?.until ?? now) - now) } as const;
    });
  }

  /** @internal */
  budget(from: MemoryLink, change: number, capacity: number): Promise<number> {
    return this.run({ op: 'budget', from: from.name, change, capacity }, () => {
      this.tokens = Math.min(capacity, Math.max(0, (this.tokens ?? capacity) + change));
      return this.tokens;
    });
  }
}

export class MemoryLink implements FleetLink {
  private readonly listeners = new Set<(change: FleetChange) => void>();
  closed = false;

  constructor(
    private readonly hub: MemoryHub,
    readonly name: string,
    readonly adopt: FleetAdopt,
    readonly opTimeoutMs: number,
  ) {}

  publish(change: FleetChange): void {
    this.hub.publish(this, change);
  }

  acquireTrialLease(key: string, ttlMs: number): Promise<TrialLease> {
    return this.hub.lease(this, key, ttlMs);
  }

  reconcileBudget(change: number, capacity: number): Promise<number> {
    return this.hub.budget(this, change, capacity);
  }

  onRemote(listener: (change: FleetChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  /** @internal */
  deliver(change: FleetChange): void {
    if (this.hub.mode !== 'up' || this.closed) return;
    for (const listener of this.listeners) listener(change);
  }
}
