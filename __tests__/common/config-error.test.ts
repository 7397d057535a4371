import { ConfigError, describeValue } from '../../lib/common/config-error.js';

describe('ConfigError', () => {
  const err = new ConfigError('retry.maxAttempts', -1, 'an integer >= 1');

  it('is a TypeError with a literal name and code', () => {
    expect(err).toBeInstanceOf(TypeError);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('ConfigError');
    expect(err.code).toBe('ERR_RESILIENT_CONFIG');
    expect(Object.prototype.toString.call(err)).toBe('[object Error]');
  });

  it('names the path, the value and the expectation', () => {
    expect(err.message).toBe('retry.maxAttempts must be an integer >= 1, got -1');
    expect(err.path).toBe('retry.maxAttempts');
    expect(err.value).toBe(-1);
    expect(String(err)).toBe('ConfigError: retry.maxAttempts must be an integer >= 1, got -1');
    expect(err.stack).toContain('ConfigError: retry.maxAttempts must be');
  });

  it('keeps the raw value even when the message shortens it', () => {
    const long = 'x'.repeat(100);
    const e = new ConfigError('p', long, 'short');
    expect(e.value).toBe(long);
    expect(e.message.length).toBeLessThan(100);
  });
});

describe('describeValue', () => {
  it.each<[unknown, string]>([
    ['abc', '"abc"'],
    ['', '""'],
    ['quote"d', '"quote\\"d"'],
    [-1, '-1'],
    [1.5, '1.5'],
    [NaN, 'NaN'],
    [Infinity, 'Infinity'],
    [true, 'true'],
    [null, 'null'],
    [undefined, 'undefined'],
    [10n, '10'],
    [Symbol('s'), 'Symbol(s)'],
    [[], 'an array of 0'],
    [[1, 2, 3], 'an array of 3'],
    [{ secret: 'hunter2' }, 'an object'],
    [new Date(0), 'an object'],
    [() => 1, 'a function'],
  ])('%p -> %s', (value, expected) => {
    expect(describeValue(value)).toBe(expected);
  });

  it('keeps strings of up to 60 characters whole', () => {
    const s = 'a'.repeat(60);
    expect(describeValue(s)).toBe(`"${s}"`);
  });

  it('shortens longer strings to 57 characters and an ellipsis', () => {
    expect(describeValue('b'.repeat(61))).toBe(`"${'b'.repeat(57)}..."`);
  });
});
