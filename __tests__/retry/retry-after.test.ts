import fc from 'fast-check';
import { jitterRetryAfter, parseRetryAfter } from '../../lib/retry/retry-after.js';
import { seededRandom } from '../helpers/fake-clock.js';

/** Sun, 06 Nov 1994 08:49:37 GMT — the RFC 9110 example date. */
const RFC_EXAMPLE_MS = Date.UTC(1994, 10, 6, 8, 49, 37);
const IMF = 'Sun, 06 Nov 1994 08:49:37 GMT';
const RFC_850 = 'Sunday, 06-Nov-94 08:49:37 GMT';
const ASCTIME = 'Sun Nov  6 08:49:37 1994';
/** A "now" two minutes before the example date. */
const NOW = RFC_EXAMPLE_MS - 120_000;

describe('parseRetryAfter: delta-seconds', () => {
  it.each<[unknown, number]>([
    ['0', 0],
    ['1', 1000],
    ['120', 120_000],
    ['  120  ', 120_000],
    ['\t7\r\n', 7000],
    ['007', 7000],
    ['1.5', 1500],
    ['1.1', 1100],
    ['0.001', 1],
    ['0.0001', 1],
    ['1.0001', 1001],
    ['2.000', 2000],
    ['1.2340000', 1234],
    ['1.2340001', 1235],
    ['86400', 86_400_000],
    ['99999999999', 99_999_999_999_000],
    [0, 0],
    [-0, 0],
    [30, 30_000],
    [1.1, 1100],
    [0.25, 250],
    [['5'], 5000],
    [['5', '10'], 5000],
    [[7], 7000],
  ])('%j -> %d ms', (value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });

  it.each<unknown>([
    '-1',
    '-0',
    '+1',
    '1e3',
    '1E3',
    '0x10',
    '1.',
    '.5',
    '1.5.5',
    '1,5',
    '1 2',
    '12abc',
    'abc',
    '',
    '   ',
    'NaN',
    'Infinity',
    -1,
    -0.5,
    NaN,
    Infinity,
    -Infinity,
    undefined,
    null,
    true,
    {},
    [],
    [undefined],
    [['5']],
    () => 5,
  ])('%p -> undefined', (value) => {
    expect(parseRetryAfter(value, NOW)).toBeUndefined();
  });

  it('reads any all-digit value too large for a number as too long (Infinity ms), consistently', () => {
    expect(parseRetryAfter('9'.repeat(20), NOW)).toBe(1e23);
    expect(parseRetryAfter('9'.repeat(400), NOW)).toBe(Infinity);
    expect(parseRetryAfter(`${'9'.repeat(400)}.5`, NOW)).toBe(Infinity);
    expect(parseRetryAfter(`${'9'.repeat(400)}.0005`, NOW)).toBe(Infinity);
    // Below the double limit in seconds, but not in milliseconds.
    expect(parseRetryAfter('1'.padEnd(308, '0'), NOW)).toBe(Infinity);
    expect(parseRetryAfter('1'.padEnd(300, '0'), NOW)).toBe(1e302);
  });

  it('reads every all-digit value as at least as long as any shorter one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 1, max: 500 }), (a, b) => {
        const [short, long] = a <= b ? [a, b] : [b, a];
        expect(parseRetryAfter('9'.repeat(long), NOW)).toBeGreaterThanOrEqual(
          parseRetryAfter('9'.repeat(short), NOW) as number,
        );
      }),
    );
  });

  it('reads numbers the way it reads their decimal text, exponent forms included', () => {
    expect(parseRetryAfter(1e21, NOW)).toBe(1e24);
    expect(parseRetryAfter(1e306, NOW)).toBe(Infinity);
    expect(parseRetryAfter(1e-7, NOW)).toBe(1);
    expect(parseRetryAfter('1000000000000000000000', NOW)).toBe(1e24);
  });

  it('ignores the Date header for delta-seconds', () => {
    expect(parseRetryAfter('30', NOW, 'Sun, 06 Nov 1994 08:00:00 GMT')).toBe(30_000);
  });
});

