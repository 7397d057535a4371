/**
 * resilient-axios with an optional entry point on, for scenario 1's rows on
 * the in-process cost of telemetry:
 *
 * - `+ otel`: `instrument()` with the real SDKs as an application runs them:
 *   spans through the batch processor to an in-memory exporter (emptied every
 *   1,000 calls; the simple processor alone costs about 20 µs a span more),
 *   metrics into a reader that is never collected. No global context manager is registered: with
 *   AsyncLocalStorage every promise in the process would pay for async hooks,
 *   every other row included.
 * - `+ prometheus`: `prometheusMetrics()` into a fresh prom-client Registry.
 */
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor, InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { Registry } from 'prom-client';
import { core, otel, prometheus } from './built.js';
import { resilientConfig } from './contenders.js';
import type { Contender, ContenderSpec } from './contenders.js';

/** A reader that is never collected: the SDK still aggregates every measurement. */
class IdleReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export const resilientOtel: ContenderSpec = {
  name: 'resilient-axios + otel',
  hasBreaker: true,
  make: (base, t = {}): Contender => {
    const client = new core.ResilientClient(resilientConfig(base, t));
    const exporter = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
    const meterProvider = new MeterProvider({ readers: [new IdleReader()] });
    const telemetry = otel.instrument(client, { tracerProvider, meterProvider });
    let calls = 0;
    return {
      name: 'resilient-axios + otel',
      get: (url) => {
        if (++calls % 1_000 === 0) exporter.reset();
        return client.get(url);
      },
      close: () => {
        telemetry.uninstrument();
        client.dispose();
        void tracerProvider.shutdown();
        void meterProvider.shutdown();
      },
    };
  },
};

export const resilientPrometheus: ContenderSpec = {
  name: 'resilient-axios + prometheus',
  hasBreaker: true,
  make: (base, t = {}): Contender => {
    const client = new core.ResilientClient(resilientConfig(base, t));
    const telemetry = prometheus.prometheusMetrics(client, { registry: new Registry(), name: 'bench' });
    return {
      name: 'resilient-axios + prometheus',
      get: (url) => client.get(url),
      close: () => {
        telemetry.unregister();
        client.dispose();
      },
    };
  },
};

/** The telemetry rows, measured after every contender of `ALL`. */
export const TELEMETRY: readonly ContenderSpec[] = [resilientOtel, resilientPrometheus];
