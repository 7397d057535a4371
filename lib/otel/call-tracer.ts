/**
 * The spans of calls in flight: one CLIENT span per attempt sent, each a
 * child of the context that was active when its call began (or of the call's
 * INTERNAL span, with `callSpans`), however long the backoff waits between
 * attempts. Each attempt's request carries its own span's trace context, and
 * runs with tracing suppressed beneath it, so HTTP auto-instrumentation
 * (`@opentelemetry/instrumentation-http`, undici, fetch) adds no second span.
 *
 * A call is remembered from its first attempt's request interceptor to its
 * `success` or `failure` event, and forgotten then.
 */
import { SpanKind, SpanStatusCode, context, createContextKey, propagation, trace } from '@opentelemetry/api';
import type { Attributes, Context, Span, TextMapSetter, Tracer } from '@opentelemetry/api';
import type { AxiosAdapter, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import { attemptOf } from '../index.js';
import type { AttemptEndEvent, FailureEvent, SuccessEvent } from '../index.js';
import { errorTypeOf } from './attributes.js';
import type { Target } from './attributes.js';

/**
 * `@opentelemetry/core`'s suppress-tracing key. The API's `createContextKey`
 * is `Symbol.for(description)` and core uses this description, so this is the
 * same key without a dependency on core; the SDK's tracers then start no span
 * (and the W3C propagator injects nothing) inside such a context.
 */
const SUPPRESS_TRACING = createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING');

/** Writes a propagation header into axios's request headers. */
const HEADERS: TextMapSetter<InternalAxiosRequestConfig['headers']> = {
  set: (headers, key, value) => {
    headers.set(key, value);
  },
};

/** What is known of one call in flight. */
export interface CallRecord {
  readonly target: Target;
  /** The context its attempts' spans are children of: the caller's, or the call span's. */
  readonly parent: Context;
  readonly callSpan: Span | undefined;
  /** The call's span attributes, shared by its attempts. */
  readonly attributes: Attributes;
  /** Attempt spans not ended yet, by attempt number (1-based). */
  readonly open: Map<number, Span>;
}

function attributesOf(t: Target): Attributes {
  const a: Attributes = { 'http.request.method': t.method };
  if (t.methodOriginal !== undefined) a['http.request.method_original'] = t.methodOriginal;
  if (t.urlFull !== undefined) a['url.full'] = t.urlFull;
  if (t.address !== undefined) a['server.address'] = t.address;
  if (t.port !== undefined) a['server.port'] = t.port;
  return a;
}

export class CallTracer {
  private readonly calls = new Map<string, CallRecord>();
  /** Calls in flight when {@link clear} ran: their next attempt still carries the last one's trace context. */
  private cleared = new Set<string>();

  constructor(
    private readonly tracer: Tracer,
    private readonly callSpans: boolean,
  ) {}

  /** Calls in flight that are remembered. */
  get size(): number {
    return this.calls.size;
  }

  /** The record of a call in flight. */
  record(callId: string): CallRecord | undefined {
    return this.calls.get(callId);
  }

  /** A call began: `active` is the caller's context (read in its first attempt's request interceptor). */
  begin(callId: string, target: Target, active: Context): void {
    const attributes = attributesOf(target);
    const callSpan = this.callSpans ? this.tracer.startSpan(target.spanName, { kind: SpanKind.INTERNAL, attributes }, active) : undefined;
    const parent = callSpan === undefined ? active : trace.setSpan(active, callSpan);
    this.calls.set(callId, { target, parent, callSpan, attributes, open: new Map() });
  }

  /**
   * Sends one attempt through `adapter` (the client's real one): starts its
   * CLIENT span, injects the span's trace context into the request headers
   * and runs the adapter in that context with tracing suppressed. A request
   * of no call we know goes out as it is, less the trace context we put in
   * an earlier attempt's headers (a call in flight when `uninstrument()` ran).
   */
  send(config: InternalAxiosRequestConfig, adapter: AxiosAdapter): Promise<AxiosResponse> {
    const info = attemptOf(config);
    const rec = info === undefined ? undefined : this.calls.get(info.callId);
    if (info === undefined || rec === undefined) {
      if (info !== undefined && this.cleared.delete(info.callId)) for (const field of propagation.fields()) config.headers.delete(field);
      return adapter(config);
    }
    const attributes = info.attempt > 1 ? { ...rec.attributes, 'http.request.resend_count': info.attempt - 1 } : rec.attributes;
    const span = this.tracer.startSpan(rec.target.spanName, { kind: SpanKind.CLIENT, attributes }, rec.parent);
    rec.open.set(info.attempt, span);
    const ctx = trace.setSpan(rec.parent, span);
    propagation.inject(ctx, config.headers, HEADERS);
    return context.with(ctx.setValue(SUPPRESS_TRACING, true), adapter, undefined, config);
  }

  /** An attempt ended (`attempt-end`): its span gets the status code and `error.type`, and ends. */
  attemptEnded(e: AttemptEndEvent): void {
    const rec = this.calls.get(e.callId);
    const span = rec?.open.get(e.attempt);
    if (rec === undefined || span === undefined) return;
    rec.open.delete(e.attempt);
    if (e.status !== undefined) span.setAttribute('http.response.status_code', e.status);
    const errorType = errorTypeOf(e);
    if (errorType !== undefined) {
      span.setAttribute('error.type', errorType);
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
  }

  /** A local refusal: an event on the call span, or on the caller's span when it records. */
  refused(callId: string, reason: string): void {
    const rec = this.calls.get(callId);
    const span = rec === undefined ? undefined : trace.getSpan(rec.parent);
    if (span?.isRecording() === true) span.addEvent('resilient_axios.refused', { reason });
  }

  /**
   * The call settled: ends what is still open of it (its call span: an error
   * unless it succeeded or the caller aborted it) and forgets it.
   * @returns its record, if it had one.
   */
  end(e: SuccessEvent | FailureEvent): CallRecord | undefined {
    const rec = this.calls.get(e.callId);
    if (rec === undefined) return undefined;
    this.calls.delete(e.callId);
    for (const span of rec.open.values()) span.end();
    const span = rec.callSpan;
    if (span !== undefined) {
      span.setAttribute('resilient_axios.attempts', e.attempts);
      if ('reason' in e) {
        span.setAttribute('resilient_axios.reason', e.reason);
        if (e.reason !== 'aborted') {
          span.setAttribute('error.type', e.reason);
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
      } else span.setAttribute('http.response.status_code', e.status);
      span.end();
    }
    return rec;
  }

  /** Forgets every call, ending their open spans (for `uninstrument()`). */
  clear(): void {
    this.cleared = new Set(this.calls.keys());
    for (const rec of this.calls.values()) {
      for (const span of rec.open.values()) span.end();
      rec.callSpan?.end();
    }
    this.calls.clear();
  }
}
