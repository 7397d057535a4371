/**
 * Which calls may be retried by their method, and the idempotency key that
 * makes a POST or PATCH safe to send again.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-9.2.2 (idempotent methods)
 * @see https://datatracker.ietf.org/doc/draft-ietf-httpapi-idempotency-key-header/
 */
import { DEFAULT_IDEMPOTENCY_HEADER } from './retry-options.js';
import type { ResolvedRetry } from './retry-options.js';

/** Request headers as far as this module needs them (axios's `AxiosHeaders`). */
export interface HeaderAccess {
  get(name: string): unknown;
  set(name: string, value: string): unknown;
}

/**
 * Sets the idempotency key header on a POST or PATCH when asked (a key the
 * caller set is kept; `fixedValue` is the key a request fixed, else a fresh
 * one from `newKey`), and says whether the call may be retried by its method.
 */
export function applyIdempotency(
  method: string, headers: HeaderAccess, retry: ResolvedRetry | false, fixedValue: string | undefined, newKey: () => string,
): boolean {
  if (retry === false) {
    // No retries, but a key the caller fixed for this request is still sent.
    if (fixedValue !== undefined && headers.get(DEFAULT_IDEMPOTENCY_HEADER) == null) headers.set(DEFAULT_IDEMPOTENCY_HEADER, fixedValue);
    return false;
  }
  if (retry.methods.has(method)) return true;
  if (method !== 'POST' && method !== 'PATCH') return false;
  const header = retry.idempotencyKey;
  if (header === false) return headers.get(DEFAULT_IDEMPOTENCY_HEADER) != null;
  if (headers.get(header) == null) headers.set(header, fixedValue ?? newKey());
  return true;
}
