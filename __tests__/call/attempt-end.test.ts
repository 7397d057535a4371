import { AxiosError, AxiosHeaders, CanceledError, isAxiosError } from 'axios';
import type { AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import { SUCCESS, breakerOutcomeOf, classifyError, classifyResponse, endReport, isBreakerFailure } from '../../lib/call/attempt-end.js';
import type { Closed } from '../../lib/call/attempt-end.js';
import type { FailureReason } from '../../lib/report/errors.js';
import { ERR_BAD_RESPONSE_BODY } from '../../lib/report/failures.js';
import { DEFAULT_RETRY, resolveRetry } from '../../lib/retry/retry-options.js';
import type { ResolvedRetry, RetryOptions } from '../../lib/retry/retry-options.js';

const DATE = 'Mon, 01 Jan 2024 12:00:00 GMT';
const config = { headers: new AxiosHeaders(), method: 'get', url: 'https://api.example/x' } as InternalAxiosRequestConfig;
const request = { path: '/x' };

function res(status: number, headers: Record<string, string> = {}): AxiosResponse {
  return { data: { ok: status < 400 }, status, statusText: '', config, request, headers: new AxiosHeaders(headers) };
}

function retryWith(options: RetryOptions = {}): ResolvedRetry {
  const r = resolveRetry('retry', options, DEFAULT_RETRY);
  if (r === false) throw new Error('retry off');
  return r;
}

/** What axios rejects with when `validateStatus` refused the response. */
function statusRejection(response: AxiosResponse): AxiosError {
  const code = response.status >= 500 ? AxiosError.ERR_BAD_RESPONSE : AxiosError.ERR_BAD_REQUEST;
  return new AxiosError(`Request failed with status code ${response.status}`, code, config, request, response);
}

/** What the node adapter rejects with when the connection closes in the middle of the body. */
function bodyLost(response: AxiosResponse): AxiosError {
  return new AxiosError('stream has been aborted', AxiosError.ERR_BAD_RESPONSE, config, request, response);
}

/** A network error as the node adapter wraps it. */
function networkError(code: string): AxiosError {
  return AxiosError.from(Object.assign(new Error(`connect ${code}`), { code }), undefined, config, request);
}

const RETRY = retryWith();

describe('classifyResponse (a response axios resolved with)', () => {
  it('is a success for an unlisted status', () => {
    expect(classifyResponse(RETRY, res(200))).toBe(SUCCESS);
    expect(classifyResponse(RETRY, res(404))).toBe(SUCCESS);
    expect(SUCCESS).toEqual({ kind: 'success' });
    expect(Object.isFrozen(SUCCESS)).toBe(true);
  });

  it('is a success whatever the status when retry is off', () => {
    expect(classifyResponse(false, res(503))).toBe(SUCCESS);
  });

  it('makes a listed status that validateStatus let through a failed attempt carrying the response', () => {
    const r = res(503, { 'Retry-After': '3', Date: DATE });
    expect(classifyResponse(RETRY, r)).toEqual({
      kind: 'failed', end: { kind: 'response', status: 503, retryAfter: '3', date: DATE }, error: undefined, response: r, timedOut: false,
    });
    const closed = classifyResponse(RETRY, r);
    expect(closed.kind === 'failed' && closed.response).toBe(r);
  });

  it('reads Retry-After and Date from plain header objects too', () => {
    const r: AxiosResponse = { ...res(429), headers: { 'retry-after': '7', date: DATE } };
    expect(classifyResponse(RETRY, r)).toMatchObject({ kind: 'failed', end: { kind: 'response', status: 429, retryAfter: '7', date: DATE } });
    const none = classifyResponse(RETRY, res(502));
    expect(none).toMatchObject({ end: { kind: 'response', status: 502, retryAfter: undefined, date: undefined } });
  });

  it('uses the configured status list', () => {
    const retry = retryWith({ statusCodes: [409] });
    expect(classifyResponse(retry, res(409))).toMatchObject({ kind: 'failed', end: { status: 409 } });
    expect(classifyResponse(retry, res(503))).toBe(SUCCESS);
  });

  describe('validateResponse', () => {
    it('false makes an invalid-response failure with an ERR_BAD_RESPONSE_BODY error carrying the response', () => {
      const r = res(200);
      const validateResponse = jest.fn(() => false);
      const closed = classifyResponse(retryWith({ validateResponse }), r);
      expect(validateResponse).toHaveBeenCalledTimes(1);
      expect(validateResponse).toHaveBeenCalledWith(r);
      if (closed.kind !== 'failed') throw new Error(`expected a failed attempt, got ${closed.kind}`);
      expect(closed.end).toEqual({ kind: 'invalid-response' });
      expect(closed.response).toBeUndefined();
      expect(closed.timedOut).toBe(false);
      expect(isAxiosError(closed.error)).toBe(true);
      const err = closed.error as AxiosError;
      expect(err.code).toBe(ERR_BAD_RESPONSE_BODY);
      expect(ERR_BAD_RESPONSE_BODY).toBe('ERR_BAD_RESPONSE_BODY');
      expect(err.response).toBe(r);
      expect(err.config).toBe(config);
      expect(err.message).toBe('Response rejected by retry.validateResponse');
    });

    it('true keeps the success', () => {
      expect(classifyResponse(retryWith({ validateResponse: () => true }), res(200))).toBe(SUCCESS);
    });

    it('is not asked about a listed status (it is a failure already)', () => {
      const validateResponse = jest.fn(() => true);
      expect(classifyResponse(retryWith({ validateResponse }), res(503))).toMatchObject({ kind: 'failed', end: { kind: 'response', status: 503 } });
      expect(validateResponse).not.toHaveBeenCalled();
    });

    it('propagates what it throws', () => {
      const boom = new Error('bad body');
      expect(() => classifyResponse(retryWith({ validateResponse: () => { throw boom; } }), res(200))).toThrow(boom);
    });
  });
});

describe('classifyError (an attempt axios rejected)', () => {
  const cancel = new CanceledError('canceled', config, request);

  it.each(['caller', 'disposed'] as const)('an abort by the %s is a final aborted end', (cause) => {
    expect(classifyError(cancel, cause)).toEqual({ kind: 'final', reason: 'aborted', error: cancel });
  });

  it("the call's deadline is a final deadline end", () => {
    expect(classifyError(cancel, 'deadline')).toEqual({ kind: 'final', reason: 'deadline', error: cancel });
  });

  it('the attempt timeout is a failed ETIMEDOUT attempt, timed out', () => {
    const closed = classifyError(cancel, 'attempt-timeout');
    expect(closed).toEqual({ kind: 'failed', end: { kind: 'error', code: 'ETIMEDOUT' }, error: cancel, response: undefined, timedOut: true });
    expect(closed.kind === 'failed' && closed.error).toBe(cancel);
  });

  it('our cause wins over what the error says', () => {
    const refused = networkError('ECONNREFUSED');
    expect(classifyError(refused, 'caller')).toMatchObject({ kind: 'final', reason: 'aborted' });
    expect(classifyError(refused, 'attempt-timeout')).toMatchObject({ kind: 'failed', end: { code: 'ETIMEDOUT' }, timedOut: true });
  });

  it('a cancel we did not cause (a CancelToken or signal of the caller) is a final aborted end', () => {
    expect(classifyError(cancel, undefined)).toEqual({ kind: 'final', reason: 'aborted', error: cancel });
  });

  it.each<[string, unknown]>([
    ['an Error', new Error('interceptor threw')],
    ['a TypeError', new TypeError('x is not a function')],
    ['a string', 'boom'],
    ['undefined', undefined],
  ])('%s (not from axios) is a final not-retryable end', (_name, err) => {
    expect(classifyError(err, undefined)).toEqual({ kind: 'final', reason: 'not-retryable', error: err });
  });

  it('a status validateStatus refused is a failed response end, without keeping the response', () => {
    const r = res(503, { 'Retry-After': '2', Date: DATE });
    const err = statusRejection(r);
    expect(classifyError(err, undefined)).toEqual({
      kind: 'failed', end: { kind: 'response', status: 503, retryAfter: '2', date: DATE }, error: err, response: undefined, timedOut: false,
    });
    expect(classifyError(statusRejection(res(404)), undefined)).toMatchObject({ kind: 'failed', end: { kind: 'response', status: 404 } });
  });

  it("a body lost after the headers ('stream has been aborted') is ECONNRESET, not the announced status", () => {
    const err = bodyLost(res(200));
    expect(classifyError(err, undefined)).toEqual({ kind: 'failed', end: { kind: 'error', code: 'ECONNRESET' }, error: err, response: undefined, timedOut: false });
    expect(classifyError(bodyLost(res(503)), undefined)).toMatchObject({ end: { kind: 'error', code: 'ECONNRESET' } });
  });

  it('an ERR_BAD_RESPONSE with another message keeps its status', () => {
    const err = new AxiosError('Request failed with status code 502', AxiosError.ERR_BAD_RESPONSE, config, request, res(502));
    expect(classifyError(err, undefined)).toMatchObject({ end: { kind: 'response', status: 502 } });
  });

  it.each<[string, boolean]>([
    ['ECONNREFUSED', false],
    ['ECONNRESET', false],
    ['ERR_NETWORK', false],
    ['EAI_AGAIN', false],
    ['ETIMEDOUT', true],
    ['ECONNABORTED', true],
  ])('a network error %s is a failed error end (timed out: %p)', (code, timedOut) => {
    const err = networkError(code);
    expect(classifyError(err, undefined)).toEqual({ kind: 'failed', end: { kind: 'error', code }, error: err, response: undefined, timedOut });
  });

  it('an axios error without a code is a failed error end with no code', () => {
    const err = new AxiosError('odd', undefined, config);
    expect(classifyError(err, undefined)).toMatchObject({ kind: 'failed', end: { kind: 'error', code: undefined }, timedOut: false });
  });
});

describe('isBreakerFailure', () => {
  it.each([408, 429, 500, 502, 503, 504, 599])('%d means the server is struggling', (status) => {
    expect(isBreakerFailure(status)).toBe(true);
  });

  it.each([200, 201, 301, 400, 401, 403, 404, 409, 422])('%d means the server is healthy', (status) => {
    expect(isBreakerFailure(status)).toBe(false);
  });
});

describe('breakerOutcomeOf', () => {
  it('a success is a success, unless its status is 408, 429 or 5xx (retry off, or unlisted)', () => {
    expect(breakerOutcomeOf(SUCCESS, res(200), undefined)).toBe('success');
    expect(breakerOutcomeOf(SUCCESS, res(404), undefined)).toBe('success');
    expect(breakerOutcomeOf(SUCCESS, undefined, undefined)).toBe('success');
    for (const status of [408, 429, 500, 503]) {
      const r = res(status);
      expect({ status, outcome: breakerOutcomeOf(classifyResponse(false, r), r, undefined) }).toEqual({ status, outcome: 'failure' });
    }
  });

  it('a final deadline is a failure; other final ends are ignored', () => {
    const cancel = new CanceledError('canceled', config, request);
    expect(breakerOutcomeOf(classifyError(cancel, 'deadline'), undefined, 'deadline')).toBe('failure');
    expect(breakerOutcomeOf(classifyError(cancel, 'caller'), undefined, 'caller')).toBe('ignore');
    expect(breakerOutcomeOf(classifyError(cancel, 'disposed'), undefined, 'disposed')).toBe('ignore');
    expect(breakerOutcomeOf(classifyError(cancel, undefined), undefined, undefined)).toBe('ignore');
    expect(breakerOutcomeOf(classifyError(new Error('user code'), undefined), undefined, undefined)).toBe('ignore');
    for (const reason of ['circuit-open', 'bulkhead-full', 'throttled', 'retry-budget', 'not-retryable'] as FailureReason[]) {
      expect({ reason, outcome: breakerOutcomeOf({ kind: 'final', reason, error: undefined }, undefined, undefined) }).toEqual({ reason, outcome: 'ignore' });
    }
  });

  it('an attempt timeout is a failure', () => {
    const cancel = new CanceledError('canceled', config, request);
    expect(breakerOutcomeOf(classifyError(cancel, 'attempt-timeout'), undefined, 'attempt-timeout')).toBe('failure');
    expect(breakerOutcomeOf(classifyError(networkError('ETIMEDOUT'), undefined), undefined, undefined)).toBe('failure');
  });

  it.each([408, 429, 500, 502, 503, 504])('a failed response %d is a failure', (status) => {
    const r = res(status);
    expect(breakerOutcomeOf(classifyResponse(RETRY, r), r, undefined)).toBe('failure');
    expect(breakerOutcomeOf(classifyError(statusRejection(r), undefined), undefined, undefined)).toBe('failure');
  });

  it('a failed response with a healthy status (listed by the user) is a success', () => {
    const r = res(409);
    expect(breakerOutcomeOf(classifyResponse(retryWith({ statusCodes: [409] }), r), r, undefined)).toBe('success');
    expect(breakerOutcomeOf(classifyError(statusRejection(res(404)), undefined), undefined, undefined)).toBe('success');
  });

  it('an invalid response is a failure', () => {
    const r = res(200);
    expect(breakerOutcomeOf(classifyResponse(retryWith({ validateResponse: () => false }), r), r, undefined)).toBe('failure');
  });

  it('a body lost mid-way is a failure, whatever the announced status', () => {
    expect(breakerOutcomeOf(classifyError(bodyLost(res(200)), undefined), undefined, undefined)).toBe('failure');
  });

  it.each(['ERR_BAD_OPTION_VALUE', 'ERR_BAD_OPTION', 'ERR_INVALID_URL', 'ERR_NOT_SUPPORT', 'ERR_DEPRECATED', 'ERR_CANCELED'])(
    'the client-side code %s is ignored', (code) => {
      // An AxiosError, not a CanceledError: even ERR_CANCELED reaches the code check.
      const closed = classifyError(new AxiosError('ours', code, config), undefined);
      expect(closed).toMatchObject({ kind: 'failed', end: { kind: 'error', code } });
      expect(breakerOutcomeOf(closed, undefined, undefined)).toBe('ignore');
    });

  it.each(['ECONNRESET', 'ECONNREFUSED', 'ERR_NETWORK', 'EAI_AGAIN', 'EPIPE'])('the network code %s is a failure', (code) => {
    expect(breakerOutcomeOf(classifyError(networkError(code), undefined), undefined, undefined)).toBe('failure');
  });

  it('an error without a code is a failure', () => {
    expect(breakerOutcomeOf(classifyError(new AxiosError('odd', undefined, config), undefined), undefined, undefined)).toBe('failure');
  });
});

describe('endReport (what attempt-end says)', () => {
  const report = (closed: Closed, response: AxiosResponse | undefined, err: unknown): ReturnType<typeof endReport> => endReport(closed, response, err);

  it('a response axios resolved with: its status, no code', () => {
    const ok = res(200);
    expect(report(classifyResponse(RETRY, ok), ok, undefined)).toEqual({ outcome: 'response', status: 200, code: undefined });
    const listed = res(503);
    expect(report(classifyResponse(RETRY, listed), listed, undefined)).toEqual({ outcome: 'response', status: 503, code: undefined });
    const invalid = res(200);
    expect(report(classifyResponse(retryWith({ validateResponse: () => false }), invalid), invalid, undefined))
      .toEqual({ outcome: 'response', status: 200, code: undefined });
  });

  it('a status validateStatus refused: a response, with the status and axios code', () => {
    const err = statusRejection(res(503));
    expect(report(classifyError(err, undefined), undefined, err)).toEqual({ outcome: 'response', status: 503, code: 'ERR_BAD_RESPONSE' });
    const notFound = statusRejection(res(404));
    expect(report(classifyError(notFound, undefined), undefined, notFound)).toEqual({ outcome: 'response', status: 404, code: 'ERR_BAD_REQUEST' });
  });

  it('a body lost mid-way: the announced status with the ECONNRESET it is treated as', () => {
    const err = bodyLost(res(200));
    expect(report(classifyError(err, undefined), undefined, err)).toEqual({ outcome: 'response', status: 200, code: 'ECONNRESET' });
  });

  it('a network error: an error with its code', () => {
    const err = networkError('ECONNREFUSED');
    expect(report(classifyError(err, undefined), undefined, err)).toEqual({ outcome: 'error', status: undefined, code: 'ECONNREFUSED' });
  });

  it('an attempt timeout: an error with code ETIMEDOUT, whatever the cancel said', () => {
    const cancel = new CanceledError('canceled', config, request);
    expect(report(classifyError(cancel, 'attempt-timeout'), undefined, cancel)).toEqual({ outcome: 'error', status: undefined, code: 'ETIMEDOUT' });
  });

  it.each(['caller', 'disposed', 'deadline'] as const)('an abort (%s): aborted, with the cancel code', (cause) => {
    const cancel = new CanceledError('canceled', config, request);
    expect(report(classifyError(cancel, cause), undefined, cancel)).toEqual({ outcome: 'aborted', status: undefined, code: 'ERR_CANCELED' });
  });

  it("the caller's own cancel: aborted", () => {
    const cancel = new CanceledError('canceled', config, request);
    expect(report(classifyError(cancel, undefined), undefined, cancel)).toEqual({ outcome: 'aborted', status: undefined, code: 'ERR_CANCELED' });
  });

  it('an error from user code: an error, no status, no code', () => {
    const err = new Error('interceptor threw');
    expect(report(classifyError(err, undefined), undefined, err)).toEqual({ outcome: 'error', status: undefined, code: undefined });
  });
});
