/**
 * How a call goes through axios, attempt after attempt.
 *
 * - The call's first request keeps the caller's config; the client swaps in
 *   its own adapter (the runner's `send`), which decides whether the attempt
 *   goes out at all (gates), waits for a bulkhead slot, starts the attempt's
 *   timer and calls the real adapter. Refusals are decided there, since a
 *   synchronous request interceptor cannot stop axios from dispatching.
 * - The request's own `transformRequest` / `transformResponse` run through
 *   guards that tie what they throw (a circular body, a failing parser) to the
 *   attempt, since axios raises those errors without a config.
 * - The next attempt is the last one's config with its body already
 *   serialised (`transformRequest` not run again).
 * - When the call ends, the config the caller sees gets back what the caller
 *   set (signal, CancelToken, adapter, transforms, timeout), so it can be
 *   replayed like any axios config.
 */
import axios from 'axios';
import type { AxiosAdapter, InternalAxiosRequestConfig } from 'axios';
import { Attempt, STATE_KEY, attemptOfConfig, tagError } from './call.js';
import type { AttemptOwner, Call } from './call.js';

type Transform = (this: unknown, data: unknown, headers: unknown, status?: number) => unknown;

function asList(fns: unknown): Transform[] {
  return (Array.isArray(fns) ? fns : fns === undefined || fns === null ? [] : [fns]) as Transform[];
}

/** Runs `fns` as axios would (`this` = the config), tagging what they throw with the attempt. */
function runGuarded(config: InternalAxiosRequestConfig, fns: unknown, data: unknown, headers: unknown, status: number | undefined): unknown {
  const list = asList(fns);
  let out = data;
  try {
    for (let i = 0; i < list.length; i++) {
      if (i > 0) (headers as { normalize?: () => void } | undefined)?.normalize?.();
      out = list[i].call(config, out, headers, status);
    }
  } catch (err) {
    tagError(err, config);
    throw err;
  }
  return out;
}

function guardedRequest(this: InternalAxiosRequestConfig, data: unknown, headers: unknown): unknown {
  return runGuarded(this, attemptOfConfig(this)?.call.transformRequest, data, headers, undefined);
}

function guardedResponse(this: InternalAxiosRequestConfig, data: unknown, headers: unknown, status?: number): unknown {
  return runGuarded(this, attemptOfConfig(this)?.call.transformResponse, data, headers, status);
}

const GUARDED_REQUEST = [guardedRequest];
const GUARDED_RESPONSE = [guardedResponse];
const PASS_THROUGH = [(data: unknown): unknown => data];

/**
 * Takes over the first request of `call`: the adapter, the transforms, the
 * signal (the first attempt's) and the state key. Remembers what the caller set.
 */
export function takeOver(config: InternalAxiosRequestConfig, call: Call, adapter: AxiosAdapter, attempt: Attempt): void {
  call.adapter = config.adapter;
  config.adapter = adapter;
  call.transformResponse = config.transformResponse;
  config.transformResponse = GUARDED_RESPONSE;
  if (config.data !== undefined) {
    call.transformRequest = config.transformRequest;
    config.transformRequest = GUARDED_REQUEST;
  }
  call.timeout = config.timeout;
  (config as unknown as Record<string, unknown>)[STATE_KEY] = attempt;
  config.signal = attempt;
}

/** The config of the call's next attempt: the last one's, body serialised, with `attempt`'s signal and state. */
export function nextConfig(last: InternalAxiosRequestConfig, attempt: Attempt): InternalAxiosRequestConfig {
  const next: Record<string, unknown> = { ...last, transformRequest: PASS_THROUGH, signal: attempt };
  next[STATE_KEY] = attempt;
  return next as unknown as InternalAxiosRequestConfig;
}

/** Gives the caller's own settings back to the config they see on the outcome. */
export function restoreCaller(config: InternalAxiosRequestConfig | undefined, call: Call): void {
  if (config === undefined) return;
  const c = config as unknown as Record<string, unknown>;
  c.signal = call.callerSignal; // undefined when the caller set none (a delete would reshape the config)
  if (call.cancelToken !== undefined) c.cancelToken = call.cancelToken;
  c.adapter = call.adapter;
  c.transformResponse = call.transformResponse;
  if (call.transformRequest !== undefined) c.transformRequest = call.transformRequest;
  c.timeout = call.timeout;
}

/** Resolves the request's own adapter (a name, a list or a function), remembering the last one. */
export class AdapterCache {
  private lastValue: unknown = undefined;
  private lastAdapter: AxiosAdapter | undefined = undefined;

  get(value: unknown, config: InternalAxiosRequestConfig): AxiosAdapter {
    const wanted = value ?? axios.defaults.adapter;
    if (wanted === this.lastValue && this.lastAdapter !== undefined) return this.lastAdapter;
    const adapter = axios.getAdapter(wanted as Parameters<typeof axios.getAdapter>[0], config);
    this.lastValue = wanted;
    this.lastAdapter = adapter;
    return adapter;
  }
}

/** A new attempt for `call`, numbered after the attempts sent so far. */
export function newAttempt(call: Call, owner: AttemptOwner): Attempt {
  const attempt = new Attempt(call, owner);
  call.current = attempt;
  return attempt;
}
