/**
 * What follows an unsuccessful attempt: ask `retryIf`, decide, take the retry
 * from the budget, wait, send the next attempt (beside the hedges in flight,
 * for a hedged call) and go on with its outcome, until the call settles.
 * The decision itself is `decideRetry`'s; this file puts the steps in order.
 */
import { isAxiosError } from 'axios';
import type { AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { Gates } from '../gates/gates.js';
import type { FailureReason } from '../report/errors.js';
import { circuitOpenError, statusError } from '../report/failures.js';
import type { Reporter } from '../report/reporter.js';
import type { RetryOutcome } from '../retry/retry-options.js';
import { decideRetry, shouldAskRetryIf } from '../retry/retry-policy.js';
import type { DecisionInput } from '../retry/retry-policy.js';
import type { Clock, RandomSource } from '../time/clock.js';
import type { Closed } from './attempt-end.js';
import type { Attempt, Call } from './call.js';
import { awaitWithin, waitBetween } from './cancellation.js';
import type { Waiting, Within } from './cancellation.js';
import { newAttempt, nextConfig } from './dispatch.js';
import type { Hedger } from './hedger.js';
import { abortError } from './call-failures.js';
import type { AttemptCloser } from './closer.js';
import type { AttemptSender } from './sender.js';
import { isReplayableBody } from './request-facts.js';

/** An attempt's outcome that did not settle the call as a success. */
export type Unsuccessful = Exclude<Closed, { kind: 'success' }>;

function isThenable<T>(x: T | PromiseLike<T>): x is PromiseLike<T> {
  return x !== null && typeof x === 'object' && typeof (x as { then?: unknown }).then === 'function';
}

/** What the retrier needs from the runner. */
export interface RetrierHost {
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly gates: Gates;
  readonly report: Reporter;
  readonly sender: AttemptSender;
  readonly closer: AttemptCloser;
  readonly hedger: Hedger;
  /** Calls waiting between attempts (or for `retryIf`): what `dispose()` aborts. */
  readonly waiting: Waiting;
  /** Sends one more attempt through the request interceptors and the adapter, no response interceptors. */
  dispatch(config: InternalAxiosRequestConfig): Promise<AxiosResponse>;
  /** Settles the call with `response` and returns it. */
  succeed(call: Call, response: AxiosResponse): AxiosResponse;
  /** Settles the call with `err` (reported as `reason`) and throws it. */
  fail(call: Call, err: unknown, reason: FailureReason): never;
}

/** See the module comment. */
export class Retrier {
  constructor(private readonly host: RetrierHost) {}

  /**
   * What follows an unsuccessful attempt. Synchronous (a response, or a throw)
   * until something must be awaited: a promise from `retryIf`, the wait before
   * a retry. A call that fails at once then rejects axios's chain by a throw,
   * not with an already-rejected promise (which Node tracks as unhandled first).
   */
  next(call: Call, closed: Unsuccessful): AxiosResponse | Promise<AxiosResponse> {
    if (closed.kind === 'final') return this.host.fail(call, closed.error, closed.reason);
    const input = this.decisionInput(call, closed);
    const retryIf = call.options.retry === false ? undefined : call.options.retry.retryIf;
    if (retryIf === undefined || !shouldAskRetryIf(input)) return this.decide(call, closed, input, undefined);
    let answer: boolean | undefined | PromiseLike<boolean | undefined>;
    try {
      answer = retryIf(input.outcome);
    } catch (thrown) {
      return this.host.fail(call, thrown, 'not-retryable');
    }
    if (isThenable(answer)) return this.awaitVerdict(call, closed, answer);
    return this.decide(call, closed, input, typeof answer === 'boolean' ? answer : undefined);
  }

  /** `retryIf` answered with a promise: awaited within the deadline (the caller's abort ends the wait too). */
  private async awaitVerdict(call: Call, closed: Extract<Closed, { kind: 'failed' }>, answer: PromiseLike<boolean | undefined>): Promise<AxiosResponse> {
    let within: Within<boolean | undefined>;
    try {
      within = await awaitWithin(call, this.host.clock, answer, this.host.waiting);
    } catch (thrown) {
      return this.host.fail(call, thrown, 'not-retryable');
    }
    if (within.kind === 'stopped') return this.host.fail(call, abortError(call, call.current?.config), 'aborted');
    if (within.kind === 'deadline') return this.host.fail(call, closed.error, 'deadline');
    const verdict = typeof within.value === 'boolean' ? within.value : undefined;
    return this.decide(call, closed, this.decisionInput(call, closed), verdict);
  }

  /** The decision: the call settles now (validateStatus accepted the response, or it fails), or a retry is planned. */
  private decide(call: Call, closed: Extract<Closed, { kind: 'failed' }>, input: DecisionInput, verdict: boolean | undefined): AxiosResponse | Promise<AxiosResponse> {
    const decision = decideRetry(input, verdict);
    if (!decision.retry) {
      if (closed.response !== undefined) return this.host.succeed(call, closed.response); // validateStatus accepted it
      return this.host.fail(call, decision.reason === 'circuit-open' ? this.circuitOpen(call) : closed.error, decision.reason);
    }
    const budget = this.host.gates.budget;
    const cost = budget === undefined ? 0 : budget.tryRetry(this.host.clock.now(), closed.timedOut);
    if (cost === -1) {
      this.host.report.budgetExhausted(call);
      return this.host.fail(call, closed.error, 'retry-budget');
    }
    call.lastRetryCost = cost;
    call.backoffState = decision.backoffState;
    this.host.report.retry(call, decision.delayMs, decision.retryAfterMs, closed.error ?? statusError(closed.response as AxiosResponse), this.host.clock.now());
    call.phase = 'waiting';
    return this.retry(call, decision.delayMs, cost);
  }

  /** Waits `delayMs`, sends the next attempt (beside the hedges in flight, for a hedged call) and goes on with its outcome. */
  private async retry(call: Call, delayMs: number, cost: number): Promise<AxiosResponse> {
    const race = call.hedge;
    const last = (call.current as Attempt).config as InternalAxiosRequestConfig;
    if (!(await waitBetween(call, this.host.clock, delayMs, this.host.waiting))) return this.host.fail(call, abortError(call, last), 'aborted');
    const attempt = newAttempt(call, this.host.sender);
    if (race !== undefined) {
      attempt.cost = cost;
      this.host.hedger.launch(race, attempt, last);
      const end = await race.next();
      if (end.closed.kind !== 'success') return this.next(call, end.closed);
      call.lastRetryCost = end.attempt.cost;
      return this.host.succeed(call, end.response as AxiosResponse);
    }
    let response: AxiosResponse | undefined;
    let err: unknown;
    try {
      response = await this.host.dispatch(nextConfig(last, attempt));
    } catch (e) {
      err = e;
    }
    const end = this.host.closer.close(attempt, response, err);
    return end.kind === 'success' ? this.host.succeed(call, response as AxiosResponse) : this.next(call, end);
  }

  private decisionInput(call: Call, closed: Extract<Closed, { kind: 'failed' }>): DecisionInput {
    const now = this.host.clock.now();
    const breaker = call.breaker;
    const config = call.current?.config;
    const outcome: RetryOutcome = this.host.report.outcome(call, call.attempts, closed.response ?? (isAxiosError(closed.error) ? closed.error.response : undefined), closed.error);
    return {
      retry: call.options.retry, end: closed.end, outcome, idempotent: call.idempotent,
      replayable: isReplayableBody(config?.data), remainingMs: call.deadline - now, nowEpochMs: Date.now(),
      breakerOpenMs: breaker === undefined ? 0 : breaker.remainingMs(), backoffState: call.backoffState, random: this.host.random,
    };
  }

  /** The breaker opened and stays open past the wait: the call fails now rather than sleep into a refusal. */
  private circuitOpen(call: Call): unknown {
    const breaker = call.breaker;
    if (breaker === undefined) return call.lastError;
    const remainingMs = breaker.remainingMs();
    this.host.report.circuitReject(call, breaker.key, remainingMs, breaker.state);
    return circuitOpenError(breaker.key, remainingMs, call.current?.config, call.lastError);
  }
}
