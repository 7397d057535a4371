/**
 * `redisFleet()`: a {@link FleetLink} over Redis. Processes that share a
 * `prefix` share what they learn about a backend: breaker transitions over
 * pub/sub, the trial lease and the retry tokens in keys (see `scripts.ts`).
 *
 * It sends commands with the user's client and subscribes with one duplicate
 * of it, made when a client attaches and closed by `close()` (the client's
 * `dispose()`); the user's own client stays open. Every operation is one
 * `EVAL`, sent only while the connection is ready and bounded by
 * `opTimeoutMs`: with Redis down or slow it fails fast and the client goes on
 * with its own state. Both Redis clients reconnect (and resubscribe) by
 * themselves, so sharing resumes when Redis is back.
 */
import { ConfigError } from '../common/config-error.js';
import * as v from '../common/validate.js';
import type { FleetAdopt, FleetChange, FleetLink, TrialLease } from '../fleet/fleet-link.js';
import { startTimer, stopTimer } from '../time/clock.js';
import { redisCommands } from './redis-client.js';
import type { RedisCommands, Subscription } from './redis-client.js';
import { BUDGET_SCRIPT, BUDGET_TTL_MS, CLOSE_SCRIPT, LEASE_SCRIPT, OPEN_SCRIPT, names } from './scripts.js';

/** `redisFleet()` options. */
export interface RedisFleetOptions {
  /**
   * A connected (or connecting) client: ioredis `new Redis(...)` (>= 5) or node-redis
   * `createClient(...)` (>= 4); not a cluster. It is used, never closed; give it an
   * `'error'` listener, as for any use of it.
   */
  redis: object;
  /** Namespace of the keys and the channel: processes with the same prefix form a fleet. @default 'resilient-axios:' */
  prefix?: string;
  /** What a remote open does to a CLOSED local breaker (see {@link FleetAdopt}). @default 'verify' */
  adopt?: FleetAdopt;
  /** Bound on every Redis operation, in ms (> 0); also the longest a trial waits for its lease. @default 250 */
  opTimeoutMs?: number;
}

/** What a link has done since it was made. */
export interface RedisFleetStats {
  /** Commands and subscription both connected now. */
  readonly connected: boolean;
  /** Changes published. */
  readonly published: number;
  /** Changes received from other processes. */
  readonly received: number;
  /** Messages on the channel that were not a change of this version (another version, or garbage). */
  readonly dropped: number;
  /** Operations that failed or took longer than `opTimeoutMs` (the client went on alone). */
  readonly failed: number;
}

/** The link `redisFleet()` returns: give it to `new ResilientClient({ fleet })`. */
export interface RedisFleet extends FleetLink {
  /** This link's id in the fleet (random). */
  readonly nodeId: string;
  /** Which client was passed. */
  readonly client: RedisCommands['kind'];
  stats(): RedisFleetStats;
}

/**
 * A fleet link over the given Redis client.
 * @example
 * const redis = createClient({ url: process.env.REDIS_URL });
 * await redis.connect();
 * const payments = new ResilientClient({ baseURL, fleet: redisFleet({ redis, prefix: 'payments:' }) });
 * @throws {ConfigError} for an invalid option (a `redis` that is neither client included).
 */
export function redisFleet(options: RedisFleetOptions): RedisFleet {
  const o = v.record('redisFleet', options, ['redis', 'prefix', 'adopt', 'opTimeoutMs']);
  return new RedisFleetLink(
    redisCommands(o.redis),
    o.prefix === undefined ? 'resilient-axios:' : v.string('redisFleet.prefix', o.prefix),
    o.adopt === undefined ? 'verify' : v.oneOf('redisFleet.adopt', o.adopt, ['verify', 'trust'] as const),
    o.opTimeoutMs === undefined ? 250 : v.number('redisFleet.opTimeoutMs', o.opTimeoutMs, 0, { exclusiveMin: true }),
  );
}

/** The wire format of a change (version 1): at most a few hundred bytes. */
interface Message {
  v: 1;
  t: 'open' | 'close';
  k: string;
  n: string;
  r?: number;
  f?: number;
}