describe('parseRetryAfter: HTTP-date', () => {
  it.each([
    ['IMF-fixdate', IMF],
    ['obsolete RFC 850', RFC_850],
    ['obsolete asctime (UTC, no zone)', ASCTIME],
  ])('accepts the %s form', (_, value) => {
    expect(parseRetryAfter(value, NOW)).toBe(120_000);
    expect(parseRetryAfter(`  ${value}  `, NOW)).toBe(120_000);
    expect(parseRetryAfter([value], NOW)).toBe(120_000);
  });

  it.each<[string, number]>([
    ['sun, 06 nov 1994 08:49:37 gmt', 120_000],
    ['SUNDAY, 06-NOV-94 08:49:37 GMT', 120_000],
    ['Sun Nov 6 08:49:37 1994', 120_000],
    ['Sun Nov 06 08:49:37 1994', 120_000],
    ['Sun,  06  Nov  1994  08:49:37  GMT', 120_000],
    ['Sun, 06 Nov 1994 08:50:37 GMT', 180_000],
    ['Sun, 06 Nov 1994 08:49:60 GMT', 143_000], // leap second: rolls over into the next minute
    ['Thu, 01 Jan 2099 00:00:00 GMT', Date.UTC(2099, 0, 1) - NOW],
    ['Tue, 29 Feb 2000 00:00:00 GMT', Date.UTC(2000, 1, 29) - NOW],
    ['Thu, 29 Feb 1996 12:00:00 GMT', Date.UTC(1996, 1, 29, 12) - NOW],
    ['Fri, 31 Dec 1999 23:59:59 GMT', Date.UTC(1999, 11, 31, 23, 59, 59) - NOW],
  ])('%s -> %d ms', (value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });

  it.each<[string, number]>([
    ['Thu, 01 Jan 1970 00:00:05 GMT', 5000],
    ['Thu, 01 Jan 1970 00:00:05 UTC', 5000],
    ['Thu, 01 Jan 1970 00:00:05 utc', 5000],
    ['Thu, 01 Jan 1970 00:00:05 +0000', 5000],
    ['Thu, 01 Jan 1970 00:00:05 -0000', 5000],
    ['Thu, 01 Jan 1970 01:00:05 +0100', 5000],
    ['Wed, 31 Dec 1969 23:00:05 -0100', 5000],
    ['Thu, 01 Jan 1970 05:30:05 +0530', 5000],
    ['Thursday, 01-Jan-70 00:00:05 UTC', 5000],
    ['Thursday, 01-Jan-70 00:00:05 +0000', 5000],
    ['Thursday, 01-Jan-70 02:00:05 +0200', 5000],
  ])('reads %s (UTC or a numeric zone in place of GMT) -> %d ms', (value, expected) => {
    expect(parseRetryAfter(value, 0)).toBe(expected);
  });

  it('measures a UTC or numeric-zone date against a Date header in any zone', () => {
    const now = Date.UTC(2030, 0, 1); // the local clock is decades off
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:05 UTC', now, 'Thu, 01 Jan 1970 00:00:00 GMT')).toBe(5000);
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:05 GMT', now, 'Thu, 01 Jan 1970 01:00:00 +0100')).toBe(5000);
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:05 +0000', now, 'Thu, 01 Jan 1970 00:00:00 UTC')).toBe(5000);
  });

  it('does not check that the day name matches the date', () => {
    expect(parseRetryAfter('Mon, 06 Nov 1994 08:49:37 GMT', NOW)).toBe(120_000);
  });

  it.each<string>([
    'Sun, 31 Feb 1994 08:49:37 GMT', // no such day
    'Mon, 29 Feb 1900 08:49:37 GMT', // 1900 is not a leap year
    'Sun, 00 Nov 1994 08:49:37 GMT',
    'Sun, 32 Dec 1994 08:49:37 GMT',
    'Sun, 06 Nov 1994 24:00:00 GMT',
    'Sun, 06 Nov 1994 08:60:00 GMT',
    'Sun, 06 Nov 1994 08:49:61 GMT',
    'Sun, 06 Foo 1994 08:49:37 GMT',
    'Xyz, 06 Nov 1994 08:49:37 GMT',
    'Sun, 6 Nov 1994 08:49:37 GMT', // IMF-fixdate needs two-digit days
    'Sun, 06 Nov 94 08:49:37 GMT',
    'Sun, 06 Nov 1994 08:49:37', // IMF-fixdate needs a zone
    'Sun, 06 Nov 1994 08:49:37 PST', // zone names other than GMT and UTC are ambiguous
    'Sun, 06 Nov 1994 08:49:37 Z',
    'Sun, 06 Nov 1994 08:49:37 +00:00',
    'Sun, 06 Nov 1994 08:49:37 +000',
    'Sun, 06 Nov 1994 08:49:37 0000',
    'Sun, 06 Nov 1994 08:49:37 +0060', // no such offset
    'Sun, 06 Nov 1994 08:49:37 +2400',
    'Sunday, 06-Nov-94 08:49:37 +0160',
    'Sun, 06 Nov 1994 8:49:37 GMT',
    'Sun 06 Nov 1994 08:49:37 GMT',
    'Sun, 06-Nov-94 08:49:37 GMT', // RFC 850 needs the full day name
    'Sunday, 06-Nov-1994 08:49:37 GMT',
    'Sunday, 06 Nov 94 08:49:37 GMT',
    'Sun Nov  6 08:49:37 1994 GMT', // asctime has no zone
    'Sun Nov  6 08:49:37 94',
    'Sun Nov 106 08:49:37 1994',
    'x Sun, 06 Nov 1994 08:49:37 GMT',
    '1994-11-06T08:49:37Z', // ISO 8601 is not an HTTP-date
    'abc 2', // Date.parse would read this as 1 Feb 2001
    'May 5',
    'Nov 6 1994',
    'tomorrow',
    'in 5 minutes',
  ])('rejects %p', (value) => {
    expect(parseRetryAfter(value, NOW)).toBeUndefined();
  });

  it('treats a date before now as past, and a date equal to now as 0', () => {
    expect(parseRetryAfter(IMF, RFC_EXAMPLE_MS + 1)).toBeUndefined();
    expect(parseRetryAfter(IMF, RFC_EXAMPLE_MS + 1000)).toBeUndefined();
    expect(parseRetryAfter(IMF, RFC_EXAMPLE_MS)).toBe(0);
    expect(parseRetryAfter(IMF, RFC_EXAMPLE_MS - 1)).toBe(1);
  });

  it('rounds a fractional now up to a whole ms', () => {
    expect(parseRetryAfter(IMF, RFC_EXAMPLE_MS - 1000.25)).toBe(1001);
    expect(parseRetryAfter(IMF, RFC_EXAMPLE_MS - 0.5)).toBe(1);
  });

  it('returns undefined rather than NaN for a non-finite now', () => {
    expect(parseRetryAfter(IMF, NaN)).toBeUndefined();
    expect(parseRetryAfter(IMF, Infinity)).toBeUndefined();
    expect(parseRetryAfter(RFC_850, NaN)).toBeUndefined();
    expect(parseRetryAfter(RFC_850, -Infinity)).toBeUndefined();
    expect(parseRetryAfter(IMF, NOW, 'Sun, 06 Nov 1994 08:49:37 GMT')).toBe(0);
  });

  describe('RFC 850 two-digit years (RFC 9110 §5.6.7)', () => {
    const nowIn = (year: number): number => Date.UTC(year, 0, 1);

    it('reads years up to 50 in the future as this century', () => {
      expect(parseRetryAfter('Friday, 01-Jan-60 00:00:00 GMT', nowIn(2010))).toBe(Date.UTC(2060, 0, 1) - nowIn(2010));
      expect(parseRetryAfter('Sunday, 06-Nov-94 08:49:37 GMT', nowIn(1990))).toBe(RFC_EXAMPLE_MS - nowIn(1990));
    });

    it('reads years more than 50 in the future as the previous century (so: past)', () => {
      expect(parseRetryAfter('Friday, 01-Jan-61 00:00:00 GMT', nowIn(2010))).toBeUndefined();
      expect(parseRetryAfter(RFC_850, nowIn(2030))).toBeUndefined();
    });

    it('rolls over into the next century', () => {
      expect(parseRetryAfter('Wednesday, 01-Jan-03 00:00:00 GMT', nowIn(1999))).toBe(
        Date.UTC(2003, 0, 1) - nowIn(1999),
      );
    });
  });

  it('handles years below 100 without Date.UTC mapping them to the 1900s', () => {
    const year50 = new Date(0);
    year50.setUTCFullYear(50, 0, 1);
    expect(parseRetryAfter('Sat, 01 Jan 0050 00:00:00 GMT', year50.getTime() - 5000)).toBe(5000);
  });
});

