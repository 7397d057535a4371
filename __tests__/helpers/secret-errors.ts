/**
 * Synthetic axios rejections with a distinct secret in every field one can
 * be in (URL user and password, query, params, headers, body, auth,
 * Set-Cookie, response body), for unit tests of the redaction.
 */
import { AxiosError, AxiosHeaders } from 'axios';
import type { AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { WithResilience } from '../../lib/report/errors.js';
import { REDACTED } from '../../lib/report/redaction.js';

/** One secret per place. */
export const S = {
  bearer: 's-bearer-1111', apiKey: 's-apikey-2222', cookie: 's-cookie-3333', user: 's-user-4444', pass: 's-pass-5555',
  query: 's-query-6666', param: 's-param-7777', body: 's-body-8888', setCookie: 's-setcookie-9999', auth: 's-auth-0000',
};
/** Every secret. */
export const ALL = Object.values(S);

/** A POST config holding every request secret. */
export function makeConfig(): InternalAxiosRequestConfig {
  return {
    method: 'post',
    baseURL: `https://${S.user}:${S.pass}@api.example/v1/`,
    url: `items?access_token=${S.query}&page=2`,
    params: { api_key: S.param, sort: 'asc' },
    headers: new AxiosHeaders({ Authorization: `Bearer ${S.bearer}`, 'X-Api-Key': S.apiKey, Cookie: `sid=${S.cookie}`, Accept: 'application/json' }),
    data: JSON.stringify({ card: S.body }),
    auth: { username: 'alice', password: S.auth },
  } as InternalAxiosRequestConfig;
}

/** A 503 with a secret Set-Cookie and a body echoing a secret. */
export function makeResponse(config: InternalAxiosRequestConfig): AxiosResponse {
  return {
    status: 503, statusText: 'Service Unavailable', config, request: { path: `/v1/items?access_token=${S.query}` },
    headers: new AxiosHeaders({ 'Set-Cookie': `sid=${S.setCookie}`, 'Retry-After': '1' }), data: { echo: S.body },
  };
}

/** The rejection axios gives for that POST answered 503, with `resilience` set. */
export function make503(): AxiosError {
  const config = makeConfig();
  const err = new AxiosError('Request failed with status code 503', 'ERR_BAD_RESPONSE', config, { raw: S.bearer }, makeResponse(config));
  (err as WithResilience).resilience = { attempts: 3, elapsedMs: 42, reason: 'exhausted' };
  return err;
}

/** Fails when `text` holds any secret. */
export function expectNoSecret(text: string): void {
  for (const s of ALL) expect(text).not.toContain(s);
}

/** The request's URL as logged. */
export const SAFE_URL = `https://${REDACTED}@api.example/v1/items?access_token=${REDACTED}&page=2&api_key=${REDACTED}&sort=asc`;
