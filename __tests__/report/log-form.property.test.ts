/**
 * Property: the `url` a protected rejection logs is the URL axios itself
 * builds for the request (`axios.getUri`: `baseURL`, `url`,
 * `allowAbsoluteUrls`, `params`), redacted, whatever the pieces are, also
 * when the same pieces come again (the last URL built is kept).
 */
import axios, { AxiosError } from 'axios';
import type { AxiosRequestConfig, InternalAxiosRequestConfig } from 'axios';
import fc from 'fast-check';
import { requestFacts } from '../../lib/report/log-form.js';
import type { ErrorLike } from '../../lib/report/log-form.js';
import { redactUrl } from '../../lib/report/redact.js';
import { DEFAULT_REDACTION } from '../../lib/report/redaction.js';

const R = DEFAULT_REDACTION;
const segment = fc.constantFrom('', 'v1', 'items', 'a b', 'x?y=1', 'token=s3cret');
const slashes = fc.constantFrom('', '/', '//', '///');
const path = fc.tuple(slashes, segment, slashes, segment).map((parts) => parts.join(''));
const origin = fc.constantFrom('http://api.test', 'https://api.test:8443', 'HTTP://User:Pw@API.test', '//cdn.test', 'ftp+x://h');
const base = fc.option(fc.oneof(origin, fc.tuple(origin, path).map(([o, p]) => o + p), path), { nil: undefined });
const url = fc.option(fc.oneof(path, fc.tuple(origin, path).map(([o, p]) => o + p)), { nil: undefined });
const params = fc.option(fc.dictionary(fc.constantFrom('page', 'q', 'access_token'), fc.constantFrom('1', 'a b', 'x&y')), { nil: undefined });

describe('the url of a protected rejection', () => {
  it('is the URL axios builds for the request, redacted', () => {
    fc.assert(
      fc.property(base, url, fc.constantFrom(undefined, true, false), params, (baseURL, u, allowAbsoluteUrls, p) => {
        const config = { baseURL, url: u, allowAbsoluteUrls, params: p, method: 'get', headers: {} } as unknown as InternalAxiosRequestConfig;
        const err = new AxiosError('failed', 'ERR_BAD_RESPONSE', config) as unknown as ErrorLike;
        let built: string | undefined = u;
        try {
          built = axios.getUri({ baseURL, url: u, allowAbsoluteUrls, params: p } as AxiosRequestConfig);
        } catch {
          // axios refuses the URL: the error logs the url as given
        }
        const expected = built === undefined ? undefined : redactUrl(built, R);
        expect(requestFacts(err, R)?.url).toBe(expected !== undefined && expected.length > 300 ? `${expected.slice(0, 299)}…` : expected);
      }),
      { numRuns: 1000 },
    );
  });
});
