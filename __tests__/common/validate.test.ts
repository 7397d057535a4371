import * as v from '../../lib/common/validate.js';
import { configError } from '../helpers/engine-harness.js';


describe('number', () => {
  it.each<[unknown, number, Parameters<typeof v.number>[3]]>([
    [0, 0, {}],
    [5.5, 0, {}],
    [1, 0, { exclusiveMin: true }],
    [1, 0, { exclusiveMin: true, max: 1 }],
    [Infinity, 0, { allowInfinity: true }],
    [-3, -5, {}],
  ])('accepts %p (min %p, %j)', (value, min, opts) => {
    expect(v.number('p.x', value, min, opts)).toBe(value);
  });

  it('defaults to an inclusive, finite lower bound', () => {
    expect(v.number('p.x', 0, 0)).toBe(0);
    expect(configError(() => v.number('p.x', Infinity, 0)).message).toBe('p.x must be a finite number >= 0, got Infinity');
  });

  it.each<[unknown, number, Parameters<typeof v.number>[3], string]>([
    [-1, 0, {}, 'a finite number >= 0, got -1'],
    ['5', 0, {}, 'a finite number >= 0, got "5"'],
    [NaN, 0, { allowInfinity: true }, 'a number >= 0, got NaN'],
    [0, 0, { exclusiveMin: true }, 'a finite number > 0, got 0'],
    [1.5, 0, { exclusiveMin: true, max: 1 }, 'a finite number > 0 and <= 1, got 1.5'],
    [Infinity, 0, {}, 'a finite number >= 0, got Infinity'],
    [-Infinity, 0, { allowInfinity: true }, 'a number >= 0, got -Infinity'],
    [null, 1, {}, 'a finite number >= 1, got null'],
    [undefined, 1, {}, 'a finite number >= 1, got undefined'],
  ])('rejects %p (min %p, %j)', (value, min, opts, expected) => {
    const err = configError(() => v.number('a.b', value, min, opts));
    expect(err.message).toBe(`a.b must be ${expected}`);
    expect(err.path).toBe('a.b');
    expect(err.value).toBe(value);
  });
});

