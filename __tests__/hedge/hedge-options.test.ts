/**
 * `hedge` options: the resolver (defaults, required delay, bounds, methods),
 * the room check against `retry.maxAttempts` at every level (client,
 * `configure()`, request), and which methods may be hedged.
 */
import { configError } from '../helpers/engine-harness.js';
import { checkHedgeRoom, mayHedgeMethod, resolveHedge } from '../../lib/hedge/hedge-options.js';
import type { ResolvedHedge } from '../../lib/hedge/hedge-options.js';
import { DEFAULTS, resolveConfigure, resolveOptions, resolveRequestOptions } from '../../lib/options.js';
import { ResilientClient } from '../../lib/resilient-client.js';
import { DEFAULT_RETRY } from '../../lib/retry/retry-options.js';


const ON: ResolvedHedge = Object.freeze({ delayMs: 25, maxHedges: 1, methods: undefined });

describe('resolveHedge', () => {
  test('off by default; an object with delayMs turns it on with maxHedges 1 and the retry methods', () => {
    expect(DEFAULTS.hedge).toBe(false);
    const h = resolveHedge('hedge', { delayMs: 25 }, false);
    expect(h).toEqual({ delayMs: 25, maxHedges: 1, methods: undefined });
    expect(Object.isFrozen(h)).toBe(true);
  });

  test('false turns it off; true and other shapes are refused', () => {
    expect(resolveHedge('hedge', false, ON)).toBe(false);
    expect(configError(() => resolveHedge('hedge', true, ON)).message).toBe('hedge must be an object or false, got true');
    expect(configError(() => resolveHedge('hedge', { delay: 3 }, ON)).path).toBe('hedge.delay');
  });

  test('delayMs is required to turn hedging on, and merged over the base otherwise', () => {
    const err = configError(() => resolveHedge('hedge', { maxHedges: 2 }, false));
    expect(err.path).toBe('hedge.delayMs');
    expect(err.message).toMatch(/^hedge\.delayMs must be a finite number >= 0 \(required/);
    expect(resolveHedge('hedge', { maxHedges: 2 }, ON)).toEqual({ delayMs: 25, maxHedges: 2, methods: undefined });
    expect(resolveHedge('hedge', { delayMs: 0 }, false)).toMatchObject({ delayMs: 0 });
  });

  test.each([-1, Infinity, NaN, '25'])('delayMs %p is refused', (delayMs) => {
    expect(configError(() => resolveHedge('hedge', { delayMs }, false)).path).toBe('hedge.delayMs');
  });

  test.each([0, 5, 1.5, '1'])('maxHedges %p is refused: an integer from 1 to 4', (maxHedges) => {
    const err = configError(() => resolveHedge('hedge', { delayMs: 1, maxHedges }, false));
    expect(err.message).toMatch(/^hedge\.maxHedges must be an integer from 1 to 4, got /);
  });

  test('methods are upper-cased strings', () => {
    expect([...((resolveHedge('hedge', { delayMs: 1, methods: ['get', 'Post'] }, false) as ResolvedHedge).methods ?? [])]).toEqual(['GET', 'POST']);
    expect(configError(() => resolveHedge('hedge', { delayMs: 1, methods: ['GET', 3] }, false)).path).toBe('hedge.methods[1]');
    expect(configError(() => resolveHedge('hedge', { delayMs: 1, methods: 'GET' }, false)).path).toBe('hedge.methods');
  });
});

describe('room for the hedges in retry.maxAttempts', () => {
  test('checkHedgeRoom names the field the caller set', () => {
    expect(() => checkHedgeRoom('', ON, DEFAULT_RETRY, false)).not.toThrow();
    expect(() => checkHedgeRoom('', false, false, false)).not.toThrow();
    const two = { ...ON, maxHedges: 3 };
    expect(configError(() => checkHedgeRoom('', two, DEFAULT_RETRY, false)).message).toBe(
      'retry.maxAttempts must be > hedge.maxHedges (3; hedges count as attempts), got 3',
    );
    expect(configError(() => checkHedgeRoom('', two, DEFAULT_RETRY, true)).message).toBe(
      'hedge.maxHedges must be < retry.maxAttempts (3; hedges count as attempts), got 3',
    );
    expect(configError(() => checkHedgeRoom('resilience.', ON, false, false)).path).toBe('resilience.retry');
    expect(configError(() => checkHedgeRoom('', ON, false, true)).message).toMatch(/^hedge\.maxHedges must be < retry\.maxAttempts \(retry is off/);
  });

  test('the constructor and configure() check it', () => {
    expect(configError(() => new ResilientClient({ hedge: { delayMs: 10, maxHedges: 3 } })).path).toBe('hedge.maxHedges');
    expect(configError(() => new ResilientClient({ retry: false, hedge: { delayMs: 10 } })).path).toBe('retry');
    const client = new ResilientClient({ retry: { maxAttempts: 3 }, hedge: { delayMs: 10, maxHedges: 2 } });
    expect(configError(() => client.configure({ retry: { maxAttempts: 2 } })).path).toBe('retry.maxAttempts');
    expect(configError(() => client.configure({ retry: false })).path).toBe('retry');
    client.configure({ retry: false, hedge: false });
    expect(client.settings.hedge).toBe(false);
    client.dispose();
  });

  test('per request: merged over the client, false turns it off, retry: false means send once', () => {
    const base = resolveOptions({ hedge: { delayMs: 20 } });
    expect(resolveRequestOptions({ hedge: { delayMs: 5 } }, base).options.hedge).toEqual({ delayMs: 5, maxHedges: 1, methods: undefined });
    expect(resolveRequestOptions({ hedge: false }, base).options.hedge).toBe(false);
    expect(resolveRequestOptions({ retry: false }, base).options.hedge).toBe(false);
    expect(resolveRequestOptions({}, base).options).toBe(base);
    expect(configError(() => resolveRequestOptions({ retry: false, hedge: { delayMs: 1 } }, base)).path).toBe('resilience.retry');
    expect(configError(() => resolveRequestOptions({ hedge: { maxHedges: 3 } }, base)).path).toBe('resilience.hedge.maxHedges');
    expect(configError(() => resolveRequestOptions({ hedge: { maxHedges: 9 } }, base)).path).toBe('resilience.hedge.maxHedges');
    expect(configError(() => resolveRequestOptions({ hedge: { methods: ['GET'] } }, DEFAULTS)).path).toBe('resilience.hedge.delayMs');
    expect(configError(() => resolveConfigure({ hedge: { delayMs: -5 } }, base)).path).toBe('hedge.delayMs');
  });
});

describe('mayHedgeMethod', () => {
  test('the retry methods by default; POST and PATCH only when listed and keyed', () => {
    expect(mayHedgeMethod(ON, DEFAULT_RETRY, 'GET', false)).toBe(true);
    expect(mayHedgeMethod(ON, DEFAULT_RETRY, 'PUT', false)).toBe(true);
    expect(mayHedgeMethod(ON, DEFAULT_RETRY, 'POST', true)).toBe(false);
    const post = { ...ON, methods: new Set(['GET', 'POST', 'PATCH']) };
    expect(mayHedgeMethod(post, DEFAULT_RETRY, 'POST', false)).toBe(false);
    expect(mayHedgeMethod(post, DEFAULT_RETRY, 'POST', true)).toBe(true);
    expect(mayHedgeMethod(post, DEFAULT_RETRY, 'PATCH', true)).toBe(true);
    expect(mayHedgeMethod(post, DEFAULT_RETRY, 'PUT', false)).toBe(false);
  });
});
