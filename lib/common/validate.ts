/**
 * Small validators shared by the option resolvers. Each returns the value when
 * it is acceptable and throws a {@link ConfigError} naming the path otherwise.
 */
import { ConfigError } from './config-error.js';

/** A finite or infinite number within bounds. */
export function number(
  path: string,
  value: unknown,
  min: number,
  opts: { exclusiveMin?: boolean; max?: number; allowInfinity?: boolean } = {},
): number {
  const ok =
    typeof value === 'number' &&
    !Number.isNaN(value) &&
    (opts.exclusiveMin === true ? value > min : value >= min) &&
    (opts.max === undefined || value <= opts.max) &&
    (opts.allowInfinity === true || Number.isFinite(value));
  if (!ok) throw new ConfigError(path, value, describeRange(min, opts));
  return value;
}

function describeRange(min: number, opts: { exclusiveMin?: boolean; max?: number; allowInfinity?: boolean }): string {
  const lower = `${opts.exclusiveMin === true ? '>' : '>='} ${min}`;
  const upper = opts.max === undefined ? '' : ` and <= ${opts.max}`;
  return `a ${opts.allowInfinity === true ? '' : 'finite '}number ${lower}${upper}`;
}

/** An integer >= min. */
export function integer(path: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new ConfigError(path, value, `an integer >= ${min}`);
  }
  return value;
}

export function boolean(path: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new ConfigError(path, value, 'a boolean');
  return value;
}

/** A non-empty string (an HTTP header name when `header` is set). */
export function string(path: string, value: unknown, header = false): string {
  if (typeof value !== 'string' || value.length === 0 || (header && !HEADER_NAME.test(value))) {
    throw new ConfigError(path, value, header ? 'a valid HTTP header name' : 'a non-empty string');
  }
  return value;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function func<F>(path: string, value: unknown): F {
  if (typeof value !== 'function') throw new ConfigError(path, value, 'a function');
  return value as F;
}

/** One of a fixed set of strings. */
export function oneOf<T extends string>(path: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(path, value, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
  }
  return value as T;
}

/** An array whose every element passes `item`. */
export function arrayOf<T>(path: string, value: unknown, item: (p: string, v: unknown) => T): T[] {
  if (!Array.isArray(value)) throw new ConfigError(path, value, 'an array');
  return value.map((v, i) => item(`${path}[${i}]`, v));
}

/**
 * A plain object with no keys beyond `known`, so a misspelt option is caught.
 * Returns a copy of its own properties: nothing inherited (say, a value set on
 * `Object.prototype`) is ever read as an option.
 */
export function record(path: string, value: unknown, known: readonly string[], expected = 'an object'): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(path, value, expected);
  }
  const own = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(value)) {
    const field = (value as Record<string, unknown>)[key];
    if (!known.includes(key)) {
      throw new ConfigError(`${path}.${key}`, field, `one of the known options (${known.join(', ')})`);
    }
    own[key] = field;
  }
  return own;
}
