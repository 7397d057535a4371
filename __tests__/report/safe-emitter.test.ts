/* eslint-disable @typescript-eslint/no-misused-promises -- async listeners that reject are what these tests are about */
import { EventEmitter } from 'eventemitter3';
import { SafeEmitter } from '../../lib/report/safe-emitter.js';
import type { ListenerErrorEvent, ResilientEvents, SuccessEvent } from '../../lib/report/events.js';
import { flushMicrotasks } from '../helpers/fake-clock.js';
import { runTs } from '../helpers/run-ts.js';

/** Exposes the protected emit helpers. */
class TestEmitter extends SafeEmitter {
  emitSafely<K extends keyof ResilientEvents>(event: K, payload: Parameters<ResilientEvents[K]>[0]): void {
    this.fire(event, payload);
  }

  isListening(event: keyof ResilientEvents): boolean {
    return this.listening(event);
  }
}

const success: SuccessEvent = Object.freeze({ callId: 'c1', method: 'GET', url: '/x', attempts: 1, elapsedMs: 5, status: 200 });

describe('SafeEmitter', () => {
  it('is an eventemitter3 EventEmitter', () => {
    expect(new TestEmitter()).toBeInstanceOf(EventEmitter);
  });

  it('does nothing without listeners', () => {
    const e = new TestEmitter();
    expect(() => e.emitSafely('success', success)).not.toThrow();
    expect(e.isListening('success')).toBe(false);
  });

  it('calls a single listener with the payload', () => {
    const e = new TestEmitter();
    const fn = jest.fn();
    e.on('success', fn);
    expect(e.isListening('success')).toBe(true);
    expect(e.isListening('failure')).toBe(false);
    e.emitSafely('success', success);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(fn).toHaveBeenCalledWith(success);
  });

  it('calls several listeners in registration order', () => {
    const e = new TestEmitter();
    const order: string[] = [];
    e.on('success', () => order.push('a'));
    e.on('success', () => order.push('b'));
    e.on('success', () => order.push('c'));
    e.emitSafely('success', success);
    expect(order).toEqual(['a', 'b', 'c']);
  });

  it('keeps calling the other listeners when one throws, and reports it as listener-error', () => {
    const e = new TestEmitter();
    const boom = new Error('listener bug');
    const after = jest.fn();
    const reported: ListenerErrorEvent[] = [];
    e.on('listener-error', (ev) => reported.push(ev));
    e.on('success', () => {
      throw boom;
    });
    e.on('success', after);
    expect(() => e.emitSafely('success', success)).not.toThrow();
    expect(after).toHaveBeenCalledWith(success);
    expect(reported).toEqual([{ event: 'success', error: boom }]);
  });

  it('swallows a throwing single listener when nobody listens to listener-error', () => {
    const e = new TestEmitter();
    e.on('retry', () => {
      throw new Error('x');
    });
    expect(() => e.emitSafely('retry', {} as never)).not.toThrow();
  });

  it('does not recurse when a listener-error listener throws', () => {
    const e = new TestEmitter();
    const first = jest.fn(() => {
      throw new Error('listener-error listener bug');
    });
    const second = jest.fn();
    e.on('listener-error', first);
    e.on('listener-error', second);
    e.on('failure', () => {
      throw new Error('x');
    });
    expect(() => e.emitSafely('failure', {} as never)).not.toThrow();
    expect(first).toHaveBeenCalledTimes(1);
    expect(second).toHaveBeenCalledTimes(1);
    expect(() => e.emitSafely('listener-error', { event: 'attempt', error: 1 })).not.toThrow();
    expect(first).toHaveBeenCalledTimes(2);
    expect(second).toHaveBeenCalledTimes(2);
  });

  it('fires a lone once listener exactly once', () => {
    const e = new TestEmitter();
    const fn = jest.fn();
    e.once('circuit-open', fn);
    e.emitSafely('circuit-open', { key: 'k', failures: 5 });
    e.emitSafely('circuit-open', { key: 'k', failures: 6 });
    expect(fn).toHaveBeenCalledTimes(1);
    expect(fn).toHaveBeenCalledWith({ key: 'k', failures: 5 });
    expect(e.isListening('circuit-open')).toBe(false);
  });

  it('fires once listeners once among persistent ones, even when they throw', () => {
    const e = new TestEmitter();
    const persistent = jest.fn();
    const once = jest.fn();
    const throwingOnce = jest.fn(() => {
      throw new Error('once bug');
    });
    e.on('circuit-close', persistent);
    e.once('circuit-close', once);
    e.once('circuit-close', throwingOnce);
    e.emitSafely('circuit-close', { key: 'a' });
    e.emitSafely('circuit-close', { key: 'b' });
    e.emitSafely('circuit-close', { key: 'c' });
    expect(persistent).toHaveBeenCalledTimes(3);
    expect(once).toHaveBeenCalledTimes(1);
    expect(once).toHaveBeenCalledWith({ key: 'a' });
    expect(throwingOnce).toHaveBeenCalledTimes(1);
    expect(e.listenerCount('circuit-close')).toBe(1);
  });

  it('removes only the once registration of a function that is also registered with on', () => {
    const e = new TestEmitter();
    const fn = jest.fn();
    e.on('circuit-half-open', fn);
    e.once('circuit-half-open', fn);
    e.emitSafely('circuit-half-open', { key: 'k' });
    expect(fn).toHaveBeenCalledTimes(2);
    e.emitSafely('circuit-half-open', { key: 'k' });
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it('honours the context argument', () => {
    const e = new TestEmitter();
    const ctx = { name: 'ctx' };
    const seen: unknown[] = [];
    e.on('success', function (this: unknown) {
      seen.push(this);
    }, ctx);
    e.once('success', function (this: unknown) {
      seen.push(this);
    }, ctx);
    e.emitSafely('success', success);
    expect(seen).toEqual([ctx, ctx]);
    expect(seen[0]).toBe(ctx);
  });

  it('sees listeners removed by off', () => {
    const e = new TestEmitter();
    const fn = jest.fn();
    e.on('attempt', fn);
    e.off('attempt', fn);
    e.emitSafely('attempt', {} as never);
    expect(fn).not.toHaveBeenCalled();
  });

  it('calls every listener registered when the emit started, like EventEmitter', () => {
    const e = new TestEmitter();
    const later = jest.fn();
    e.on('success', () => e.off('success', later));
    e.on('success', later);
    e.emitSafely('success', success);
    expect(later).toHaveBeenCalledTimes(1);
    e.emitSafely('success', success);
    expect(later).toHaveBeenCalledTimes(1);
  });
});

describe('SafeEmitter: a listener that returns a promise', () => {
  let e: TestEmitter;
  let reported: ListenerErrorEvent[];

  beforeEach(() => {
    e = new TestEmitter();
    reported = [];
    e.on('listener-error', (ev) => reported.push(ev));
  });

  it('reports a rejection as listener-error, once, with its error', async () => {
    const boom = new Error('async listener bug');
    const after = jest.fn();
    e.on('retry', async () => {
      throw boom;
    });
    e.on('retry', after);
    expect(() => e.emitSafely('retry', {} as never)).not.toThrow();
    expect(after).toHaveBeenCalledTimes(1);
    await flushMicrotasks();
    expect(reported).toEqual([{ event: 'retry', error: boom }]);
  });

  it('reports nothing for a promise that resolves', async () => {
    e.on('success', async () => undefined);
    e.emitSafely('success', success);
    await flushMicrotasks();
    expect(reported).toEqual([]);
  });

  it('attaches a rejection handler to any thenable a listener returns', () => {
    const then = jest.fn();
    e.on('success', () => ({ then }) as never);
    e.emitSafely('success', success);
    expect(then).toHaveBeenCalledTimes(1);
    const onRejected = then.mock.calls[0][1] as (error: unknown) => void;
    expect(onRejected).toBeInstanceOf(Function);
    expect(reported).toEqual([]);
    onRejected('late');
    expect(reported).toEqual([{ event: 'success', error: 'late' }]);
  });

  it('reports a thenable whose then throws', () => {
    const broken = new Error('then is broken');
    e.on('success', () =>
      ({
        then() {
          throw broken;
        },
      }) as never,
    );
    e.emitSafely('success', success);
    expect(reported).toEqual([{ event: 'success', error: broken }]);
  });

  it('ignores plain return values, objects without then included', async () => {
    e.on('success', () => 42 as never);
    e.on('success', () => ({ then: 'not a function' }) as never);
    e.on('success', () => new Map() as never);
    e.emitSafely('success', success);
    await flushMicrotasks();
    expect(reported).toEqual([]);
  });

  it('ignores silently a listener-error listener that rejects, without recursion', async () => {
    const rejecting = jest.fn(async () => {
      throw new Error('listener-error listener bug');
    });
    const then = jest.fn();
    const thenable = jest.fn(() => ({ then }) as never);
    e.on('listener-error', rejecting);
    e.on('listener-error', thenable);
    e.on('attempt', async () => {
      throw new Error('attempt listener bug');
    });
    e.emitSafely('attempt', {} as never);
    await flushMicrotasks();
    expect(reported).toHaveLength(1);
    expect(rejecting).toHaveBeenCalledTimes(1);
    expect(thenable).toHaveBeenCalledTimes(1);
    // Its rejection handler is attached, and does nothing when called.
    expect(() => (then.mock.calls[0][1] as (error: unknown) => void)(new Error('late'))).not.toThrow();
    await flushMicrotasks();
    expect(reported).toHaveLength(1);
    expect(rejecting).toHaveBeenCalledTimes(1);
  });

  it('honours once for an async listener', async () => {
    const boom = new Error('once');
    const fn = jest.fn(async () => {
      throw boom;
    });
    e.once('circuit-open', fn);
    e.emitSafely('circuit-open', { key: 'k', failures: 1 });
    e.emitSafely('circuit-open', { key: 'k', failures: 2 });
    await flushMicrotasks();
    expect(fn).toHaveBeenCalledTimes(1);
    expect(reported).toEqual([{ event: 'circuit-open', error: boom }]);
    expect(e.isListening('circuit-open')).toBe(false);
  });
});

describe('SafeEmitter.emit: the public emit goes through the same isolation', () => {
  it('returns false without listeners and true with, like eventemitter3', () => {
    const e = new TestEmitter();
    expect(e.emit('success', success)).toBe(false);
    e.on('success', () => undefined);
    expect(e.emit('success', success)).toBe(true);
  });

  it('reports a throwing listener as listener-error instead of throwing, and calls the others', () => {
    const e = new TestEmitter();
    const boom = new Error('failure listener bug');
    const reported: ListenerErrorEvent[] = [];
    const after = jest.fn();
    e.on('listener-error', (ev) => reported.push(ev));
    e.on('failure', () => {
      throw boom;
    });
    e.on('failure', after);
    let result: boolean | undefined;
    expect(() => {
      result = e.emit('failure', {} as never);
    }).not.toThrow();
    expect(result).toBe(true);
    expect(after).toHaveBeenCalledTimes(1);
    expect(reported).toEqual([{ event: 'failure', error: boom }]);
  });

  it('reports a single throwing listener too, and swallows it when nobody listens to listener-error', () => {
    const e = new TestEmitter();
    e.on('retry', () => {
      throw new Error('x');
    });
    expect(() => e.emit('retry', {} as never)).not.toThrow();
    const reported: ListenerErrorEvent[] = [];
    e.on('listener-error', (ev) => reported.push(ev));
    e.emit('retry', {} as never);
    expect(reported).toHaveLength(1);
  });

  it('reports an async listener that rejects', async () => {
    const e = new TestEmitter();
    const boom = new Error('async');
    const reported: ListenerErrorEvent[] = [];
    e.on('listener-error', (ev) => reported.push(ev));
    e.on('failure', async () => {
      throw boom;
    });
    e.emit('failure', {} as never);
    await flushMicrotasks();
    expect(reported).toEqual([{ event: 'failure', error: boom }]);
  });

  it('never throws from listener-error listeners', () => {
    const e = new TestEmitter();
    const second = jest.fn();
    e.on('listener-error', () => {
      throw new Error('listener-error listener bug');
    });
    e.on('listener-error', second);
    expect(() => e.emit('listener-error', { event: 'attempt', error: 1 })).not.toThrow();
    expect(second).toHaveBeenCalledTimes(1);
  });

  it('honours once listeners and the context, and passes every argument', () => {
    const e = new TestEmitter();
    const ctx = { name: 'ctx' };
    const seen: unknown[][] = [];
    e.once(
      'circuit-close',
      function (this: unknown, ...args: unknown[]) {
        seen.push([this, ...args]);
      },
      ctx,
    );
    (e.emit as (event: string, ...args: unknown[]) => boolean)('circuit-close', { key: 'a' }, 'extra');
    expect(e.emit('circuit-close', { key: 'b' })).toBe(false);
    expect(seen).toEqual([[ctx, { key: 'a' }, 'extra']]);
  });
});

describe('SafeEmitter in a real Node process', () => {
  it('lets no rejecting listener cause an unhandled rejection', async () => {
    const exit = await runTs('__tests__/fixtures/async-listener-rejects.ts');
    expect(exit.stderr).toBe('');
    expect(exit.code).toBe(0);
    const line = exit.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    expect(JSON.parse((line ?? 'RESULT null').slice('RESULT '.length))).toEqual({
      unhandled: 0,
      reported: ['retry: retry listener rejected', 'failure: once failure listener rejected'],
      hadListeners: true,
    });
  });
});
