import fc from 'fast-check';
import { parseRetryAfter } from '../../lib/retry/retry-after.js';

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
    1e21,
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

  it('never returns Infinity for absurdly long numbers', () => {
    expect(parseRetryAfter('9'.repeat(400), NOW)).toBeUndefined();
    expect(parseRetryAfter(`${'9'.repeat(400)}.5`, NOW)).toBeUndefined();
    expect(parseRetryAfter(`${'9'.repeat(400)}.0005`, NOW)).toBeUndefined();
    // Just below the double limit in seconds, but not in milliseconds.
    expect(parseRetryAfter('1'.padEnd(308, '0'), NOW)).toBeUndefined();
    const large = parseRetryAfter('1'.padEnd(300, '0'), NOW);
    expect(large).toBe(1e302);
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
    'Sun, 06 Nov 1994 08:49:37', // IMF-fixdate needs GMT
    'Sun, 06 Nov 1994 08:49:37 UTC',
    'Sun, 06 Nov 1994 08:49:37 +0000',
    'Sun, 06 Nov 1994 08:49:37 PST',
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

  it('never throws and never returns NaN, a negative or a fractional number', () => {
    const anyValue = fc.oneof(
      fc.string(),
      noDigits,
      fc.double(),
      fc.anything(),
      fc.array(fc.string(), { maxLength: 3 }),
      fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()),
    );
    fc.assert(
      fc.property(anyValue, anyNow, fc.option(fc.string(), { nil: undefined }), (value, now, dateHeader) => {
        const ms = parseRetryAfter(value, now, dateHeader);
        if (ms !== undefined) {
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
});
