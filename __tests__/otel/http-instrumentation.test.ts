/**
 * Coexistence with `@opentelemetry/instrumentation-http`, for real: its
 * require hook needs Node's module loader, so the scenario runs in its own
 * process (__tests__/fixtures/otel-http-instrumentation.ts) and reports here.
 * Each attempt's request runs with tracing suppressed: the instrumentation adds
 * no CLIENT span of its own (nor replaces our traceparent), while it still
 * traces the server side and a plain axios request.
 */
import { SpanKind } from '@opentelemetry/api';
import { runTs } from '../helpers/run-ts.js';

interface FixtureSpan {
  name: string;
  kind: SpanKind;
  scope: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  resendCount?: number;
}
interface Report {
  status: number;
  plain: number;
  traceparents: string[];
  spans: FixtureSpan[];
}

let report: Report;
beforeAll(async () => {
  const exit = await runTs('__tests__/fixtures/otel-http-instrumentation.ts');
  expect({ code: exit.code, stderr: exit.stderr }).toEqual({ code: 0, stderr: '' });
  const line = exit.stdout.split('\n').find((l) => l.startsWith('RESULT ')) as string;
  report = JSON.parse(line.slice('RESULT '.length)) as Report;
}, 30_000);

const ours = (): FixtureSpan[] => report.spans.filter((s) => s.scope === 'resilient-axios');
const theirs = (kind: SpanKind): FixtureSpan[] => report.spans.filter((s) => s.scope === '@opentelemetry/instrumentation-http' && s.kind === kind);

test('exactly one CLIENT span per attempt: ours, under the caller; the instrumentation adds none for them', () => {
  expect(report.status).toBe(200);
  const caller = report.spans.find((s) => s.name === 'caller') as FixtureSpan;
  expect(ours().map((s) => [s.kind, s.parentSpanId, s.resendCount ?? null])).toEqual([
    [SpanKind.CLIENT, caller.spanId, null],
    [SpanKind.CLIENT, caller.spanId, 1],
    [SpanKind.CLIENT, caller.spanId, 2],
  ]);
  const clientSpansInCallerTrace = report.spans.filter((s) => s.kind === SpanKind.CLIENT && s.traceId === caller.traceId);
  expect(clientSpansInCallerTrace).toEqual(ours());
});

test('the server received each attempt\u2019s own traceparent, and its SERVER spans are children of our attempt spans', () => {
  expect(report.traceparents.slice(0, 3)).toEqual(ours().map((s) => `00-${s.traceId}-${s.spanId}-01`));
  expect(theirs(SpanKind.SERVER).slice(0, 3).map((s) => s.parentSpanId)).toEqual(ours().map((s) => s.spanId));
});

test('the instrumentation is live: a plain axios request gets its CLIENT span, whose traceparent the server saw', () => {
  expect(report.plain).toBe(200);
  const [plain] = theirs(SpanKind.CLIENT);
  expect(theirs(SpanKind.CLIENT)).toHaveLength(1);
  expect(report.traceparents[3]).toBe(`00-${plain.traceId}-${plain.spanId}-01`);
});
