/**
 * Thrown for invalid options: by the constructor, `configure()`, and (as the
 * call's rejection) for invalid per-request options. The message names the field
 * path, the value received and what was expected.
 *
 * @example new ConfigError('retry.maxAttempts', -1, 'an integer >= 1')
 *   // message: "retry.maxAttempts must be an integer >= 1, got -1"
 */
export class ConfigError extends TypeError {
  /** Always `'ConfigError'`. */
  override readonly name = 'ConfigError';
  /** Stable machine-readable code. */
  readonly code = 'ERR_RESILIENT_CONFIG';
  /** Dotted path of the offending field, e.g. `retry.backoff.baseMs`. */
  readonly path: string;
  /** The value that was rejected. */
  readonly value: unknown;

  constructor(path: string, value: unknown, expected: string) {
    super(`${path} must be ${expected}, got ${describeValue(value)}`);
    this.path = path;
    this.value = value;
  }
}

/** A short, log-safe rendering of a rejected value. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value === null || typeof value !== 'object') return String(value);
  return 'an object';
}
