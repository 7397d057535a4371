/**
 * The metrics of `resilient-axios/otel`, as the SPEC names them:
 *
 * | instrument | type, unit | attributes |
 * |---|---|---|
 * | `resilient_axios.call.duration` | histogram, `s` | `http.request.method`, `server.address`, `outcome`, `reason` (failures) |
 * | `resilient_axios.call.attempts` | histogram, `{attempt}` | the same |
 * | `resilient_axios.retries` | counter, `{retry}` | `http.request.method`, `server.address` |
 * | `resilient_axios.refusals` | counter, `{call}` | `reason` |
 * | `resilient_axios.circuit.state` | gauge: 0 closed, 1 half-open, 2 open | `key` (the first 100 keys, then `_OTHER`) |
 *
 * One duration per call, backoff waits and queueing included; a call refused
 * locally counts too, with its `reason`. The gauge is read from the client's
 * breakers when the SDK collects, so it costs nothing per call. Every
 * attribute value is bounded: methods are the known ones or `_OTHER`,
 * `outcome` and `reason` are closed lists, `server.address` is whatever the
 * application calls.
 */
import type { Attributes, Counter, Histogram, Meter, ObservableGauge, ObservableResult } from '@opentelemetry/api';
import type { ClientStats } from '../index.js';
import { CIRCUIT_STATE_VALUE, CappedValues, knownMethod, maxByCappedKey } from '../telemetry/labels.js';
import type { Target } from './attributes.js';

/** The advice of the HTTP client duration metric, stretched to a minute (calls wait between attempts). */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60];
/** 0: refused before any attempt was sent. */
const ATTEMPT_BUCKETS = [0, 1, 2, 3, 4, 5, 10];
/** Distinct breaker keys reported before the rest become `_OTHER`. */
export const MAX_CIRCUIT_KEYS = 100;

/** How a call ended, as the metrics need it. */
export interface Settled {
  /** Upper-case method, from the event. */
  readonly method: string;
  readonly attempts: number;
  readonly elapsedMs: number;
  /** The failure reason; undefined for a success. */
  readonly reason: string | undefined;
}

/** `http.request.method` and `server.address` of a call. */
function whereTo(target: Target | undefined, method: string): Attributes {
  const a: Attributes = { 'http.request.method': target?.method ?? knownMethod(method) };
  if (target?.address !== undefined) a['server.address'] = target.address;
  return a;
}

export class CallMetrics {
  private readonly duration: Histogram;
  private readonly attempts: Histogram;
  private readonly retries: Counter;
  private readonly refusals: Counter;
  private readonly circuit: ObservableGauge;
  private readonly keys = new CappedValues(MAX_CIRCUIT_KEYS, '_OTHER');
  private readonly observe = (result: ObservableResult): void => {
    const states = maxByCappedKey(this.breakers(), (b) => b.key, (b) => CIRCUIT_STATE_VALUE[b.state], this.keys);
    for (const [key, value] of states) result.observe(value, { key });
  };

  constructor(
    meter: Meter,
    private readonly breakers: () => ClientStats['breakers'],
  ) {
    this.duration = meter.createHistogram('resilient_axios.call.duration', {
      description: 'Duration of calls, from the first attempt to the outcome, waits included',
      unit: 's',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    });
    this.attempts = meter.createHistogram('resilient_axios.call.attempts', {
      description: 'Attempts sent per call',
      unit: '{attempt}',
      advice: { explicitBucketBoundaries: ATTEMPT_BUCKETS },
    });
    this.retries = meter.createCounter('resilient_axios.retries', { description: 'Retries scheduled', unit: '{retry}' });
    this.refusals = meter.createCounter('resilient_axios.refusals', { description: 'Calls or retries refused locally (nothing sent)', unit: '{call}' });
    this.circuit = meter.createObservableGauge('resilient_axios.circuit.state', { description: 'Circuit breaker state: 0 closed, 1 half-open, 2 open' });
    this.circuit.addCallback(this.observe);
  }

  /** A call settled (`success` or `failure`); `target`: where it went, when known. */
  settled(target: Target | undefined, s: Settled): void {
    const a = whereTo(target, s.method);
    a.outcome = s.reason === undefined ? 'success' : 'failure';
    if (s.reason !== undefined) a.reason = s.reason;
    this.duration.record(s.elapsedMs / 1000, a);
    this.attempts.record(s.attempts, a);
  }

  /** A retry was scheduled. */
  retried(target: Target | undefined, method: string): void {
    this.retries.add(1, whereTo(target, method));
  }

  /** A gate refused (`circuit-open`, `bulkhead-full`, `throttled`, `retry-budget`). */
  refused(reason: string): void {
    this.refusals.add(1, { reason });
  }

  /** Stops reporting the gauge. */
  close(): void {
    this.circuit.removeCallback(this.observe);
  }
}
