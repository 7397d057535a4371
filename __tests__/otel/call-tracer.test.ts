/**
 * CallTracer's bookkeeping with the real tracing SDK: a call is remembered
 * from `begin` to its settling event and no longer; nothing it started stays
 * open. (Sending attempts needs a real client: see instrument.test.ts.)
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { CallTracer } from '../../lib/otel/call-tracer.js';
import { targetOf } from '../../lib/otel/attributes.js';
import type { FailureEvent, SuccessEvent } from '../../lib/index.js';
import { sdk } from '../helpers/otel.js';
import type { Sdk } from '../helpers/otel.js';

let telemetry: Sdk;
beforeEach(() => {
  telemetry = sdk();
});
afterEach(async () => {
  await telemetry.shutdown();
});

const target = targetOf('GET', 'http://h.test/x', new Set());
const base = { method: 'GET', url: '/x', attempts: 1, elapsedMs: 5 };
const success = (callId: string): SuccessEvent => ({ ...base, callId, status: 200 });
const failure = (callId: string, reason: FailureEvent['reason']): FailureEvent =>
  ({ ...base, callId, reason, error: undefined, status: undefined, code: undefined, remainingMs: 0 });

test('a call is forgotten when it settles, whichever way', () => {
  const calls = new CallTracer(telemetry.tracerProvider.getTracer('t'), false);
  calls.begin('c1', target, ROOT_CONTEXT);
  calls.begin('c2', target, ROOT_CONTEXT);
  expect(calls.size).toBe(2);
  expect(calls.end(success('c1'))?.target).toBe(target);
  expect(calls.end(failure('c2', 'aborted'))?.target).toBe(target);
  expect(calls.size).toBe(0);
  expect(calls.record('c1')).toBeUndefined();
  expect(calls.end(success('c1'))).toBeUndefined(); // an unknown call: nothing to do
});

test('events of calls it does not know change nothing', () => {
  const calls = new CallTracer(telemetry.tracerProvider.getTracer('t'), true);
  calls.attemptEnded({ callId: 'nope', method: 'GET', url: '/x', attempt: 1, durationMs: 1, outcome: 'response', status: 200, code: undefined });
  calls.refused('nope', 'circuit-open');
  expect([calls.size, telemetry.spans().length, telemetry.open()]).toEqual([0, 0, 0]);
});

test('call spans: an aborted call is no error; clear() ends every call span still open', () => {
  const calls = new CallTracer(telemetry.tracerProvider.getTracer('t'), true);
  calls.begin('a', target, ROOT_CONTEXT);
  calls.begin('b', target, ROOT_CONTEXT);
  calls.end(failure('a', 'aborted'));
  expect(telemetry.open()).toBe(1);
  calls.clear();
  expect([calls.size, telemetry.open()]).toEqual([0, 0]);
  const [aborted] = telemetry.spans();
  expect([aborted.kind, aborted.status.code, aborted.attributes['resilient_axios.reason'], aborted.attributes['error.type']]).toEqual([
    SpanKind.INTERNAL, SpanStatusCode.UNSET, 'aborted', undefined,
  ]);
});

test('a call span carries only what is known of where the call goes', () => {
  const calls = new CallTracer(telemetry.tracerProvider.getTracer('t'), true);
  calls.begin('rel', targetOf('GET', '/relative', new Set()), ROOT_CONTEXT);
  calls.end(success('rel'));
  expect(telemetry.spans()[0].attributes).toEqual({ 'http.request.method': 'GET', 'http.response.status_code': 200, 'resilient_axios.attempts': 1 });
});

test('a refusal is an event on the caller\u2019s span only when that span records', () => {
  const calls = new CallTracer(telemetry.tracerProvider.getTracer('t'), false);
  const caller = telemetry.tracerProvider.getTracer('t').startSpan('caller');
  calls.begin('rec', target, trace.setSpan(ROOT_CONTEXT, caller));
  calls.begin('none', target, ROOT_CONTEXT);
  calls.refused('rec', 'bulkhead-full');
  calls.refused('none', 'bulkhead-full');
  caller.end();
  expect(telemetry.spans().map((s) => s.events.map((e) => [e.name, e.attributes]))).toEqual([[['resilient_axios.refused', { reason: 'bulkhead-full' }]]]);
});