describe('parseRetryAfter: clock skew via the Date header', () => {
  const serverDate = 'Sun, 06 Nov 1994 08:48:37 GMT'; // one minute before the Retry-After date

  it("measures from the server's Date, whatever the local clock says", () => {
    for (const now of [0, NOW, RFC_EXAMPLE_MS, RFC_EXAMPLE_MS + 3_600_000, Date.UTC(2030, 0, 1)]) {
      expect(parseRetryAfter(IMF, now, serverDate)).toBe(60_000);
      expect(parseRetryAfter(RFC_850, now, [serverDate])).toBe(60_000);
      expect(parseRetryAfter(ASCTIME, now, 'Sun Nov  6 08:48:37 1994')).toBe(60_000);
    }
  });

  it('gives 0 when the dates are equal and undefined when Retry-After is before Date', () => {
    expect(parseRetryAfter(IMF, 0, IMF)).toBe(0);
    expect(parseRetryAfter(serverDate, 0, IMF)).toBeUndefined();
  });

  it.each<unknown>([undefined, null, '', 'garbage', '12345', 12345, ['nope'], []])(
    'falls back to now for an unusable Date header %p',
    (dateHeader) => {
      expect(parseRetryAfter(IMF, NOW, dateHeader)).toBe(120_000);
    },
  );
});

