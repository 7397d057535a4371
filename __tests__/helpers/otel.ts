/**
 * The real OpenTelemetry SDKs, set up for a test: spans in memory, metrics
 * collected on demand (no export timer), and the AsyncLocalStorage context
 * manager with the W3C propagator installed globally for a test file.
 */
import { context, propagation } from '@opentelemetry/api';
import type { Attributes, Context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import type { Histogram } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';

/** For a test file: the AsyncLocalStorage context manager and the W3C propagator, removed after the file. */
export function otelGlobalsForFile(): void {
  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  });
  afterAll(() => {
    context.disable();
    propagation.disable();
  });
}

/** Collected when asked, never on a timer. */
class OnDemandReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** Counts spans started and not ended. */
class OpenSpans implements SpanProcessor {
  open = 0;
  onStart(_span: Span, _parent: Context): void {
    this.open++;
  }
  onEnd(_span: ReadableSpan): void {
    this.open--;
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** One data point: a counter's or gauge's number, or a histogram's count, sum and buckets. */
export interface Point {
  readonly attributes: Attributes;
  readonly value: number | Histogram;
}

export interface Sdk {
  readonly tracerProvider: BasicTracerProvider;
  readonly meterProvider: MeterProvider;
  /** Ended spans, in the order they ended. */
  spans(): ReadableSpan[];
  /** Spans started and not ended yet. */
  open(): number;
  /** The data points of one metric now (empty when it has none). */
  points(name: string): Promise<Point[]>;
  shutdown(): Promise<void>;
}

export function sdk(): Sdk {
  const exporter = new InMemorySpanExporter();
  const open = new OpenSpans();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter), open] });
  const reader = new OnDemandReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  return {
    tracerProvider,
    meterProvider,
    spans: () => exporter.getFinishedSpans(),
    open: () => open.open,
    points: async (name) => {
      const { resourceMetrics } = await reader.collect();
      const metric = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name);
      return (metric?.dataPoints ?? []).map((p) => ({ attributes: p.attributes, value: p.value as number | Histogram }));
    },
    shutdown: async () => {
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
    },
  };
}
