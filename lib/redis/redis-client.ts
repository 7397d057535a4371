/**
 * The user's Redis client, whichever it is: ioredis (>= 5) or node-redis
 * (`redis` >= 4), told apart by duck typing (neither package is imported, so
 * neither is needed to load this entry). Commands go out only while the
 * connection is ready: both clients would otherwise queue them offline and
 * replay stale ones when Redis comes back (ioredis holds them indefinitely,
 * node-redis for 5 s, as measured).
 */
import { ConfigError } from '../common/config-error.js';

/** The Redis commands the fleet link needs, over either client. */
export interface RedisCommands {
  readonly kind: 'ioredis' | 'node-redis';
  /** True while the connection is ready for commands. */
  ready(): boolean;
  /** Sends one command (string arguments); rejects at once when not ready. */
  send(args: readonly string[]): Promise<unknown>;
  /** A duplicate connection of the same client, subscribed to `channel` (again after each reconnect). */
  subscribe(channel: string, onMessage: (message: string) => void): Subscription;
}

/** The duplicate connection that holds the subscription. */
export interface Subscription {
  /** True while it is connected (and so subscribed). */
  ready(): boolean;
  /** Closes the duplicate connection at once. */
  close(): Promise<void>;
}

interface Emitter {
  on(event: string, listener: (...args: never[]) => void): unknown;
}

/** What the link uses of an ioredis `Redis`. */
interface IoRedisLike extends Emitter {
  readonly status: string;
  call(command: string, ...args: string[]): Promise<unknown>;
  duplicate(override?: Record<string, unknown>): IoRedisLike;
  subscribe(channel: string): Promise<unknown>;
  disconnect(): void;
}

/** What the link uses of a node-redis client (v4 and later). */
interface NodeRedisLike extends Emitter {
  readonly isReady: boolean;
  sendCommand(args: string[]): Promise<unknown>;
  duplicate(): NodeRedisLike;
  connect(): Promise<unknown>;
  subscribe(channel: string, listener: (message: string, channel: string) => void): Promise<unknown>;
  destroy?(): void;
  disconnect(): Promise<void>;
}

function ignore(): void {
  // errors of our own connection are seen through ready(); the client reconnects by itself
}

function notReady(): Promise<never> {
  return Promise.reject(new Error('redis is not connected'));
}

function isFunction(x: unknown): boolean {
  return typeof x === 'function';
}

/**
 * Wraps the user's client.
 * @throws {ConfigError} for anything that is neither an ioredis nor a node-redis client (a cluster included).
 */
export function redisCommands(client: unknown): RedisCommands {
  const c = client as Record<string, unknown> | null;
  if (c !== null && typeof c === 'object' && isFunction(c.duplicate)) {
    if (isFunction(c.call) && typeof c.status === 'string' && !isFunction(c.nodes)) return ioredis(client as IoRedisLike);
    if (isFunction(c.sendCommand) && typeof c.isReady === 'boolean' && !isFunction(c.getMasters)) return nodeRedis(client as NodeRedisLike);
  }
  throw new ConfigError('redis', client, 'an ioredis (>= 5) or node-redis (`redis` >= 4) client, not a cluster');
}

function ioredis(client: IoRedisLike): RedisCommands {
  return {
    kind: 'ioredis',
    ready: () => client.status === 'ready',
    send: (args) => (client.status === 'ready' ? client.call(args[0], ...args.slice(1)) : notReady()),
    subscribe(channel, onMessage) {
      // Our own options for our own connection: connect now, resubscribe after reconnects.
      const sub = client.duplicate({ lazyConnect: false, autoResubscribe: true, enableOfflineQueue: true });
      sub.on('error', ignore);
      sub.on('message', (from: string, message: string) => {
        if (from === channel) onMessage(message);
      });
      sub.subscribe(channel).catch(ignore);
      return {
        ready: () => sub.status === 'ready',
        close: () => {
          sub.disconnect();
          return Promise.resolve();
        },
      };
    },
  };
}

function nodeRedis(client: NodeRedisLike): RedisCommands {
  return {
    kind: 'node-redis',
    ready: () => client.isReady,
    send: (args) => (client.isReady ? client.sendCommand([...args]) : notReady()),
    subscribe(channel, onMessage) {
      // node-redis resubscribes by itself after a reconnect; connect() retries until Redis is there.
      const sub = client.duplicate();
      sub.on('error', ignore);
      let closed = false;
      sub.connect().then(() => (closed ? undefined : sub.subscribe(channel, (message) => onMessage(message)))).catch(ignore);
      return {
        ready: () => sub.isReady,
        close: () => {
          closed = true;
          if (sub.destroy !== undefined) {
            sub.destroy(); // v5 and later
            return Promise.resolve();
          }
          return sub.disconnect().catch(ignore); // v4
        },
      };
    },
  };
}
