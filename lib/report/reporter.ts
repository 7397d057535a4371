/**
 * What a call shows the outside: the client's counters and one method per
 * event, each building its payload only when somebody listens. The runner
 * calls one line per event; payload shapes live here, not in the runner.
 */
import { isAxiosError } from 'axios';
import type { BreakerObserver, CircuitState } from '../breaker/circuit-breaker.js';
import type { RetryOutcome } from '../retry/retry-options.js';
import { errorView } from './error-view.js';
import type { Redaction } from './redaction.js';
import type { FailureReason } from './errors.js';
import type { AttemptEndEvent, ResilientEvents } from './events.js';

/** Where events go (the client, which owns the emitter). */
export interface EventSink {
  listening(event: keyof ResilientEvents): boolean;
  fire<K extends keyof ResilientEvents>(event: K, payload: Parameters<ResilientEvents[K]>[0]): void;
}

/** Counters reported by `stats()`, since the client was made. */
export interface CallCounters {
  /** Calls started. */
  calls: number;
  /** Attempts sent. */
  attempts: number;
  /** Retries scheduled. */
  retries: number;
  /** Calls that resolved. */
  successes: number;
  /** Calls that rejected. */
  failures: number;
  /** Calls refused locally (open circuit, bulkhead, throttle, retry budget). */
  rejections: number;
}

/** What the reporter reads of a call. */
export interface CallView {
  readonly id: string;
  readonly method: string;
  readonly url: string;
  readonly attempts: number;
  readonly maxAttempts: number;
  readonly start: number;
  readonly deadline: number;
  readonly options: { readonly redaction: Redaction };
}

/** What the reporter reads of an attempt. */
export interface AttemptView {
  readonly number: number;
  readonly timeoutMs: number;
  readonly sentAt: number;
  readonly hedge: boolean;
}

export class Reporter {
  readonly counters: CallCounters = { calls: 0, attempts: 0, retries: 0, successes: 0, failures: 0, rejections: 0 };
  /** Turns breaker transitions into events. */
  readonly breakerObserver: BreakerObserver;

  constructor(private readonly sink: EventSink) {
    this.breakerObserver = {
      onOpen: (b, failures) => sink.fire('circuit-open', { key: b.key, failures }),
      onHalfOpen: (b) => sink.fire('circuit-half-open', { key: b.key }),
      onClose: (b) => sink.fire('circuit-close', { key: b.key }),
    };
  }

  /** True when somebody listens to `event` (to skip work only a payload needs). */
  listening(event: keyof ResilientEvents): boolean {
    return this.sink.listening(event);
  }

  /** What `retryIf` and backoff functions are given about an attempt's outcome. */
  outcome(call: CallView, attempt: number, response: RetryOutcome['response'], error: unknown): RetryOutcome {
    const o = { callId: call.id, method: call.method, url: call.url, attempt };
    if (response !== undefined && error !== undefined) return { ...o, response, error };
    if (response !== undefined) return { ...o, response };
    return { ...o, error };
  }

  attempt(call: CallView, attempt: AttemptView, remainingMs: number): void {
    this.counters.attempts++;
    if (!this.sink.listening('attempt')) return;
    this.sink.fire('attempt', {
      callId: call.id, method: call.method, url: call.url, attempt: attempt.number,
      maxAttempts: call.maxAttempts, timeoutMs: attempt.timeoutMs, remainingMs, hedge: attempt.hedge,
    });
  }

  hedge(call: CallView, attempt: number, inFlight: number, now: number): void {
    if (!this.sink.listening('hedge')) return;
    this.sink.fire('hedge', { callId: call.id, method: call.method, url: call.url, attempt, inFlight, elapsedMs: now - call.start });
  }

  attemptEnd(call: CallView, attempt: AttemptView, now: number, outcome: AttemptEndEvent['outcome'], status: number | undefined, code: string | undefined): void {
    if (!this.sink.listening('attempt-end')) return;
    this.sink.fire('attempt-end', {
      callId: call.id, method: call.method, url: call.url, attempt: attempt.number,
      durationMs: now - attempt.sentAt, outcome, status, code,
    });
  }

  retry(call: CallView, delayMs: number, retryAfterMs: number | undefined, error: unknown, now: number): void {
    this.counters.retries++;
    if (!this.sink.listening('retry')) return;
    this.sink.fire('retry', {
      callId: call.id, method: call.method, url: call.url, attempt: call.attempts, delayMs,
      status: isAxiosError(error) ? error.response?.status : undefined, code: isAxiosError(error) ? error.code : undefined,
      error: errorView(error, call.options.redaction), retryAfterMs, remainingMs: call.deadline - now - delayMs,
    });
  }

  success(call: CallView, status: number, now: number): void {
    this.counters.successes++;
    if (!this.sink.listening('success')) return;
    this.sink.fire('success', { callId: call.id, method: call.method, url: call.url, attempts: call.attempts, elapsedMs: now - call.start, status });
  }

  failure(call: CallView, error: unknown, reason: FailureReason, now: number): void {
    this.counters.failures++;
    if (!this.sink.listening('failure')) return;
    const axiosError = isAxiosError(error) ? error : undefined;
    this.sink.fire('failure', {
      callId: call.id, method: call.method, url: call.url, attempts: call.attempts, elapsedMs: now - call.start,
      error: errorView(error, call.options.redaction), reason, status: axiosError?.response?.status,
      code: axiosError?.code, remainingMs: call.deadline - now,
    });
  }

  circuitReject(call: CallView, key: string, remainingMs: number, state: CircuitState): void {
    this.counters.rejections++;
    if (!this.sink.listening('circuit-reject')) return;
    this.sink.fire('circuit-reject', { callId: call.id, method: call.method, url: call.url, key, remainingMs, state });
  }

  budgetExhausted(call: CallView): void {
    this.counters.rejections++;
    if (!this.sink.listening('retry-budget-exhausted')) return;
    this.sink.fire('retry-budget-exhausted', { callId: call.id, method: call.method, url: call.url, attempt: call.attempts });
  }

  bulkheadFull(call: CallView, max: number, queue: number): void {
    this.counters.rejections++;
    if (!this.sink.listening('bulkhead-reject')) return;
    this.sink.fire('bulkhead-reject', { callId: call.id, method: call.method, url: call.url, max, queue });
  }

  throttled(call: CallView, key: string, probability: number): void {
    this.counters.rejections++;
    if (!this.sink.listening('throttle')) return;
    this.sink.fire('throttle', { callId: call.id, method: call.method, url: call.url, key, probability });
  }
}
