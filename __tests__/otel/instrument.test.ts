/**
 * `instrument()` with the real SDKs against loopback servers: one CLIENT span
 * per attempt, children of the caller's span, each attempt's traceparent the
 * one the server received, semantic-convention attributes, and the metrics.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, metrics, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Histogram } from '@opentelemetry/sdk-metrics';
import axios from 'axios';
import type { AxiosAdapter } from 'axios';
import { ConfigError, ResilientClient } from '../../lib/index.js';
import type { ResilientClientConfig } from '../../lib/index.js';
import { instrument } from '../../lib/otel/index.js';
import { otelGlobalsForFile, sdk } from '../helpers/otel.js';
import type { Sdk } from '../helpers/otel.js';
import { serversClosedAfterEach } from '../helpers/server.js';
import type { RecordedRequest } from '../helpers/server.js';

otelGlobalsForFile();
const serve = serversClosedAfterEach();
const FAST: ResilientClientConfig = { retry: { backoff: { baseMs: 2, jitter: 'none' } } };

let telemetry: Sdk;
beforeEach(() => {
  telemetry = sdk();
});
afterEach(async () => {
  await telemetry.shutdown();
});

const clientSpans = (): ReadableSpan[] => telemetry.spans().filter((s) => s.kind === SpanKind.CLIENT);
const traceparentOf = (s: ReadableSpan): string => `00-${s.spanContext().traceId}-${s.spanContext().spanId}-01`;
const traceparents = (requests: readonly RecordedRequest[]): unknown[] => requests.map((r) => r.headers.traceparent);

/** Runs `fn` with a fresh caller span active; returns the span (ended) and what `fn` returned. */
async function underCallerSpan<T>(fn: () => Promise<T>): Promise<{ caller: ReadableSpan; result: T }> {
  const span = telemetry.tracerProvider.getTracer('test').startSpan('caller');
  const result = await context.with(trace.setSpan(ROOT_CONTEXT, span), fn);
  span.end();
  const caller = telemetry.spans().find((s) => s.name === 'caller') as ReadableSpan;
  return { caller, result };
}

/** `GET /a` under a caller span and `GET /b` under another, at once; returns the two callers' span ids. */
async function twoCallers(client: ResilientClient): Promise<{ a: string; b: string }> {
  const tracer = telemetry.tracerProvider.getTracer('test');
  const a = tracer.startSpan('caller-a');
  const b = tracer.startSpan('caller-b');
  await Promise.all([
    context.with(trace.setSpan(ROOT_CONTEXT, a), () => client.get('/a')),
    context.with(trace.setSpan(ROOT_CONTEXT, b), () => client.get('/b')),
  ]);
  a.end();
  b.end();
  return { a: a.spanContext().spanId, b: b.spanContext().spanId };
}