describe('parseRetryAfter properties', () => {
  const anyNow = fc.oneof(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.double());
  const noDigits = fc.string({ unit: fc.constantFrom(...'abcdefgmnoprstuvwyz ADFGJMNOSTWUY,:-.+\t'.split('')) });

  it('parses String(n) as n seconds for any integer n in [0, 10^7], whatever now is', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), anyNow, (n, now) => {
        expect(parseRetryAfter(String(n), now)).toBe(n * 1000);
      }),
    );
  });

  it('parses decimal seconds exactly, rounded up to a whole ms', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 999_999 }), (s, micros) => {
        const text = `${s}.${String(micros).padStart(6, '0')}`;
        expect(parseRetryAfter(text, 0)).toBe(s * 1000 + Math.ceil(micros / 1000));
      }),
    );
  });

  it('never throws and never returns NaN, a negative or a fractional number (Infinity only for delta-seconds)', () => {
    const anyValue = fc.oneof(
      fc.string(),
      noDigits,
      fc.double(),
      fc.anything(),
      fc.array(fc.string(), { maxLength: 3 }),
      fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()),
      fc.stringMatching(/^\d{300,330}(\.\d{1,5})?$/),
    );
    fc.assert(
      fc.property(anyValue, anyNow, fc.option(fc.string(), { nil: undefined }), (value, now, dateHeader) => {
        const ms = parseRetryAfter(value, now, dateHeader);
        if (ms === Infinity) expect(parseRetryAfter(value, 0)).toBe(Infinity); // not a date: now plays no part
        else if (ms !== undefined) {
          expect(Number.isInteger(ms)).toBe(true);
          expect(ms).toBeGreaterThanOrEqual(0);
        }
      }),
    );
  });

  it('returns undefined for any string without a digit', () => {
    fc.assert(
      fc.property(noDigits, anyNow, (value, now) => {
        expect(parseRetryAfter(value, now)).toBeUndefined();
      }),
    );
  });

  it('reads back any future date written with toUTCString() (IMF-fixdate)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4_102_444_800 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        (retryAtSeconds, waitSeconds) => {
          const retryAtMs = retryAtSeconds * 1000;
          const value = new Date(retryAtMs).toUTCString();
          expect(parseRetryAfter(value, retryAtMs - waitSeconds * 1000)).toBe(waitSeconds * 1000);
        },
      ),
    );
  });

  it('reads back any date in any of the three forms and any accepted zone, against now or a Date header', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1900, 0, 2) / 1000, max: Date.UTC(9000, 0, 1) / 1000 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.constantFrom<DateForm>('imf', 'rfc850', 'asctime'),
        zoneArb,
        zoneArb,
        fc.boolean(),
        (retryAtSeconds, waitSeconds, form, zone, dateZone, withDateHeader) => {
          const retryAtMs = retryAtSeconds * 1000;
          const serverNowMs = retryAtMs - waitSeconds * 1000;
          const value = httpDate(retryAtMs, form, zone);
          if (withDateHeader) {
            const dateHeader = httpDate(serverNowMs, 'imf', dateZone);
            const skewedNow = serverNowMs + 3_600_000 * 24 * 365; // local clock a year ahead
            expect(parseRetryAfter(value, skewedNow, dateHeader)).toBe(waitSeconds * 1000);
          } else {
            expect(parseRetryAfter(value, serverNowMs)).toBe(waitSeconds * 1000);
          }
        },
      ),
    );
  });
});

