/**
 * Label and attribute values with bounded cardinality, shared by the
 * OpenTelemetry and Prometheus entry points. Pure: no telemetry library, and
 * of the core only its public types.
 */
import type { CircuitState } from '../index.js';

/** The request methods of RFC 9110 and RFC 5789 (PATCH): any other becomes `_OTHER`. */
const KNOWN_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);

/** The method as a bounded value: an upper-case known method, else `_OTHER` (OpenTelemetry's convention). */
export function knownMethod(method: string): string {
  return KNOWN_METHODS.has(method) ? method : '_OTHER';
}

/** A breaker's state as a number: 0 closed, 1 half-open, 2 open (a higher number is worse). */
export const CIRCUIT_STATE_VALUE: Readonly<Record<CircuitState, number>> = Object.freeze({ CLOSED: 0, HALF_OPEN: 1, OPEN: 2 });

/**
 * Keeps the first `limit` distinct values it is shown and maps every later
 * one to `other`: the set of values ever reported stays bounded, whatever
 * comes (per-origin breaker keys, say, with calls to many hosts).
 */
export class CappedValues {
  private readonly kept = new Set<string>();

  constructor(
    private readonly limit: number,
    private readonly other: string,
  ) {}

  /** `value` itself when it is one of the first `limit` seen, else `other`. */
  of(value: string): string {
    if (this.kept.has(value)) return value;
    if (this.kept.size >= this.limit) return this.other;
    this.kept.add(value);
    return value;
  }
}

/**
 * Reduces `(key, value)` pairs to one value per capped key, the highest
 * winning: when several breakers share `_OTHER`, the worst state shows.
 */
export function maxByCappedKey<T>(items: Iterable<T>, keyOf: (item: T) => string, valueOf: (item: T) => number, cap: CappedValues): Map<string, number> {
  const out = new Map<string, number>();
  for (const item of items) {
    const key = cap.of(keyOf(item));
    const value = valueOf(item);
    const seen = out.get(key);
    if (seen === undefined || value > seen) out.set(key, value);
  }
  return out;
}
