/**
 * The `Retry-After` response header: how long the server asks us to wait.
 *
 * Pure: "now" is a parameter; nothing here reads the clock.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3 (Retry-After)
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-5.6.7 (HTTP-date)
 */

/** delta-seconds, leniently with a decimal fraction ("1.5"). Applied to trimmed text. */
const DELTA_SECONDS = /^\d+(?:\.\d+)?$/;

const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const WEEKDAY = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTH = '(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';
/** `GMT` as RFC 9110 writes it, or leniently `UTC` or a numeric zone `+hhmm` / `-hhmm`. */
const ZONE = '(GMT|UTC|[+-]\\d{4})';

/** IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`. Groups: day, month, year, h, m, s, zone. */
const IMF_FIXDATE = new RegExp(`^${DAY}, +(\\d{2}) +${MONTH} +(\\d{4}) +${TIME} +${ZONE}$`, 'i');
/** Obsolete RFC 850: `Sunday, 06-Nov-94 08:49:37 GMT`. Groups: day, month, 2-digit year, h, m, s, zone. */
const RFC_850_DATE = new RegExp(`^${WEEKDAY}, +(\\d{2})-${MONTH}-(\\d{2}) +${TIME} +${ZONE}$`, 'i');
/** Obsolete asctime (always UTC): `Sun Nov  6 08:49:37 1994`. Groups: month, day, h, m, s, year. */
const ASCTIME_DATE = new RegExp(`^${DAY} +${MONTH} +(\\d{1,2}) +${TIME} +(\\d{4})$`, 'i');

const MONTH_NAMES = 'janfebmaraprmayjunjulaugsepoctnovdec';
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;
/** 400 Gregorian years, in ms: the calendar repeats exactly after this. */
const GREGORIAN_CYCLE_MS = 146_097 * 86_400_000;

/**
 * Milliseconds to wait according to a Retry-After header value (RFC 9110 §10.2.3):
 * delta-seconds (`"120"`, leniently `"1.5"`, rounded up to a whole ms) or an HTTP-date.
 *
 * `value` may be a string, a number of seconds, an array (its first element is used),
 * or undefined/null. HTTP-dates are accepted in the three forms RFC 9110 §5.6.7 requires
 * recipients to accept (IMF-fixdate, RFC 850, asctime), names case-insensitively, and
 * leniently with `UTC` or a numeric zone (`+0000`, `+0100`, `-0530`) in place of `GMT`
 * in the first two; anything else (ISO 8601, zone names such as `PST`, `+01:00`) is not a date.
 *
 * `dateHeader` is the response's `Date` header if any (read the same way): when both it
 * and an HTTP-date parse, the wait is `retryAt - serverDate`, so clock skew between client
 * and server does not matter; otherwise it is `retryAt - nowEpochMs` (epoch ms), rounded
 * up to a whole ms. A date equal to the reference time gives 0; a date before it is past.
 *
 * @returns a whole number of ms >= 0, possibly very large (callers compare it against
 *   their maximum); `Infinity` for delta-seconds too large for a number of ms (a
 *   400-digit value is as "too long" as a 20-digit one); undefined for a missing,
 *   unparseable, negative or past value (callers fall back to backoff).
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3
 */
export function parseRetryAfter(value: unknown, nowEpochMs: number, dateHeader?: unknown): number | undefined {
  const first: unknown = Array.isArray(value) ? (value as unknown[])[0] : value;
  if (typeof first === 'number') return secondsToMs(first);
  if (typeof first !== 'string') return undefined;
  const text = first.trim();
  if (DELTA_SECONDS.test(text)) return deltaSecondsToMs(text);
  const retryAtMs = parseHttpDate(text, nowEpochMs);
  if (retryAtMs === undefined) return undefined;
  const dateText = headerText(dateHeader);
  const serverNowMs = dateText === undefined ? undefined : parseHttpDate(dateText, nowEpochMs);
  const waitMs = Math.ceil(retryAtMs - (serverNowMs ?? nowEpochMs));
  return waitMs >= 0 && waitMs !== Infinity ? waitMs : undefined; // NaN, ±Infinity: a non-finite now
}

/** Share of the server's wait added at most by {@link jitterRetryAfter}. */
export const RETRY_AFTER_JITTER_RATIO = 0.1;
/** Most ms added by {@link jitterRetryAfter}, however long the server's wait. */
export const RETRY_AFTER_JITTER_MAX_MS = 1_000;

/**
 * The wait before a retry the server timed with `Retry-After`: its value `ms` plus a
 * jitter of `random() x min(10% of ms, 1 s)`, so clients told the same value do not come
 * back in lockstep. Never less than `ms` (the server asked for at least that), at most
 * 10% and at most 1,000 ms more. Pure; `Infinity` stays `Infinity`, 0 stays 0.
 *
 * @param ms the server's wait in ms (>= 0), as {@link parseRetryAfter} returns it.
 * @param random uniform source in `[0, 1)`, called exactly once.
 * @returns ms to wait, in `[ms, ms + min(0.1 x ms, 1000)]` (not rounded).
 */
