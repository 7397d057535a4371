import { LiteSignal } from '../../lib/time/lite-signal.js';

type AbortEvent = { type: 'abort'; target: LiteSignal };

/** A listener that records `this`, the event and its own name into `log`. */
function recorder(name: string, log: Array<{ name: string; self: unknown; event: AbortEvent }>) {
  return function (this: LiteSignal, event: AbortEvent): void {
    log.push({ name, self: this, event });
  };
}

describe('LiteSignal', () => {
  it('starts not aborted', () => {
    const s = new LiteSignal();
    expect(s.aborted).toBe(false);
    expect(s.reason).toBeUndefined();
    expect(s.onabort).toBeNull();
    expect(() => s.throwIfAborted()).not.toThrow();
  });

  it('aborts with a reason and calls listeners with this = signal and an abort event', () => {
    const s = new LiteSignal();
    const log: Array<{ name: string; self: unknown; event: AbortEvent }> = [];
    s.addEventListener('abort', recorder('a', log));
    const reason = new Error('deadline');
    s.abort(reason);
    expect(s.aborted).toBe(true);
    expect(s.reason).toBe(reason);
    expect(log).toHaveLength(1);
    expect(log[0].self).toBe(s);
    expect(log[0].event.type).toBe('abort');
    expect(log[0].event.target).toBe(s);
  });

  it('calls onabort first, then the listeners in the order added', () => {
    const s = new LiteSignal();
    const log: Array<{ name: string; self: unknown; event: AbortEvent }> = [];
    s.onabort = recorder('onabort', log);
    s.addEventListener('abort', recorder('first', log));
    s.addEventListener('abort', recorder('second', log));
    s.addEventListener('abort', recorder('third', log));
    s.abort('r');
    expect(log.map((l) => l.name)).toEqual(['onabort', 'first', 'second', 'third']);
    expect(log.every((l) => l.self === s && l.event.type === 'abort' && l.event.target === s)).toBe(true);
    expect(log[0].event).toBe(log[3].event);
  });

  it('removes the first listener and keeps the others', () => {
    const s = new LiteSignal();
    const a = jest.fn();
    const b = jest.fn();
    s.addEventListener('abort', a);
    s.addEventListener('abort', b);
    s.removeEventListener('abort', a);
    s.abort(1);
    expect(a).not.toHaveBeenCalled();
    expect(b).toHaveBeenCalledTimes(1);
  });

  it('removes a later listener and keeps the first', () => {
    const s = new LiteSignal();
    const a = jest.fn();
    const b = jest.fn();
    const c = jest.fn();
    s.addEventListener('abort', a);
    s.addEventListener('abort', b);
    s.addEventListener('abort', c);
    s.removeEventListener('abort', b);
    s.abort(1);
    expect(a).toHaveBeenCalledTimes(1);
    expect(b).not.toHaveBeenCalled();
    expect(c).toHaveBeenCalledTimes(1);
  });

  it('ignores removing a listener it does not hold', () => {
    const s = new LiteSignal();
    const a = jest.fn();
    s.removeEventListener('abort', a);
    s.addEventListener('abort', a);
    s.removeEventListener('abort', jest.fn());
    s.addEventListener('abort', jest.fn());
    s.removeEventListener('abort', jest.fn());
    s.abort(1);
    expect(a).toHaveBeenCalledTimes(1);
  });

  it('reuses the first slot after it was removed', () => {
    const s = new LiteSignal();
    const a = jest.fn();
    const b = jest.fn();
    s.addEventListener('abort', a);
    s.removeEventListener('abort', a);
    s.addEventListener('abort', b);
    s.abort(1);
    expect(a).not.toHaveBeenCalled();
    expect(b).toHaveBeenCalledTimes(1);
  });

  it('ignores the first listener added twice, like EventTarget', () => {
    const s = new LiteSignal();
    const a = jest.fn();
    s.addEventListener('abort', a);
    s.addEventListener('abort', a);
    s.abort(1);
    expect(a).toHaveBeenCalledTimes(1);
  });

  it('ignores a later listener added twice, like EventTarget', () => {
    const s = new LiteSignal();
    const a = jest.fn();
    const b = jest.fn();
    s.addEventListener('abort', a);
    s.addEventListener('abort', b);
    s.addEventListener('abort', b);
    // b is still registered after a is removed: adding it again must not double it
    s.removeEventListener('abort', a);
    s.addEventListener('abort', b);
    s.abort(1);
    expect(b).toHaveBeenCalledTimes(1);
  });

  it('removes a listener for good with one removeEventListener, like EventTarget', () => {
    const s = new LiteSignal();
    const a = jest.fn();
    const b = jest.fn();
    s.addEventListener('abort', a);
    s.addEventListener('abort', b);
    s.addEventListener('abort', b);
    s.removeEventListener('abort', b);
    s.abort(1);
    expect(b).not.toHaveBeenCalled();
  });

  it('aborts only once', () => {
    const s = new LiteSignal();
    const a = jest.fn();
    const onabort = jest.fn();
    s.onabort = onabort;
    s.addEventListener('abort', a);
    s.abort('first');
    s.abort('second');
    expect(s.reason).toBe('first');
    expect(a).toHaveBeenCalledTimes(1);
    expect(onabort).toHaveBeenCalledTimes(1);
  });

  it('never calls a listener added after the abort', () => {
    const s = new LiteSignal();
    s.abort(undefined);
    expect(s.aborted).toBe(true);
    expect(s.reason).toBeUndefined();
    const late = jest.fn();
    s.addEventListener('abort', late);
    s.abort('again');
    expect(late).not.toHaveBeenCalled();
  });

  it('drops its listeners once aborted', () => {
    const s = new LiteSignal();
    s.addEventListener('abort', jest.fn());
    s.addEventListener('abort', jest.fn());
    s.abort(1);
    expect((s as unknown as { first: unknown }).first).toBeUndefined();
    expect((s as unknown as { rest: unknown }).rest).toBeUndefined();
  });

  it('throwIfAborted throws the reason itself', () => {
    const s = new LiteSignal();
    const reason = new Error('timeout');
    s.abort(reason);
    expect(() => s.throwIfAborted()).toThrow(reason);
    let thrown: unknown;
    try {
      s.throwIfAborted();
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBe(reason);
  });
});
