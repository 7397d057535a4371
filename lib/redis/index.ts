/**
 * `resilient-axios/redis`: breakers and the retry budget shared by the
 * processes of a fleet through Redis. Node only; bring your own client
 * (`ioredis` >= 5 or `redis` >= 4, optional peer dependencies).
 *
 * @example
 * import { ResilientClient } from 'resilient-axios';
 * import { redisFleet } from 'resilient-axios/redis';
 * const client = new ResilientClient({ baseURL, fleet: redisFleet({ redis }) });
 */
export { redisFleet } from './redis-fleet.js';
export type { RedisFleet, RedisFleetOptions, RedisFleetStats } from './redis-fleet.js';
export type { FleetAdopt, FleetChange, FleetLink, TrialLease } from '../fleet/fleet-link.js';
