/**
 * The failures a call ends with that no adapter raised, in the form axios
 * users catch: the caller's abort (or `dispose()`) and the call's deadline.
 * The sender, the retrier and the runner end calls with them.
 */
import { CanceledError, isAxiosError } from 'axios';
import type { InternalAxiosRequestConfig } from 'axios';
import type { DeadlineExceededError } from '../report/errors.js';
import { deadlineError } from '../report/failures.js';
import type { Call } from './call.js';

/** The caller's abort (or `dispose()`), as axios reports a cancel: `CanceledError` with the attempt's config. */
export function abortError(call: Call, config: InternalAxiosRequestConfig | undefined): InstanceType<typeof CanceledError> {
  return new CanceledError(call.stopped === 'disposed' ? 'client disposed' : undefined, config);
}

/** The call's time budget ran out: `DeadlineExceededError` with the last attempt's error and response. */
export function deadlineErrorOf(call: Call, config: InternalAxiosRequestConfig | undefined): DeadlineExceededError {
  const last = call.lastError;
  const response = call.lastResponse ?? (isAxiosError(last) ? last.response : undefined);
  return deadlineError(call.options.timeBudget.totalMs, config, last, response);
}
