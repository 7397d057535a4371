/**
 * The feature floor: the least an interceptor-based client pays on scenario 1's
 * path (one successful attempt) for the work the SPEC's defaults require, and
 * nothing else. A measuring instrument, not a client: no retry, no option, no
 * error path, no hedging, no bulkhead, no safe forms.
 *
 * - `calls`: a synchronous request interceptor gives each call an id and an
 *   attempt object (carried on the config, and its abort signal), takes over
 *   the adapter and gives it back in the response interceptor.
 * - `clock`: reads the clock when the call starts, when the attempt is sent and
 *   when it ends (the deadline, the attempt's limit, the durations).
 * - `deadline`: the attempt is cut at min(attempt limit, time left) whatever
 *   the adapter does: an entry in one shared, sorted list of deadlines with one
 *   timer, and a promise of our own around the adapter's (the only way to
 *   settle what axios waits for when an adapter never settles).
 * - `breaker`: the breaker is asked before sending; the attempt's outcome goes
 *   into its rate window (10 one-second buckets) and its consecutive count; the
 *   retry budget gets its deposit.
 * - `events`: `attempt` and `success`, with their payloads, to a listener.
 *
 * `require('./feature-floor.cjs')` is every feature; `withFeatures([...])`
 * builds a client class with only some, so that each step's cost can be
 * measured (`npx tsx bench/ab.ts` and `npx tsx bench/instructions.ts` take a
 * module that exports a `ResilientClient` class).
 */
'use strict';
const axios = require('axios');
const EventEmitter = require('eventemitter3');

const STATE = '__featureFloor';
let lastId = 0;

/** One timer for every attempt in flight, armed for the earliest deadline; held only while one is. */
class Deadlines {
  constructor() {
    this.head = undefined;
    this.tail = undefined;
    this.timer = undefined;
    this.armedAt = Infinity;
  }

  add(entry) {
    entry.prev = this.tail;
    entry.next = undefined;
    if (this.tail === undefined) this.head = entry;
    else this.tail.next = entry;
    this.tail = entry;
    if (entry.deadline < this.armedAt) this.arm(entry.deadline);
    else this.timer.ref();
  }

  remove(entry) {
    if (entry.prev === undefined && this.head !== entry) return;
    if (entry.prev === undefined) this.head = entry.next;
    else entry.prev.next = entry.next;
    if (entry.next === undefined) this.tail = entry.prev;
    else entry.next.prev = entry.prev;
    entry.prev = entry.next = undefined;
    if (this.head === undefined) this.timer.unref();
  }

  arm(deadline) {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.armedAt = deadline;
    this.timer = setTimeout(() => this.fire(), Math.max(0, deadline - performance.now()));
  }

  fire() {
    this.armedAt = Infinity;
    const now = performance.now();
    for (let e = this.head; e !== undefined && e.deadline <= now; e = this.head) {
      this.remove(e);
      e.cut(new Error('attempt timed out'));
    }
    if (this.head !== undefined) this.arm(this.head.deadline);
  }
}

/** A breaker's rate window and consecutive count, and a retry budget. */
class Breaker {
  constructor() {
    this.calls = new Int32Array(10);
    this.failures = new Int32Array(10);
    this.second = -1;
    this.consecutive = 0;
    this.open = false;
    this.tokens = 0;
  }

  record(now, ok) {
    const second = Math.floor(now / 1000);
    if (second !== this.second) {
      const i = second % 10;
      this.calls[i] = 0;
      this.failures[i] = 0;
      this.second = second;
    }
    const i = second % 10;
    this.calls[i]++;
    if (ok) this.consecutive = 0;
    else {
      this.failures[i]++;
      this.consecutive++;
    }
    this.tokens = Math.min(this.tokens + 0.1, 10);
  }
}

class Call {
  constructor(now) {
    this.id = `c${(++lastId).toString(36)}`;
    this.start = now;
    this.deadline = now + 30_000;
    this.adapter = undefined;
  }
}

/** The attempt: its abort signal, its deadline entry and the settlement of our promise. */
class Attempt {
  constructor(call) {
    this.call = call;
    this.number = 1;
    this.aborted = false;
    this.reason = undefined;
    this.sentAt = 0;
    this.deadline = Infinity;
    this.prev = undefined;
    this.next = undefined;
    this.resolve = undefined;
    this.reject = undefined;
  }

  addEventListener() {}

  removeEventListener() {}

  cut(err) {
    this.aborted = true;
    this.reason = err;
    this.reject(err);
  }
}

const zero = () => 0;

/** A client class with only the given features (see the module comment). */
function withFeatures(features) {
  const on = new Set(features);
  const now = on.has('clock') ? () => performance.now() : zero;
  const deadline = on.has('deadline');
  const breakerOn = on.has('breaker');
  const events = on.has('events');

  return class ResilientClient extends EventEmitter {
    constructor(config) {
      super();
      const instance = (this.axios = axios.create(config));
      const deadlines = new Deadlines();
      const breaker = new Breaker();
      const emitter = this;

      const send = (config) => {
        const attempt = config[STATE];
        if (breakerOn && breaker.open) return Promise.reject(new Error('circuit open'));
        const t = now();
        attempt.sentAt = t;
        if (events && emitter.listenerCount('attempt') > 0) {
          const call = attempt.call;
          emitter.emit('attempt', { callId: call.id, method: 'GET', url: config.url, attempt: 1, maxAttempts: 3, timeoutMs: 10_000, remainingMs: call.deadline - t, hedge: false });
        }
        const out = attempt.call.adapter(config);
        if (!deadline) return out;
        attempt.deadline = t + 10_000;
        deadlines.add(attempt);
        return new Promise((resolve, reject) => {
          attempt.resolve = resolve;
          attempt.reject = reject;
          out.then(
            (response) => {
              deadlines.remove(attempt);
              resolve(response);
            },
            (err) => {
              deadlines.remove(attempt);
              reject(err);
            },
          );
        });
      };

      instance.interceptors.request.use((config) => {
        const call = new Call(now());
        const attempt = new Attempt(call);
        call.adapter = config.adapter;
        config.adapter = send;
        config.signal = attempt;
        config[STATE] = attempt;
        return config;
      }, undefined, { synchronous: true });

      instance.interceptors.response.use((response) => {
        const config = response.config;
        const call = config[STATE].call;
        const t = now();
        if (breakerOn) breaker.record(t, true);
        config.adapter = call.adapter;
        config.signal = undefined;
        if (events && emitter.listenerCount('success') > 0) {
          emitter.emit('success', { callId: call.id, method: 'GET', url: config.url, status: response.status, attempts: 1, durationMs: t - call.start });
        }
        return response;
      }, (err) => Promise.reject(err));
    }

    get(url, config) {
      return this.axios.get(url, config);
    }
  };
}

module.exports = { ResilientClient: withFeatures(['clock', 'deadline', 'breaker', 'events']), withFeatures };
