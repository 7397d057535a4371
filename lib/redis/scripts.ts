/**
 * The fleet's Redis keys and its Lua scripts: each operation is one `EVAL`, so
 * one round trip, atomic, and timed by Redis's own clock (`PX`, `PTTL`): no
 * process's wall clock is ever compared with another's.
 *
 * | name                      | what                                                  | lifetime                         |
 * |---------------------------|-------------------------------------------------------|----------------------------------|
 * | `<prefix>events`          | pub/sub channel: opens and closes, JSON               | not stored                       |
 * | `<prefix>lease:<key>`     | string: the node that sends the next trial of `key`   | `PX`: the open period or trial   |
 * | `<prefix>budget`          | string: the fleet's retry tokens                      | `PX` {@link BUDGET_TTL_MS}       |
 */

/** The fleet's bucket is forgotten (so starts full again) after this long without a sync, in ms. */
export const BUDGET_TTL_MS = 600_000;

/** Key and channel names under `prefix`. */
export function names(prefix: string): { channel: string; budget: string; lease: (key: string) => string } {
  return { channel: `${prefix}events`, budget: `${prefix}budget`, lease: (key) => `${prefix}lease:${key}` };
}

/**
 * A local open: the opener takes the fleet's next trial for its open period, unless
 * another node already holds it longer (the opener's own lease, a trial's, is replaced);
 * then the message goes out.
 * KEYS[1] lease; ARGV: nodeId, remainingMs, channel, message. Returns the receivers.
 */
export const OPEN_SCRIPT = `
local ms = tonumber(ARGV[2])
if ms >= 1 and (redis.call('GET', KEYS[1]) == ARGV[1] or redis.call('PTTL', KEYS[1]) < ms) then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', math.floor(ms))
end
return redis.call('PUBLISH', ARGV[3], ARGV[4])`;

/**
 * A trial closed the breaker: the backend is back, so any lease is stale.
 * KEYS[1] lease; ARGV: channel, message. Returns the receivers.
 */
export const CLOSE_SCRIPT = `
redis.call('DEL', KEYS[1])
return redis.call('PUBLISH', ARGV[1], ARGV[2])`;

/**
 * The trial lease: free, or already this node's (its own open period), means granted
 * for `ttlMs`; else the holder's remaining ms.
 * KEYS[1] lease; ARGV: nodeId, ttlMs. Returns 0 (granted) or the ms left (>= 1).
 */
export const LEASE_SCRIPT = `
local holder = redis.call('GET', KEYS[1])
if not holder or holder == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 0
end
local left = redis.call('PTTL', KEYS[1])
if left < 1 then left = 1 end
return left`;

/**
 * The fleet's token bucket takes one node's change, within [0, capacity]; a missing
 * bucket starts full. KEYS[1] budget; ARGV: change, capacity, ttlMs. Returns the
 * tokens as a string (they need not be integers).
 */
export const BUDGET_SCRIPT = `
local capacity = tonumber(ARGV[2])
local tokens = (tonumber(redis.call('GET', KEYS[1])) or capacity) + tonumber(ARGV[1])
if tokens > capacity then tokens = capacity elseif tokens < 0 then tokens = 0 end
redis.call('SET', KEYS[1], tostring(tokens), 'PX', ARGV[3])
return tostring(tokens)`;