describe('attempt spans', () => {
  test('503, 503, 200: three CLIENT spans under the caller, resend_count absent/1/2, each traceparent the one the server saw', async () => {
    const server = await serve([{ status: 503 }, { status: 503 }, { json: { ok: true } }]);
    const client = new ResilientClient({ ...FAST, baseURL: server.url });
    instrument(client, { tracerProvider: telemetry.tracerProvider, meterProvider: telemetry.meterProvider });

    const { caller, result } = await underCallerSpan(() => client.get('/items/1', { params: { q: 'x' } }));
    expect(result.status).toBe(200);
    const spans = clientSpans();
    expect(spans.map((s) => [s.name, s.kind])).toEqual([['GET', SpanKind.CLIENT], ['GET', SpanKind.CLIENT], ['GET', SpanKind.CLIENT]]);
    expect(spans.map((s) => s.attributes['http.request.resend_count'])).toEqual([undefined, 1, 2]);
    for (const s of spans) {
      expect(s.spanContext().traceId).toBe(caller.spanContext().traceId);
      expect(s.parentSpanContext?.spanId).toBe(caller.spanContext().spanId);
      expect(s.attributes).toMatchObject({
        'http.request.method': 'GET', 'server.address': '127.0.0.1', 'server.port': server.port, 'url.full': `${server.url}/items/1?q=x`,
      });
    }
    expect(new Set(spans.map((s) => s.spanContext().spanId)).size).toBe(3);
    expect(spans.map((s) => s.attributes['http.response.status_code'])).toEqual([503, 503, 200]);
    expect(spans.map((s) => s.attributes['error.type'])).toEqual(['503', '503', undefined]);
    expect(spans.map((s) => s.status.code)).toEqual([SpanStatusCode.ERROR, SpanStatusCode.ERROR, SpanStatusCode.UNSET]);
    expect(traceparents(server.requests)).toEqual(spans.map(traceparentOf));
    expect(telemetry.open()).toBe(0);
  });

  test('concurrent calls behind an asynchronous interceptor: each call\u2019s attempts stay under its own caller, across the backoff waits', async () => {
    const seen = new Map<string, number>();
    const server = await serve([
      (req) => {
        const n = (seen.get(req.url) ?? 0) + 1;
        seen.set(req.url, n);
        return n === 1 ? { status: 503 } : { json: { n } };
      },
    ]);
    const client = new ResilientClient({ ...FAST, baseURL: server.url });
    client.axios.interceptors.request.use(async (config) => {
      await new Promise<void>((resolve) => setImmediate(resolve));
      return config;
    });
    instrument(client, { tracerProvider: telemetry.tracerProvider });

    const { a, b } = await twoCallers(client);
    const parentsByPath = (path: string): unknown[] =>
      clientSpans().filter((s) => s.attributes['url.full'] === `${server.url}${path}`).map((s) => s.parentSpanContext?.spanId);
    expect(parentsByPath('/a')).toEqual([a, a]);
    expect(parentsByPath('/b')).toEqual([b, b]);
  });

  test('a call queued by the bulkhead is sent from another call\u2019s continuation: its span still has its own caller as parent', async () => {
    const server = await serve([{ status: 200 }]);
    const client = new ResilientClient({ baseURL: server.url, concurrency: { max: 1, queue: 1 } });
    instrument(client, { tracerProvider: telemetry.tracerProvider });
    const { a, b } = await twoCallers(client);
    expect(client.stats().bulkhead?.rejected).toBe(0);
    expect(clientSpans().map((s) => [s.attributes['url.full'], s.parentSpanContext?.spanId])).toEqual([
      [`${server.url}/a`, a],
      [`${server.url}/b`, b],
    ]);
  });

  test('url.full is redacted: credentials and secret query values never appear', async () => {
    const server = await serve([{ status: 200 }]);
    const base = server.url.replace('http://', 'http://alice:pw-secret@');
    const client = new ResilientClient({ baseURL: base, redactQuery: ['session'] });
    instrument(client, { tracerProvider: telemetry.tracerProvider });
    await client.get('/p?sig=sig-secret&page=2', { params: { access_token: 'tok-secret', session: 'sess-secret' } });
    const [span] = clientSpans();
    expect(span.attributes['url.full']).toBe(`http://REDACTED:REDACTED@127.0.0.1:${server.port}/p?sig=REDACTED&page=2&access_token=REDACTED&session=REDACTED`);
    expect(JSON.stringify(telemetry.spans().map((s) => s.attributes))).not.toMatch(/pw-secret|tok-secret|sess-secret|sig-secret|alice/);
  });

  test('a failed attempt carries error.type (the network error code); the retry that succeeds does not', async () => {
    const server = await serve(['reset', { status: 200 }]);
    const client = new ResilientClient({ ...FAST, baseURL: server.url });
    instrument(client, { tracerProvider: telemetry.tracerProvider });
    await client.get('/r');
    const spans = clientSpans();
    expect(spans.map((s) => [s.attributes['error.type'], s.status.code])).toEqual([['ECONNRESET', SpanStatusCode.ERROR], [undefined, SpanStatusCode.UNSET]]);
    expect(spans[0].attributes['http.response.status_code']).toBeUndefined();
  });

  test('a call the caller aborts: the attempt span ends with its status unset and no error.type', async () => {
    const ac = new AbortController();
    const server = await serve([
      () => {
        ac.abort();
        return 'hang';
      },
    ]);
    const client = new ResilientClient({ baseURL: server.url });
    instrument(client, { tracerProvider: telemetry.tracerProvider });
    await expect(client.get('/slow', { signal: ac.signal })).rejects.toMatchObject({ code: 'ERR_CANCELED' });
    const [span] = clientSpans();
    expect([span.status.code, span.attributes['error.type']]).toEqual([SpanStatusCode.UNSET, undefined]);
    expect(telemetry.open()).toBe(0);
  });

  test('without an active span, each attempt is a root span (pass callSpans to tie them together)', async () => {
    const server = await serve([{ status: 503 }, { status: 200 }]);
    const client = new ResilientClient({ ...FAST, baseURL: server.url });
    instrument(client, { tracerProvider: telemetry.tracerProvider });
    await client.get('/x');
    expect(clientSpans().map((s) => s.parentSpanContext)).toEqual([undefined, undefined]);
  });
});

