/**
 * Records a client's events: one array of payloads per event name, `log` (the
 * names in the order the events fired) and `entries` (name and payload, in order).
 */
import type { ResilientEvents } from '../../lib/report/events.js';
import type { ResilientClient } from '../../lib/resilient-client.js';

type Payload<K extends keyof ResilientEvents> = Parameters<ResilientEvents[K]>[0];

export type Recorded<N extends keyof ResilientEvents> = { [K in N]: Payload<K>[] } & {
  readonly log: N[];
  readonly entries: Array<{ [K in N]: [K, Payload<K>] }[N]>;
};

/** Listens to each of `names` on `client`; the arrays fill as the events fire. */
export function recordEvents<N extends keyof ResilientEvents>(client: ResilientClient, ...names: N[]): Recorded<N> {
  const log: N[] = [];
  const entries: Array<[N, unknown]> = [];
  const recorded: Record<string, unknown> = { log, entries };
  for (const name of names) {
    const list: unknown[] = [];
    recorded[name] = list;
    (client.on as (event: N, fn: (e: unknown) => void) => unknown).call(client, name, (e) => {
      list.push(e);
      log.push(name);
      entries.push([name, e]);
    });
  }
  return recorded as Recorded<N>;
}