describe('integer', () => {
  it('accepts safe integers >= min', () => {
    expect(v.integer('n', 1, 1)).toBe(1);
    expect(v.integer('n', 0, 0)).toBe(0);
    expect(v.integer('n', Number.MAX_SAFE_INTEGER, 1)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it.each([[-1], [0], [1.5], [NaN], [Infinity], [2 ** 53], ['3'], [null], [true]])('rejects %p', (value) => {
    const err = configError(() => v.integer('retry.maxAttempts', value, 1));
    expect(err.message).toMatch(/^retry\.maxAttempts must be an integer >= 1, got /);
    expect(err.value).toBe(value);
  });

  it('renders the SPEC example exactly', () => {
    expect(configError(() => v.integer('retry.maxAttempts', -1, 1)).message).toBe('retry.maxAttempts must be an integer >= 1, got -1');
  });
});

describe('boolean', () => {
  it('accepts true and false only', () => {
    expect(v.boolean('b', true)).toBe(true);
    expect(v.boolean('b', false)).toBe(false);
    expect(configError(() => v.boolean('x.respect', 'yes')).message).toBe('x.respect must be a boolean, got "yes"');
    expect(configError(() => v.boolean('x.respect', 0)).message).toBe('x.respect must be a boolean, got 0');
  });
});

describe('string', () => {
  it('accepts a non-empty string', () => {
    expect(v.string('s', 'x')).toBe('x');
    expect(v.string('s', 'has space')).toBe('has space');
  });

  it.each([[''], [1], [null], [undefined], [['a']]])('rejects %p as a non-empty string', (value) => {
    expect(configError(() => v.string('s', value)).message).toMatch(/^s must be a non-empty string, got /);
  });

  it('checks HTTP header names (RFC 9110 token) when asked', () => {
    expect(v.string('h', 'X-Request-Deadline', true)).toBe('X-Request-Deadline');
    expect(v.string('h', "!#$%&'*+.^_`|~09azAZ-", true)).toBe("!#$%&'*+.^_`|~09azAZ-");
    for (const bad of ['has space', 'colon:', 'ü', 'a\nb', '']) {
      expect(configError(() => v.string('h', bad, true)).message).toMatch(/^h must be a valid HTTP header name, got /);
    }
  });
});

describe('func', () => {
  it('accepts functions and rejects the rest', () => {
    const f = (): number => 1;
    expect(v.func('f', f)).toBe(f);
    expect(configError(() => v.func('retry.retryIf', 'fn')).message).toBe('retry.retryIf must be a function, got "fn"');
    expect(configError(() => v.func('retry.retryIf', {})).message).toBe('retry.retryIf must be a function, got an object');
  });
});

describe('oneOf', () => {
  it('accepts a listed string', () => {
    expect(v.oneOf('k', 'b', ['a', 'b'] as const)).toBe('b');
  });

  it('lists the allowed values in the message', () => {
    expect(configError(() => v.oneOf('k', 'c', ['a', 'b'] as const)).message).toBe("k must be one of 'a', 'b', got \"c\"");
    expect(configError(() => v.oneOf('k', 1, ['a'] as const)).message).toBe("k must be one of 'a', got 1");
  });
});

describe('arrayOf', () => {
  it('maps every element through the item validator with an indexed path', () => {
    const paths: string[] = [];
    const out = v.arrayOf('list', ['a', 'b'], (p, x) => {
      paths.push(p);
      return String(x).toUpperCase();
    });
    expect(out).toEqual(['A', 'B']);
    expect(paths).toEqual(['list[0]', 'list[1]']);
  });

  it('accepts an empty array', () => {
    expect(v.arrayOf('list', [], () => 1)).toEqual([]);
  });

  it('rejects non-arrays and names the failing element', () => {
    expect(configError(() => v.arrayOf('list', 'a', () => 1)).message).toBe('list must be an array, got "a"');
    const err = configError(() => v.arrayOf('retry.statusCodes', [500, 'x'], (p, x) => v.integer(p, x, 100)));
    expect(err.path).toBe('retry.statusCodes[1]');
    expect(err.message).toBe('retry.statusCodes[1] must be an integer >= 100, got "x"');
  });
});

describe('record', () => {
  it('returns a copy of its own properties when every key is known', () => {
    const o = { a: 1, b: undefined };
    expect(v.record('r', o, ['a', 'b'])).toEqual(o);
    expect(v.record('r', o, ['a', 'b'])).not.toBe(o);
    expect(v.record('r', {}, ['a'])).toEqual({});
  });

  it('never reads an inherited property', () => {
    const proto = { a: 'inherited' };
    const copy = v.record('r', Object.create(proto) as object, ['a']);
    expect(copy.a).toBeUndefined();
  });

  it.each([[null], [undefined], [[]], ['x'], [3], [false]])('rejects %p as not an object', (value) => {
    const err = configError(() => v.record('retry', value, ['a']));
    expect(err.message).toMatch(/^retry must be an object, got /);
    expect(err.path).toBe('retry');
  });

  it('rejects an unknown key with its full path and the known ones', () => {
    const err = configError(() => v.record('retry', { maxAttempt: 3 }, ['maxAttempts', 'methods']));
    expect(err.path).toBe('retry.maxAttempt');
    expect(err.value).toBe(3);
    expect(err.message).toBe('retry.maxAttempt must be one of the known options (maxAttempts, methods), got 3');
  });
});

describe('section and fill', () => {
  const fields: v.Fields<{ a: number; b: string; n: { x: number } }> = {
    a: v.int(1),
    b: v.header,
    n: v.nested<{ x: number }>({ x: v.num(0) }),
  };
  const base = Object.freeze({ a: 1, b: 'X-B', n: Object.freeze({ x: 5 }) });

  it('keeps base for fields left out or undefined, checks the others, and freezes', () => {
    const out = v.section('s', { a: 2, b: undefined }, fields, base);
    expect(out).toEqual({ a: 2, b: 'X-B', n: { x: 5 } });
    expect(Object.keys(out)).toEqual(['a', 'b', 'n']);
    expect(Object.isFrozen(out)).toBe(true);
    expect(out.n).toBe(base.n);
  });

  it('merges a nested section over the base value and names its path', () => {
    expect(v.section('s', { n: {} }, fields, base).n).toEqual({ x: 5 });
    expect(configError(() => v.section('s', { n: { x: -1 } }, fields, base)).message).toBe('s.n.x must be a finite number >= 0, got -1');
  });

  it('rejects unknown keys and non-objects like record', () => {
    expect(configError(() => v.section('s', { c: 1 }, fields, base)).message).toBe('s.c must be one of the known options (a, b, n), got 1');
    expect(configError(() => v.section('s', 3, fields, base, 'an object or a boolean')).message).toBe('s must be an object or a boolean, got 3');
  });

  it('names top-level fields without a prefix when the path is empty', () => {
    expect(configError(() => v.fill('', { a: 0 }, fields, base)).message).toBe('a must be an integer >= 1, got 0');
  });
});

describe('field checks', () => {
  it('choice accepts a listed string, or a function when asked', () => {
    const f = (): number => 1;
    expect(v.choice(['a', 'b'] as const)('k', 'a')).toBe('a');
    expect(v.choice<'a', () => number>(['a'] as const, true)('k', f)).toBe(f);
    expect(configError(() => v.choice(['a'] as const)('k', f)).message).toBe("k must be one of 'a', got a function");
  });

  it('methodSet upper-cases every method and names a bad element', () => {
    expect([...v.methodSet('m', ['get', 'Post'])]).toEqual(['GET', 'POST']);
    expect(configError(() => v.methodSet('m', ['GET', 1])).message).toBe('m[1] must be a non-empty string, got 1');
  });
});