describe('callSpans', () => {
  test('one INTERNAL span per call, child of the caller, parent of its attempts; an error when the call fails', async () => {
    const server = await serve([{ status: 503 }]);
    const client = new ResilientClient({ ...FAST, baseURL: server.url, retry: { maxAttempts: 2, backoff: { baseMs: 1 } } });
    instrument(client, { tracerProvider: telemetry.tracerProvider, callSpans: true });
    const { caller } = await underCallerSpan(() => client.get('/down').catch((e: unknown) => e));
    const call = telemetry.spans().find((s) => s.kind === SpanKind.INTERNAL) as ReadableSpan;
    expect(call.name).toBe('GET');
    expect(call.parentSpanContext?.spanId).toBe(caller.spanContext().spanId);
    expect(clientSpans().map((s) => s.parentSpanContext?.spanId)).toEqual([call.spanContext().spanId, call.spanContext().spanId]);
    expect(call.attributes).toMatchObject({ 'resilient_axios.attempts': 2, 'resilient_axios.reason': 'exhausted', 'error.type': 'exhausted' });
    expect(call.status.code).toBe(SpanStatusCode.ERROR);
    expect(telemetry.open()).toBe(0);
  });

  test('a successful call span has the status code and no error', async () => {
    const server = await serve([{ status: 200 }]);
    const client = new ResilientClient({ baseURL: server.url });
    instrument(client, { tracerProvider: telemetry.tracerProvider, callSpans: true });
    await client.get('/ok');
    const call = telemetry.spans().find((s) => s.kind === SpanKind.INTERNAL) as ReadableSpan;
    expect([call.attributes['http.response.status_code'], call.attributes['resilient_axios.attempts'], call.status.code]).toEqual([200, 1, SpanStatusCode.UNSET]);
  });
});

describe('no state outlives its call', () => {
  test('success, failure, a bulkhead refusal, an abort and a throwing interceptor: every span ends when its call settles', async () => {
    let arrived: () => void = () => undefined;
    const hanging = new Promise<void>((resolve) => (arrived = resolve));
    const server = await serve([
      (req) => {
        if (req.url !== '/hang') return { status: req.url === '/missing' ? 404 : 200 };
        arrived();
        return 'hang';
      },
    ]);
    const client = new ResilientClient({ baseURL: server.url, concurrency: { max: 1 } });
    client.axios.interceptors.request.use((config) => {
      if (config.url === '/boom') throw new Error('boom');
      return config;
    });
    const t = instrument(client, { tracerProvider: telemetry.tracerProvider, callSpans: true });
    const ac = new AbortController();
    const hung = client.get('/hang', { signal: ac.signal }).catch((e: unknown) => e);
    await hanging;
    expect(telemetry.open()).toBe(2); // the hanging call's span and its attempt's
    await expect(client.get('/refused')).rejects.toMatchObject({ code: 'ERR_BULKHEAD_FULL' });
    ac.abort();
    await hung;
    await client.get('/ok');
    await client.get('/missing').catch(() => undefined);
    await expect(client.get('/boom')).rejects.toThrow('boom');
    expect(telemetry.open()).toBe(0);
    expect(telemetry.spans().filter((s) => s.kind === SpanKind.INTERNAL)).toHaveLength(5);
    expect(clientSpans()).toHaveLength(3); // the refused and the never-sent call sent nothing
    t.uninstrument();
  });
});

describe('calls it cannot trace go on untouched', () => {
  test('a URL axios cannot build: no span, the call fails as it would, and is still measured', async () => {
    const server = await serve([{ status: 200 }]);
    const client = new ResilientClient({ baseURL: server.url });
    instrument(client, { tracerProvider: telemetry.tracerProvider, meterProvider: telemetry.meterProvider });
    const serialize = (): string => {
      throw new Error('bad params');
    };
    await expect(client.get('/x', { params: { a: 1 }, paramsSerializer: { serialize } })).rejects.toThrow('bad params');
    expect([telemetry.spans(), telemetry.open(), server.requests]).toEqual([[], 0, []]);
    const [duration] = await telemetry.points('resilient_axios.call.duration');
    expect(duration.attributes).toEqual({ 'http.request.method': 'GET', outcome: 'failure', reason: 'not-retryable' });
  });

  test('a plain axios request sent through the wrapped adapter goes out as it is', async () => {
    const server = await serve([{ status: 200 }]);
    const client = new ResilientClient({ baseURL: server.url });
    instrument(client, { tracerProvider: telemetry.tracerProvider });
    const res = await axios.get(`${server.url}/plain`, { adapter: client.axios.defaults.adapter as AxiosAdapter });
    expect([res.status, telemetry.spans(), server.requests[0].headers.traceparent]).toEqual([200, [], undefined]);
  });

  test('uninstrument() while a call waits to retry: its next attempt goes out plain', async () => {
    const server = await serve([{ status: 503 }, { status: 200 }]);
    const client = new ResilientClient({ ...FAST, baseURL: server.url });
    const t = instrument(client, { tracerProvider: telemetry.tracerProvider });
    client.once('retry', () => t.uninstrument());
    expect((await client.get('/r')).status).toBe(200);
    expect(clientSpans()).toHaveLength(1);
    expect(server.requests.map((r) => typeof r.headers.traceparent)).toEqual(['string', 'undefined']);
    expect(telemetry.open()).toBe(0);
  });
});