export function jitterRetryAfter(ms: number, random: () => number): number {
  return ms + random() * Math.min(ms * RETRY_AFTER_JITTER_RATIO, RETRY_AFTER_JITTER_MAX_MS);
}

/** The trimmed text of a header value (first element of an array; numbers as decimal text). */
function headerText(value: unknown): string | undefined {
  const first: unknown = Array.isArray(value) ? (value as unknown[])[0] : value;
  if (typeof first === 'string') return first.trim();
  if (typeof first === 'number') return String(first);
  return undefined;
}

/**
 * A number of seconds (from a mock adapter or a header object built by hand) to ms, read
 * like its decimal text; a number JavaScript writes with an exponent (>= 1e21, or below
 * 1e-6) is converted arithmetically. Undefined for NaN, a negative number or ±Infinity.
 */
function secondsToMs(seconds: number): number | undefined {
  if (!(seconds >= 0) || seconds === Infinity) return undefined;
  const text = String(seconds);
  return DELTA_SECONDS.test(text) ? deltaSecondsToMs(text) : Math.ceil(seconds * 1000);
}

/**
 * Text matching {@link DELTA_SECONDS} to ms, rounded up to a whole ms. The fraction is
 * read digit by digit (no binary rounding: "1.1" is exactly 1100). `Infinity` when the
 * value is too large for a number of ms (hundreds of digits): too long, not garbage.
 */
function deltaSecondsToMs(text: string): number {
  const dot = text.indexOf('.');
  if (dot < 0) return Number(text) * 1000;
  let fractionMs = 0;
  let scale = 100;
  for (let i = dot + 1; i < text.length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (scale >= 1) fractionMs += digit * scale;
    else if (digit !== 0) return Number(text.slice(0, dot)) * 1000 + fractionMs + 1;
    scale /= 10;
  }
  return Number(text.slice(0, dot)) * 1000 + fractionMs;
}

/**
 * Epoch ms of an HTTP-date in any of the three RFC 9110 forms (the first two also with
 * `UTC` or a numeric zone), or undefined.
 * `nowEpochMs` resolves RFC 850's two-digit year to the one within (now - 50, now + 50]
 * years (RFC 9110 §5.6.7: never more than 50 years in the future).
 */
function parseHttpDate(text: string, nowEpochMs: number): number | undefined {
  let m = IMF_FIXDATE.exec(text);
  if (m !== null) return inZone(utc(+m[3], m[2], +m[1], +m[4], +m[5], +m[6]), m[7]);
  m = ASCTIME_DATE.exec(text);
  if (m !== null) return utc(+m[6], m[1], +m[2], +m[3], +m[4], +m[5]);
  m = RFC_850_DATE.exec(text);
  if (m === null) return undefined;
  const yearNow = Number.isFinite(nowEpochMs) ? new Date(nowEpochMs).getUTCFullYear() : 1970;
  let year = yearNow - (yearNow % 100) + +m[3];
  if (year > yearNow + 50) year -= 100;
  else if (year + 100 <= yearNow + 50) year += 100;
  return inZone(utc(year, m[2], +m[1], +m[4], +m[5], +m[6]), m[7]);
}

/**
 * Epoch ms of a local time `localMs` (read as if it were UTC) written in `zone`: `GMT` or
 * `UTC`, or `+hhmm` / `-hhmm` east / west of UTC (hours 00-23, minutes 00-59, as in
 * RFC 5322). Undefined for an out-of-range offset.
 */
function inZone(localMs: number | undefined, zone: string): number | undefined {
  if (localMs === undefined) return undefined;
  const sign = zone.charCodeAt(0) === 45 ? -1 : zone.charCodeAt(0) === 43 ? 1 : 0; // '-', '+'
  if (sign === 0) return localMs; // GMT, UTC
  const hours = +zone.slice(1, 3);
  const minutes = +zone.slice(3, 5);
  if (hours > 23 || minutes > 59) return undefined;
  return localMs - sign * (hours * 60 + minutes) * 60_000;
}

/** Epoch ms for a UTC calendar time, or undefined if a field is out of range (e.g. 31 Feb). */
function utc(
  year: number,
  monthName: string,
  day: number,
  hour: number,
  minute: number,
  second: number,
): number | undefined {
  const month = MONTH_NAMES.indexOf(monthName.toLowerCase()) / 3; // the regex admits only month names
  const leapDay = month === 1 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 1 : 0;
  if (day < 1 || day > DAYS_IN_MONTH[month] + leapDay || hour > 23 || minute > 59 || second > 60) return undefined;
  // Date.UTC maps years 0-99 to 1900-1999; shifting by a whole 400-year cycle avoids that.
  return Date.UTC(year + 400, month, day, hour, minute, second) - GREGORIAN_CYCLE_MS;
}
