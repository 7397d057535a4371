import { AxiosHeaders } from 'axios';
import { applyIdempotency } from '../../lib/retry/idempotency.js';
import type { HeaderAccess } from '../../lib/retry/idempotency.js';
import { DEFAULT_RETRY, resolveRetry } from '../../lib/retry/retry-options.js';
import type { ResolvedRetry, RetryOptions } from '../../lib/retry/retry-options.js';

/** Request headers, case-insensitive like axios's, recording every `set`. */
class Headers implements HeaderAccess {
  private readonly values = new Map<string, string>();
  readonly sets: [string, string][] = [];

  constructor(initial: Record<string, string> = {}) {
    for (const [k, v] of Object.entries(initial)) this.values.set(k.toLowerCase(), v);
  }

  get(name: string): unknown {
    return this.values.get(name.toLowerCase());
  }

  set(name: string, value: string): this {
    this.sets.push([name, value]);
    this.values.set(name.toLowerCase(), value);
    return this;
  }
}

function retryWith(options: RetryOptions): ResolvedRetry {
  const r = resolveRetry('retry', options, DEFAULT_RETRY);
  if (r === false) throw new Error('retry off');
  return r;
}

const NO_KEY = retryWith({});
const KEYED = retryWith({ idempotencyKey: true });
const CUSTOM = retryWith({ idempotencyKey: 'X-Idem' });

function keys(): jest.Mock<string, []> {
  let n = 0;
  return jest.fn(() => `generated-${++n}`);
}

describe('applyIdempotency', () => {
  it.each(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE'])('%s is retryable by its method and gets no key', (method) => {
    for (const retry of [NO_KEY, KEYED]) {
      const headers = new Headers();
      const newKey = keys();
      expect(applyIdempotency(method, headers, retry, 'fixed', newKey)).toBe(true);
      expect(headers.sets).toEqual([]);
      expect(newKey).not.toHaveBeenCalled();
    }
  });

  it('a method added to retry.methods is retryable by its method, without a key', () => {
    const headers = new Headers();
    expect(applyIdempotency('POST', headers, retryWith({ methods: ['post'], idempotencyKey: true }), undefined, keys())).toBe(true);
    expect(headers.sets).toEqual([]);
  });

  it('a method taken out of retry.methods is not retryable', () => {
    expect(applyIdempotency('GET', new Headers(), retryWith({ methods: ['PUT'] }), undefined, keys())).toBe(false);
  });

  it.each(['POST', 'PATCH'])('%s without the idempotencyKey option is not retryable and gets no key', (method) => {
    const headers = new Headers();
    const newKey = keys();
    expect(applyIdempotency(method, headers, NO_KEY, undefined, newKey)).toBe(false);
    expect(headers.sets).toEqual([]);
    expect(newKey).not.toHaveBeenCalled();
  });

  it.each(['POST', 'PATCH'])('%s without the option but with an Idempotency-Key the caller set is retryable', (method) => {
    const headers = new Headers({ 'idempotency-key': 'mine' });
    expect(applyIdempotency(method, headers, NO_KEY, undefined, keys())).toBe(true);
    expect(headers.sets).toEqual([]);
    expect(headers.get('Idempotency-Key')).toBe('mine');
  });

  it.each(['POST', 'PATCH'])('%s with the option gets a fresh key and is retryable', (method) => {
    const headers = new Headers();
    const newKey = keys();
    expect(applyIdempotency(method, headers, KEYED, undefined, newKey)).toBe(true);
    expect(headers.sets).toEqual([['Idempotency-Key', 'generated-1']]);
    expect(newKey).toHaveBeenCalledTimes(1);
  });

  it('uses the configured header name', () => {
    const headers = new Headers();
    expect(applyIdempotency('POST', headers, CUSTOM, undefined, keys())).toBe(true);
    expect(headers.sets).toEqual([['X-Idem', 'generated-1']]);
    expect(headers.get('Idempotency-Key')).toBeUndefined();
  });

  it("keeps the caller's key (any case) and generates none", () => {
    for (const [retry, name] of [[KEYED, 'IDEMPOTENCY-KEY'], [CUSTOM, 'x-idem']] as const) {
      const headers = new Headers({ [name]: 'mine' });
      const newKey = keys();
      expect(applyIdempotency('POST', headers, retry, 'fixed', newKey)).toBe(true);
      expect(headers.sets).toEqual([]);
      expect(headers.get(name)).toBe('mine');
      expect(newKey).not.toHaveBeenCalled();
    }
  });

  it('sends the value the request fixed instead of a fresh one', () => {
    const headers = new Headers();
    const newKey = keys();
    expect(applyIdempotency('PATCH', headers, CUSTOM, 'order-42', newKey)).toBe(true);
    expect(headers.sets).toEqual([['X-Idem', 'order-42']]);
    expect(newKey).not.toHaveBeenCalled();
  });

  it.each(['CONNECT', 'PURGE', 'LOCK'])('%s is not retryable and gets no key, even with the option', (method) => {
    const headers = new Headers();
    expect(applyIdempotency(method, headers, KEYED, 'fixed', keys())).toBe(false);
    expect(headers.sets).toEqual([]);
  });

  describe('with retry off', () => {
    it.each(['GET', 'POST', 'PATCH'])('%s is not retryable, and a fixed key is still sent', (method) => {
      const headers = new Headers();
      const newKey = keys();
      expect(applyIdempotency(method, headers, false, 'order-42', newKey)).toBe(false);
      expect(headers.sets).toEqual([['Idempotency-Key', 'order-42']]);
      expect(newKey).not.toHaveBeenCalled();
    });

    it('sends nothing without a fixed key', () => {
      const headers = new Headers();
      const newKey = keys();
      expect(applyIdempotency('POST', headers, false, undefined, newKey)).toBe(false);
      expect(headers.sets).toEqual([]);
      expect(newKey).not.toHaveBeenCalled();
    });

    it("keeps the caller's key over the fixed one", () => {
      const headers = new Headers({ 'Idempotency-Key': 'mine' });
      expect(applyIdempotency('POST', headers, false, 'order-42', keys())).toBe(false);
      expect(headers.sets).toEqual([]);
    });
  });

  it('works on real AxiosHeaders', () => {
    const headers = new AxiosHeaders({ 'idempotency-key': 'mine' });
    expect(applyIdempotency('POST', headers, KEYED, undefined, keys())).toBe(true);
    expect(headers.get('Idempotency-Key')).toBe('mine');
    const fresh = new AxiosHeaders();
    expect(applyIdempotency('POST', fresh, CUSTOM, undefined, () => 'k1')).toBe(true);
    expect(fresh.get('x-idem')).toBe('k1');
  });
});