describe('local refusals', () => {
  test('an open circuit: no CLIENT span, a resilient_axios.refused event on the caller, counted in refusals and call.duration', async () => {
    const server = await serve([{ status: 503 }]);
    const client = new ResilientClient({ baseURL: server.url, retry: false, circuitBreaker: { trip: { type: 'consecutive', failures: 1 }, openMs: 60_000 } });
    instrument(client, { tracerProvider: telemetry.tracerProvider, meterProvider: telemetry.meterProvider });
    await client.get('/a').catch(() => undefined);
    const { caller } = await underCallerSpan(() => client.get('/a').catch((e: unknown) => e));
    expect(server.requests).toHaveLength(1);
    expect(clientSpans()).toHaveLength(1);
    expect(caller.events.map((e) => [e.name, e.attributes])).toEqual([['resilient_axios.refused', { reason: 'circuit-open' }]]);
    expect(await telemetry.points('resilient_axios.refusals')).toEqual([{ attributes: { reason: 'circuit-open' }, value: 1 }]);
    const durations = await telemetry.points('resilient_axios.call.duration');
    expect(durations.map((p) => [p.attributes.reason, (p.value as Histogram).count])).toEqual([['not-retryable', 1], ['circuit-open', 1]]);
    expect(await telemetry.points('resilient_axios.circuit.state')).toEqual([{ attributes: { key: server.url }, value: 2 }]);
  });
});

describe('the other refusals', () => {
  test('adaptive throttling and a spent retry budget count in refusals with their reasons', async () => {
    const server = await serve([{ status: 503 }]);
    const throttled = new ResilientClient({ baseURL: server.url, random: () => 0, retry: false, circuitBreaker: false, adaptiveThrottle: { k: 1, minRequests: 1 } });
    const budgeted = new ResilientClient({ ...FAST, baseURL: server.url, circuitBreaker: false, retryBudget: { type: 'tokens', capacity: 5, retryCost: 5 } });
    for (const client of [throttled, budgeted]) instrument(client, { tracerProvider: telemetry.tracerProvider, meterProvider: telemetry.meterProvider });
    await throttled.get('/a').catch(() => undefined); // lets the throttle learn: 503
    await expect(throttled.get('/b')).rejects.toMatchObject({ resilience: { reason: 'throttled' } });
    await expect(budgeted.get('/c')).rejects.toMatchObject({ resilience: { reason: 'retry-budget', attempts: 2 } });
    const refusals = await telemetry.points('resilient_axios.refusals');
    expect(refusals.map((p) => [p.attributes.reason, p.value])).toEqual([['throttled', 1], ['retry-budget', 1]]);
    expect(telemetry.open()).toBe(0);
  });
});

describe('metrics', () => {
  test('503, 503, 200: one call.duration (success), 3 attempts, 2 retries, breaker closed', async () => {
    const server = await serve([{ status: 503 }, { status: 503 }, { status: 200 }]);
    const client = new ResilientClient({ ...FAST, baseURL: server.url });
    instrument(client, { meterProvider: telemetry.meterProvider });
    await client.get('/m');
    const where = { 'http.request.method': 'GET', 'server.address': '127.0.0.1' };
    const [duration] = await telemetry.points('resilient_axios.call.duration');
    expect(duration.attributes).toEqual({ ...where, outcome: 'success' });
    expect((duration.value as Histogram).count).toBe(1);
    expect((duration.value as Histogram).sum).toBeGreaterThan(0);
    const [attempts] = await telemetry.points('resilient_axios.call.attempts');
    expect([(attempts.value as Histogram).count, (attempts.value as Histogram).sum]).toEqual([1, 3]);
    expect(await telemetry.points('resilient_axios.retries')).toEqual([{ attributes: where, value: 2 }]);
    expect(await telemetry.points('resilient_axios.refusals')).toEqual([]);
    expect(await telemetry.points('resilient_axios.circuit.state')).toEqual([{ attributes: { key: server.url }, value: 0 }]);
  });

  test('a failed call: outcome failure with its reason; an unknown method is _OTHER', async () => {
    const server = await serve([{ status: 404 }]);
    const client = new ResilientClient({ baseURL: server.url });
    instrument(client, { tracerProvider: telemetry.tracerProvider, meterProvider: telemetry.meterProvider });
    await client.request({ url: '/x', method: 'PURGE' }).catch(() => undefined);
    const [duration] = await telemetry.points('resilient_axios.call.duration');
    expect(duration.attributes).toEqual({ 'http.request.method': '_OTHER', 'server.address': '127.0.0.1', outcome: 'failure', reason: 'not-retryable' });
    const [span] = clientSpans();
    expect([span.name, span.attributes['http.request.method'], span.attributes['http.request.method_original']]).toEqual(['HTTP', '_OTHER', 'PURGE']);
  });
});

