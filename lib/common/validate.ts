/**
 * Small validators shared by the option resolvers. Each returns the value when
 * it is acceptable and throws a {@link ConfigError} naming the path otherwise.
 * Resolvers describe a section as a table of {@link Check}s, one per field,
 * and {@link section} applies it.
 */
import { ConfigError } from './config-error.js';

/**
 * Checks one field given (not `undefined`): returns the value to keep, or throws a
 * {@link ConfigError} naming `path`. `base` is the field's value in force, for a
 * nested section that merges over it.
 */
export type Check<T> = (path: string, value: unknown, base: T) => T;

/** A section's checks, one per key, in the order of the resolved object's keys. */
export type Fields<T> = { readonly [K in keyof T]: Check<T[K]> };

/** Bounds of {@link number} beside its minimum. */
export interface NumberBounds {
  /** The minimum itself is refused. */
  exclusiveMin?: boolean;
  /** Largest value accepted. */
  max?: number;
  /** `Infinity` is accepted. */
  allowInfinity?: boolean;
}

/** A finite or infinite number within bounds. */
export function number(path: string, value: unknown, min: number, opts: NumberBounds = {}): number {
  const ok =
    typeof value === 'number' &&
    !Number.isNaN(value) &&
    (opts.exclusiveMin === true ? value > min : value >= min) &&
    (opts.max === undefined || value <= opts.max) &&
    (opts.allowInfinity === true || Number.isFinite(value));
  if (!ok) {
    const upper = opts.max === undefined ? '' : ` and <= ${opts.max}`;
    const expected = `a ${opts.allowInfinity === true ? '' : 'finite '}number ${opts.exclusiveMin === true ? '>' : '>='} ${min}${upper}`;
    throw new ConfigError(path, value, expected);
  }
  return value;
}

/** An integer >= min. */
export function integer(path: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new ConfigError(path, value, `an integer >= ${min}`);
  }
  return value;
}

/** A boolean. */
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

/** A function. */
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

/**
 * Resolves a section over `base`: `raw` must be an object whose keys are all in
 * `fields` (see {@link record}); each field given is checked by its entry, each
 * left out (or `undefined`) is `base`'s. Returns a frozen object with the keys
 * of `fields`, in that order.
 * @throws {ConfigError} naming the first invalid field, in the order of `fields`.
 */
export function section<T>(path: string, raw: unknown, fields: Fields<T>, base: T, expected?: string): T {
  return fill(path, record(path, raw, Object.keys(fields), expected), fields, base);
}

/** {@link section} over an object {@link record} already checked; `path` '' for top-level fields. */
export function fill<T>(path: string, given: Record<string, unknown>, fields: Fields<T>, base: T): T {
  const out: Partial<Record<keyof T, unknown>> = {};
  for (const key of Object.keys(fields) as (keyof T & string)[]) {
    const value = given[key];
    out[key] = value === undefined ? base[key] : fields[key](path === '' ? key : `${path}.${key}`, value, base[key]);
  }
  return Object.freeze(out) as T;
}

/** A {@link number} check. */
export const num = (min: number, opts?: NumberBounds) => (p: string, x: unknown): number => number(p, x, min, opts);
/** An {@link integer} check. */
export const int = (min: number) => (p: string, x: unknown): number => integer(p, x, min);
/** A non-empty string check (not {@link string} itself: its third parameter is not a base). */
export const text = (p: string, x: unknown): string => string(p, x);
/** An HTTP header name check. */
export const header = (p: string, x: unknown): string => string(p, x, true);
/** A {@link oneOf} check, or a function when `orFunction` is set. */
export const choice = <T extends string, F = never>(allowed: readonly T[], orFunction = false) =>
  (p: string, x: unknown): T | F => (orFunction && typeof x === 'function' ? (x as F) : oneOf(p, x, allowed));
/** A nested section, merged field by field over the value in force. */
export const nested = <T>(fields: Fields<T>): Check<T> => (p, x, b) => section(p, x, fields, b);
/** A list of HTTP methods, as a set of upper-case names. */
export const methodSet = (p: string, x: unknown): ReadonlySet<string> => new Set(arrayOf(p, x, (q, m) => string(q, m).toUpperCase()));
