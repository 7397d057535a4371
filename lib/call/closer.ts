/**
 * Closing an attempt, once, when its outcome reaches the response interceptor
 * (or the hedge race): the outcome is classified (`attempt-end.ts`), the
 * breaker permit goes back with what it means for the backend, the throttle
 * counts an accepted request, the call keeps its last failure, and
 * `attempt-end` is reported. One clock read serves them all.
 */
import { isAxiosError } from 'axios';
import type { AxiosResponse } from 'axios';
import type { Gates } from '../gates/gates.js';
import type { Reporter } from '../report/reporter.js';
import type { Clock } from '../time/clock.js';
import { breakerOutcomeOf, classifyError, classifyResponse, endReport } from './attempt-end.js';
import type { Closed } from './attempt-end.js';
import type { Attempt } from './call.js';

export class AttemptCloser {
  constructor(
    private readonly clock: Clock,
    private readonly gates: Gates,
    private readonly report: Reporter,
  ) {}

  /** Classifies the attempt's outcome and closes it: breaker permit, throttle, `attempt-end`. Once per attempt. */
  close(attempt: Attempt, response: AxiosResponse | undefined, err: unknown): Closed {
    const call = attempt.call;
    attempt.closed = true;
    if (attempt.refusal !== undefined || attempt.config === undefined) {
      // Never sent: refused, or a user interceptor threw (or, for a hedge, it lost on its way). A hedge's permit goes back.
      if (attempt.permit !== -1) call.breaker?.release(attempt.permit, 'ignore');
      attempt.permit = -1;
      return { kind: 'final', reason: attempt.refusal ?? 'not-retryable', error: err };
    }
    let closed: Closed;
    try {
      closed = response !== undefined ? classifyResponse(call.options.retry, response) : classifyError(err, attempt.cause);
    } catch (thrown) {
      closed = { kind: 'final', reason: 'not-retryable', error: thrown };
    }
    const now = this.clock.now();
    attempt.closedAt = now;
    const breaker = call.breaker;
    const outcome = breakerOutcomeOf(closed, response, attempt.cause);
    if (breaker !== undefined && attempt.permit !== -1) breaker.release(attempt.permit, outcome, now);
    attempt.permit = -1;
    if (outcome === 'success' && this.gates.throttle !== undefined && call.key !== undefined) this.gates.throttle.accept(call.key, now);
    if (closed.kind !== 'success' && attempt.cause !== 'hedge-lost') {
      call.lastError = closed.error;
      const r = response ?? (isAxiosError(err) ? err.response : undefined);
      if (r !== undefined) call.lastResponse = r;
    }
    if (this.report.listening('attempt-end')) {
      const { outcome: kind, status, code } = endReport(closed, response, err);
      this.report.attemptEnd(call, attempt, now, kind, status, code);
    }
    return closed;
  }
}