describe('global providers, options and uninstrument()', () => {
  test('without providers, the global tracer and meter providers are used', async () => {
    const server = await serve([{ status: 200 }]);
    const client = new ResilientClient({ baseURL: server.url });
    trace.setGlobalTracerProvider(telemetry.tracerProvider);
    metrics.setGlobalMeterProvider(telemetry.meterProvider);
    try {
      instrument(client);
      await client.get('/g');
    } finally {
      trace.disable();
      metrics.disable();
    }
    expect(clientSpans()).toHaveLength(1);
    expect(await telemetry.points('resilient_axios.call.duration')).toHaveLength(1);
  });

  test('uninstrument() removes every listener, the interceptor and the adapter wrapper: later calls are plain', async () => {
    const server = await serve([{ status: 200 }]);
    const client = new ResilientClient({ baseURL: server.url });
    const adapter = client.axios.defaults.adapter;
    const handlers = (): number => (client.axios.interceptors.request as unknown as { handlers: unknown[] }).handlers.filter((h) => h !== null).length;
    const listeners = (): number => client.eventNames().reduce((n, e) => n + client.listenerCount(e), 0);
    const before = { handlers: handlers(), listeners: listeners() };
    const t = instrument(client, { tracerProvider: telemetry.tracerProvider, meterProvider: telemetry.meterProvider });
    expect([handlers(), listeners()]).toEqual([before.handlers + 1, 8]);
    await client.get('/1');
    t.uninstrument();
    t.uninstrument();
    expect({ handlers: handlers(), listeners: listeners() }).toEqual(before);
    expect(client.axios.defaults.adapter).toBe(adapter);
    await client.get('/2');
    expect(clientSpans()).toHaveLength(1);
    expect(server.requests.map((r) => typeof r.headers.traceparent)).toEqual(['string', 'undefined']);
    expect(await telemetry.points('resilient_axios.circuit.state')).toEqual([]);
    instrument(client, { tracerProvider: telemetry.tracerProvider }).uninstrument(); // may be instrumented again
  });

  test('uninstrument() leaves an adapter set after instrument() in place, and restores an absent one as absent', async () => {
    const server = await serve([{ status: 200 }]);
    const replaced = new ResilientClient({ baseURL: server.url });
    const t1 = instrument(replaced);
    const theirs: AxiosAdapter = () => Promise.reject(new Error('not used'));
    replaced.axios.defaults.adapter = theirs;
    t1.uninstrument();
    expect(replaced.axios.defaults.adapter).toBe(theirs);

    const bare = new ResilientClient({ baseURL: server.url });
    delete bare.axios.defaults.adapter; // axios's own default then applies
    const t2 = instrument(bare, { tracerProvider: telemetry.tracerProvider });
    expect((await bare.get('/x')).status).toBe(200);
    expect(clientSpans()).toHaveLength(1);
    t2.uninstrument();
    expect('adapter' in bare.axios.defaults).toBe(false);
  });

  test('invalid options and a second instrument() of one client throw ConfigError', () => {
    const client = new ResilientClient();
    expect(() => instrument({} as ResilientClient)).toThrow(ConfigError);
    expect(() => instrument(client, { callSpans: 'yes' as unknown as boolean })).toThrow('callSpans must be a boolean, got "yes"');
    expect(() => instrument(client, { tracerProvider: {} as never })).toThrow(/^tracerProvider must be a TracerProvider/);
    expect(() => instrument(client, { meterProvider: {} as never })).toThrow(/^meterProvider must be a MeterProvider/);
    expect(() => instrument(client, null as never)).toThrow('options must be an object, got null');
    const t = instrument(client);
    expect(() => instrument(client)).toThrow(/client must be a client not instrumented yet/);
    t.uninstrument();
  });
});
