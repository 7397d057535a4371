/**
 * Property: for any header named in the default list (in any case) and any
 * value, and any query parameter named in the list with any value, a real
 * rejection protected as the runner does writes neither value in any sink,
 * and its event view holds neither anywhere; the real config keeps both.
 */
import axios from 'axios';
import type { AxiosError } from 'axios';
import fc from 'fast-check';
import { DEFAULT_REDACTION, SENSITIVE_HEADERS, SENSITIVE_QUERY } from '../../lib/report/redaction.js';
import { errorView } from '../../lib/report/error-view.js';
import { protectError } from '../../lib/report/safe-error.js';
import { reachableStrings, renderInSinks } from '../helpers/log-sinks.js';
import { startServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  // answers 503 and sets a cookie holding the value of the header named by ?echo=
  server = await startServer([(req) => {
    const echo = new URL(req.url, 'http://x').searchParams.get('echo') ?? '';
    return { status: 503, headers: { 'Set-Cookie': `sid=${String(req.headers[echo])}` }, json: { ok: false } };
  }]);
});
afterAll(() => server.close());

const anyCase = (name: string): fc.Arbitrary<string> =>
  fc.array(fc.boolean(), { minLength: name.length, maxLength: name.length })
    .map((upper) => [...name].map((c, i) => (upper[i] === true ? c.toUpperCase() : c)).join(''));

const headerName = fc.constantFrom(...SENSITIVE_HEADERS).chain(anyCase);
const queryName = fc.constantFrom(...SENSITIVE_QUERY).chain(anyCase);
/** Long enough (8+, with 4+ letters or digits) that it cannot match some other text by accident. */
const secret = (chars: string): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...chars), minLength: 8, maxLength: 40 }).filter((v) => (v.match(/[A-Za-z0-9]/g) ?? []).length >= 4);
const HEADER_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/=';
const QUERY_CHARS = `${HEADER_CHARS}&#?% :;é中`;

test('no sink writes a secret header or query value, whatever the case of the name', async () => {
  await fc.assert(
    fc.asyncProperty(headerName, secret(HEADER_CHARS), queryName, secret(QUERY_CHARS), async (header, value, param, paramValue) => {
      const encoded = encodeURIComponent(paramValue);
      const err = (await axios
        .get(`${server.url}/p?${param}=${encoded}&echo=${header.toLowerCase()}`, { headers: { [header]: value } })
        .catch((e: unknown) => e)) as AxiosError;
      expect(err.response?.headers['set-cookie']).toEqual([`sid=${value}`]);
      protectError(err, DEFAULT_REDACTION);
      const texts = [...Object.values(await renderInSinks(err)), ...reachableStrings(errorView(err, DEFAULT_REDACTION))];
      for (const text of texts) {
        expect(text).not.toContain(value);
        expect(text).not.toContain(paramValue);
        expect(text).not.toContain(encoded);
      }
      expect(err.config?.headers[header]).toBe(value);
      expect(err.config?.url).toContain(encoded);
    }),
    { numRuns: 40, seed: 1313 },
  );
});
