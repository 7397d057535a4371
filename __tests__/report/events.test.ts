import { EventEmitter } from 'eventemitter3';
import { SafeEmitter } from '../../lib/report/events.js';
import type { ListenerErrorEvent, ResilientEvents, SuccessEvent } from '../../lib/report/events.js';

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