function randomId(): string {
  const bytes = new Uint8Array(8);
  const c = (globalThis as { crypto?: { getRandomValues?: (a: Uint8Array) => Uint8Array } }).crypto;
  if (c?.getRandomValues !== undefined) c.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

class RedisFleetLink implements RedisFleet {
  readonly nodeId = randomId();
  private readonly names: ReturnType<typeof names>;
  private readonly listeners = new Set<(change: FleetChange) => void>();
  private subscription: Subscription | undefined = undefined;
  private closing: Promise<void> | undefined = undefined;
  private readonly n = { published: 0, received: 0, dropped: 0, failed: 0 };

  constructor(
    private readonly redis: RedisCommands,
    prefix: string,
    readonly adopt: FleetAdopt,
    readonly opTimeoutMs: number,
  ) {
    this.names = names(prefix);
  }

  get client(): RedisCommands['kind'] {
    return this.redis.kind;
  }

  publish(change: FleetChange): void {
    const lease = this.names.lease(change.key);
    const message: Message = { v: 1, t: change.type, k: change.key, n: this.nodeId };
    let args: string[];
    if (change.type === 'open') {
      message.r = Math.max(0, Math.round(change.remainingMs));
      message.f = change.failures;
      args = ['EVAL', OPEN_SCRIPT, '1', lease, this.nodeId, String(message.r), this.names.channel, JSON.stringify(message)];
    } else {
      args = ['EVAL', CLOSE_SCRIPT, '1', lease, this.names.channel, JSON.stringify(message)];
    }
    this.op(args).then(() => this.n.published++, () => undefined);
  }

  async acquireTrialLease(key: string, ttlMs: number): Promise<TrialLease> {
    const left = Number(await this.op(['EVAL', LEASE_SCRIPT, '1', this.names.lease(key), this.nodeId, String(Math.max(1, Math.ceil(ttlMs)))]));
    return left > 0 ? { kind: 'held', remainingMs: left } : { kind: 'granted' };
  }

  async reconcileBudget(change: number, capacity: number): Promise<number> {
    const tokens = Number(await this.op(['EVAL', BUDGET_SCRIPT, '1', this.names.budget, String(change), String(capacity), String(BUDGET_TTL_MS)]));
    if (!Number.isFinite(tokens)) throw new Error(`redis answered ${String(tokens)} for the retry tokens`);
    return tokens;
  }

  onRemote(listener: (change: FleetChange) => void): () => void {
    if (this.closing !== undefined) throw new ConfigError('fleet', this, 'a fleet link that is not closed');
    this.listeners.add(listener);
    this.subscription ??= this.redis.subscribe(this.names.channel, this.receive);
    return () => this.listeners.delete(listener);
  }

  close(): Promise<void> {
    this.closing ??= this.subscription?.close() ?? Promise.resolve();
    this.listeners.clear();
    return this.closing;
  }

  stats(): RedisFleetStats {
    const connected = this.closing === undefined && this.redis.ready() && this.subscription?.ready() === true;
    return { connected, ...this.n };
  }

  /** One command, only while connected, within `opTimeoutMs`. */
  private op(args: readonly string[]): Promise<unknown> {
    if (this.closing !== undefined) return Promise.reject(new Error('the fleet link is closed'));
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (err: unknown): void => {
        if (settled) return;
        settled = true;
        stopTimer(timer);
        this.n.failed++;
        reject(err);
      };
      const timer = startTimer(() => fail(new Error(`redis did not answer within ${this.opTimeoutMs} ms`)), this.opTimeoutMs);
      (timer as unknown as { unref?: () => void }).unref?.();
      this.redis.send(args).then((value) => {
        if (settled) return;
        settled = true;
        stopTimer(timer);
        resolve(value);
      }, fail);
    });
  }

  private readonly receive = (raw: string): void => {
    const change = this.parse(raw);
    if (change === null) return; // our own, back from the channel
    if (change === undefined) {
      this.n.dropped++;
      return;
    }
    this.n.received++;
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch {
        // a listener's failure is its own; the others still hear
      }
    }
  };

  /** The change another link sent; null for this link's own; undefined for anything else. */
  private parse(raw: string): FleetChange | null | undefined {
    let m: Partial<Message>;
    try {
      m = JSON.parse(raw) as Partial<Message>;
    } catch {
      return undefined;
    }
    if (m === null || typeof m !== 'object' || m.v !== 1 || typeof m.k !== 'string') return undefined;
    if (m.n === this.nodeId) return null;
    if (m.t === 'close') return { type: 'close', key: m.k };
    if (m.t !== 'open' || typeof m.r !== 'number' || !(m.r >= 0) || typeof m.f !== 'number') return undefined;
    return { type: 'open', key: m.k, remainingMs: m.r, failures: m.f };
  }
}
