/**
 * `instrument(client)`: OpenTelemetry tracing and metrics for one client,
 * built on its public seams only.
 *
 * - A synchronous request interceptor on `client.axios` notes, on each call's
 *   first attempt (`attemptOf(config)`), the context active in the caller and
 *   where the call goes. axios runs it inside the caller's `client.get(...)`
 *   (or, behind an asynchronous interceptor, in a promise continuation that
 *   carries the caller's context), so that is the parent of every attempt.
 * - The instance's default adapter is wrapped: it runs once per attempt
 *   actually sent (after the gates and any bulkhead queue, so a refusal has no
 *   span), which makes it the one place to start the attempt's span, inject
 *   its trace context and run the request with tracing suppressed beneath.
 * - Events end the spans (`attempt-end`) and the calls (`success`, `failure`)
 *   and feed the metrics (`retry`, the refusal events).
 *
 * `uninstrument()` removes the interceptor, the listeners, the gauge callback
 * and the adapter wrapper (unless something replaced it since).
 */
import { context, metrics, trace } from '@opentelemetry/api';
import type { MeterProvider, TracerProvider } from '@opentelemetry/api';
import axios from 'axios';
import type { AxiosAdapter, InternalAxiosRequestConfig } from 'axios';
import { ConfigError, ResilientClient, attemptOf } from '../index.js';
import type { FailureEvent, SuccessEvent } from '../index.js';
import { Listeners } from '../telemetry/listeners.js';
import { fullUrlOf, targetOf } from './attributes.js';
import { CallMetrics } from './call-metrics.js';
import { CallTracer } from './call-tracer.js';

/** The instrumentation scope (tracer and meter name). */
export const SCOPE = 'resilient-axios';

/** What `instrument()` accepts. */
export interface InstrumentOptions {
  /** Where spans go. @default the global tracer provider of `@opentelemetry/api` */
  tracerProvider?: TracerProvider;
  /** Where metrics go. @default the global meter provider (read when `instrument()` runs: register the SDK first) */
  meterProvider?: MeterProvider;
  /** Also one INTERNAL span per call, parent of its attempts' CLIENT spans. @default false */
  callSpans?: boolean;
}

/** What `instrument()` returns. */
export interface Instrumentation {
  /** Removes everything `instrument()` added to the client; calls in flight end their spans now. Idempotent. */
  uninstrument(): void;
}

const instrumented = new WeakSet<ResilientClient>();

function check(client: unknown, options: unknown): InstrumentOptions {
  if (!(client instanceof ResilientClient)) throw new ConfigError('client', client, 'a ResilientClient');
  if (instrumented.has(client)) throw new ConfigError('client', client, 'a client not instrumented yet (uninstrument() it first)');
  if (options === null || typeof options !== 'object') throw new ConfigError('options', options, 'an object');
  const o = options as Record<string, unknown>;
  if (o.tracerProvider !== undefined && typeof (o.tracerProvider as TracerProvider).getTracer !== 'function') {
    throw new ConfigError('tracerProvider', o.tracerProvider, 'a TracerProvider (with getTracer)');
  }
  if (o.meterProvider !== undefined && typeof (o.meterProvider as MeterProvider).getMeter !== 'function') {
    throw new ConfigError('meterProvider', o.meterProvider, 'a MeterProvider (with getMeter)');
  }
  if (o.callSpans !== undefined && typeof o.callSpans !== 'boolean') throw new ConfigError('callSpans', o.callSpans, 'a boolean');
  return o;
}

/** The address of the page, in a browser: what a relative URL is relative to. */
function pageAddress(): string | undefined {
  return (globalThis as { location?: { href?: unknown } }).location?.href as string | undefined;
}

/**
 * Traces and measures every call of `client` with OpenTelemetry: one CLIENT
 * span per attempt (HTTP client semantic conventions, `http.request.resend_count`
 * from the second attempt on), W3C trace context (the global propagator) in
 * every attempt's headers, and the metrics of {@link CallMetrics}.
 *
 * Coexists with `@opentelemetry/instrumentation-http`: each attempt's request
 * runs with tracing suppressed, so it adds no second CLIENT span (and does not
 * replace our `traceparent`). Footgun: an adapter set per request, or set on
 * `client.axios.defaults.adapter` after `instrument()`, bypasses the wrapper:
 * those requests get no attempt span (metrics still count them).
 *
 * @example
 * const payments = new ResilientClient({ baseURL: 'https://payments.internal' });
 * const { uninstrument } = instrument(payments, { callSpans: true });
 * @throws {ConfigError} for an invalid option, or a client already instrumented.
 */
export function instrument(client: ResilientClient, options: InstrumentOptions = {}): Instrumentation {
  const o = check(client, options);
  const tracer = (o.tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE);
  const meter = (o.meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE);
  const calls = new CallTracer(tracer, o.callSpans === true);
  const measures = new CallMetrics(meter, () => client.stats().breakers);
  const instance = client.axios;

  const interceptor = instance.interceptors.request.use(
    (config: InternalAxiosRequestConfig) => {
      const info = attemptOf(config);
      if (info === undefined || calls.record(info.callId) !== undefined) return config;
      try {
        const url = fullUrlOf(config, () => instance.getUri(config));
        const target = targetOf((config.method ?? 'get').toUpperCase(), url, client.settings.redaction.query, pageAddress());
        calls.begin(info.callId, target, context.active());
      } catch {
        // a URL axios cannot build: the call fails on its own; it goes untraced
      }
      return config;
    },
    undefined,
    { synchronous: true },
  );

  const original = instance.defaults.adapter;
  let real: AxiosAdapter | undefined;
  const adapter: AxiosAdapter = (config) => calls.send(config, (real ??= axios.getAdapter(original ?? axios.defaults.adapter, config)));
  instance.defaults.adapter = adapter;

  const settled = (e: SuccessEvent | FailureEvent, reason: string | undefined): void => {
    const rec = calls.end(e);
    measures.settled(rec?.target, { method: e.method, attempts: e.attempts, elapsedMs: e.elapsedMs, reason });
  };
  const refused = (callId: string, reason: string): void => {
    measures.refused(reason);
    calls.refused(callId, reason);
  };
  const listeners = new Listeners(client)
    .on('attempt-end', (e) => calls.attemptEnded(e))
    .on('retry', (e) => measures.retried(calls.record(e.callId)?.target, e.method))
    .on('success', (e) => settled(e, undefined))
    .on('failure', (e) => settled(e, e.reason))
    .on('circuit-reject', (e) => refused(e.callId, 'circuit-open'))
    .on('bulkhead-reject', (e) => refused(e.callId, 'bulkhead-full'))
    .on('throttle', (e) => refused(e.callId, 'throttled'))
    .on('retry-budget-exhausted', (e) => refused(e.callId, 'retry-budget'));
  instrumented.add(client);

  let on = true;
  return {
    uninstrument: () => {
      if (!on) return;
      on = false;
      instance.interceptors.request.eject(interceptor);
      if (instance.defaults.adapter === adapter) {
        if (original === undefined) delete instance.defaults.adapter;
        else instance.defaults.adapter = original;
      }
      listeners.removeAll();
      measures.close();
      calls.clear();
      instrumented.delete(client);
    },
  };
}