type DateForm = 'imf' | 'rfc850' | 'asctime';
/** A zone as written and its offset east of UTC in minutes. */
type Zone = readonly [text: string, offsetMinutes: number];

const zoneArb: fc.Arbitrary<Zone> = fc.oneof(
  fc.constantFrom<Zone>(['GMT', 0], ['UTC', 0], ['gmt', 0], ['+0000', 0], ['-0000', 0]),
  fc.tuple(fc.constantFrom(1, -1), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(
    ([sign, h, m]): Zone => [
      `${sign > 0 ? '+' : '-'}${String(h).padStart(2, '0')}${String(m).padStart(2, '0')}`,
      sign * (h * 60 + m),
    ],
  ),
);

const SHORT_DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const LONG_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');

/**
 * `epochMs` written in one of the three RFC 9110 forms; IMF-fixdate and RFC 850 show the
 * local time of `zone` followed by the zone, asctime (which has no zone) shows UTC.
 */
function httpDate(epochMs: number, form: DateForm, [zoneText, offsetMinutes]: Zone): string {
  const d = new Date(form === 'asctime' ? epochMs : epochMs + offsetMinutes * 60_000);
  const time = `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
  const month = MONTHS[d.getUTCMonth()];
  const day = d.getUTCDate();
  const year = d.getUTCFullYear();
  switch (form) {
    case 'imf':
      return `${SHORT_DAYS[d.getUTCDay()]}, ${two(day)} ${month} ${year} ${time} ${zoneText}`;
    case 'rfc850':
      return `${LONG_DAYS[d.getUTCDay()]}, ${two(day)}-${month}-${two(year % 100)} ${time} ${zoneText}`;
    case 'asctime':
      return `${SHORT_DAYS[d.getUTCDay()]} ${month} ${String(day).padStart(2, ' ')} ${time} ${year}`;
  }
}

describe('jitterRetryAfter', () => {
  it.each<[number, number, number]>([
    [300, 0, 300],
    [300, 0.5, 315],
    [300, 0.999, 329.97],
    [60_000, 0.5, 60_500],
    [60_000, 0.999, 60_999],
    [0, 0.7, 0],
  ])('%d ms with random() = %d -> %d ms', (ms, r, expected) => {
    expect(jitterRetryAfter(ms, () => r)).toBeCloseTo(expected, 9);
  });

  it('keeps an infinite wait infinite', () => {
    expect(jitterRetryAfter(Infinity, () => 0.5)).toBe(Infinity);
  });

  it('calls random exactly once', () => {
    const random = jest.fn(() => 0.25);
    jitterRetryAfter(1_000, random);
    expect(random).toHaveBeenCalledTimes(1);
  });

  it("is never less than the server's value, at most 10% more and at most 1 s more", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 0, max: 100_000_000 }), fc.double({ min: 0, max: 1e15, noNaN: true })),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (ms, r) => {
          const waitMs = jitterRetryAfter(ms, () => r);
          expect(waitMs).toBeGreaterThanOrEqual(ms);
          expect(waitMs - ms).toBeLessThanOrEqual(1_000);
          expect(waitMs - ms).toBeLessThanOrEqual((ms / 10) * (1 + 1e-12) + 1e-9); // slack: float rounding only
        },
      ),
    );
  });

  it('spreads 100 callers told Retry-After: 0.3 over [300, 330) ms instead of lockstep', () => {
    const random = seededRandom(16);
    const ms = parseRetryAfter('0.3', NOW) as number;
    const waits = Array.from({ length: 100 }, () => jitterRetryAfter(ms, random));
    expect(Math.min(...waits)).toBeGreaterThanOrEqual(300);
    expect(Math.max(...waits)).toBeLessThan(330);
    expect(new Set(waits).size).toBe(100);
    expect(Math.max(...waits) - Math.min(...waits)).toBeGreaterThan(20);
  });
});
