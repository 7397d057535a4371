/**
 * Rejections made by a real axios against a real loopback server, with a
 * distinct secret in every place one can be, then protected as the runner
 * does: no sink (pino, winston, util.inspect, console, JSON, String, message,
 * stack) writes a secret, a pino line stays under 1.5 kB, and the real
 * `err.config` still replays the request with every header and the body.
 */
import axios from 'axios';
import type { AxiosError, AxiosInstance } from 'axios';
import { CircuitOpenError, DeadlineExceededError } from '../../lib/report/errors.js';
import type { WithResilience } from '../../lib/report/errors.js';
import { REDACTED, resolveRedaction } from '../../lib/report/redaction.js';
import { redactUrl } from '../../lib/report/redact.js';
import { errorView } from '../../lib/report/error-view.js';
import { protectError } from '../../lib/report/safe-error.js';
import { PINO_LINES, pinoLine, reachableStrings, renderInSinks, renderPayloadInSinks } from '../helpers/log-sinks.js';
import { closedPort, serversClosedAfterEach } from '../helpers/server.js';

const S = {
  instanceAuth: 'inst-auth-1a2b3c',
  requestCookie: 'req-cookie-4d5e6f',
  requestApiKey: 'req-apikey-7g8h9i',
  interceptorToken: 'icpt-token-0j1k2l',
  extraHeader: 'tenant-key-3m4n5o',
  urlUser: 'urluser-6p7q8r',
  urlPassword: 'urlpass-9s0t1u',
  queryToken: 'qtoken-2v3w4x',
  extraQuery: 'qsession-5y6z7a',
  paramApiKey: 'param-apikey-8b9c0d',
  requestBody: 'body-card-1e2f3g',
  setCookie: 'resp-cookie-4h5i6j',
  responseBody: 'resp-body-7k8l9m',
};
const SECRETS = Object.values(S);
const REDACTION = resolveRedaction(['X-Tenant-Key'], ['session']);
const MAX_LINE_BYTES = 1500;

const serve = serversClosedAfterEach();

function client(): AxiosInstance {
  const instance = axios.create({ headers: { Authorization: `Bearer ${S.instanceAuth}` } });
  instance.interceptors.request.use((config) => {
    config.headers.set('X-Auth-Token', S.interceptorToken);
    config.headers.set('X-Tenant-Key', S.extraHeader);
    return config;
  });
  return instance;
}

/** A POST with a secret in every request field; `base` may carry URL credentials. */
async function failedPost(instance: AxiosInstance, base: string): Promise<AxiosError> {
  try {
    await instance.post(`${base}/charges?access_token=${S.queryToken}&session=${S.extraQuery}&page=2`, { card: S.requestBody, amount: 100 }, {
      headers: { Cookie: `sid=${S.requestCookie}`, 'X-Api-Key': S.requestApiKey },
      params: { api_key: S.paramApiKey },
    });
  } catch (err) {
    return err as AxiosError;
  }
  throw new Error('the request was expected to fail');
}

function asRejection<E extends object>(err: E): E {
  (err as WithResilience<E>).resilience = { attempts: 3, elapsedMs: 1234.5678, reason: 'exhausted' };
  return protectError(err, REDACTION);
}

async function expectSafeEverywhere(err: unknown): Promise<Record<string, string>> {
  const outputs = await renderInSinks(err);
  for (const [sink, text] of Object.entries(outputs)) {
    for (const secret of SECRETS) {
      if (text.includes(secret)) throw new Error(`${sink} wrote the secret ${secret}:\n${text}`);
    }
  }
  for (const sink of PINO_LINES) expect(Buffer.byteLength(outputs[sink] ?? '')).toBeLessThanOrEqual(MAX_LINE_BYTES);
  return outputs;
}

function pinoErr(outputs: Record<string, string>): Record<string, unknown> {
  return (JSON.parse(outputs['pino error({ err })'] ?? '') as { err: Record<string, unknown> }).err;
}

async function a503(): Promise<{ err: AxiosError; server: Awaited<ReturnType<typeof serve>> }> {
  const server = await serve([{ status: 503, headers: { 'Set-Cookie': `sid=${S.setCookie}; HttpOnly` }, json: { echo: S.responseBody } }]);
  return { err: await failedPost(client(), server.url), server };
}

describe('a rejection written by every sink', () => {
  test('503 with Set-Cookie: no secret, compact and useful, config intact and replayable', async () => {
    const { err, server } = await a503();
    const outputs = await expectSafeEverywhere(asRejection(err));
    const logged = pinoErr(outputs);
    expect(logged).toMatchObject({
      type: 'AxiosError', message: 'Request failed with status code 503', code: 'ERR_BAD_RESPONSE', status: 503, method: 'POST',
      url: `${server.url}/charges?access_token=${REDACTED}&session=${REDACTED}&page=2&api_key=${REDACTED}`,
      resilience: { attempts: 3, elapsedMs: 1234.5678, reason: 'exhausted' },
    });
    expect(logged.stack).toEqual(expect.stringMatching(/^AxiosError: Request failed with status code 503\n/));
    for (const key of ['config', 'request', 'response']) expect(logged).not.toHaveProperty(key);

    expect(err.config?.headers.Authorization).toBe(`Bearer ${S.instanceAuth}`);
    expect(err.config?.headers['X-Auth-Token']).toBe(S.interceptorToken);
    expect(err.config?.data).toContain(S.requestBody);
    expect(err.response?.config).toBe(err.config);
    expect(err.response?.headers['set-cookie']).toEqual([`sid=${S.setCookie}; HttpOnly`]);
    expect(err.response?.data).toEqual({ echo: S.responseBody });

    // the 401-refresh pattern: replay err.config as it is
    await client().request(err.config ?? {}).catch(() => undefined);
    const [first, replay] = server.requests;
    expect(replay?.headers).toMatchObject({
      authorization: `Bearer ${S.instanceAuth}`, cookie: `sid=${S.requestCookie}`, 'x-api-key': S.requestApiKey,
      'x-auth-token': S.interceptorToken, 'x-tenant-key': S.extraHeader,
    });
    expect(replay?.url).toBe(first?.url);
    expect(replay?.url).toContain(S.paramApiKey);
    expect(replay?.body).toBe(first?.body);
    expect(replay?.body).toContain(S.requestBody);
  });

  test('ECONNREFUSED with a user and password in the URL', async () => {
    const port = await closedPort();
    const err = await failedPost(client(), `http://${S.urlUser}:${S.urlPassword}@127.0.0.1:${port}`);
    expect(err.code).toBe('ECONNREFUSED');
    const outputs = await expectSafeEverywhere(asRejection(err));
    expect(pinoErr(outputs)).toMatchObject({ code: 'ECONNREFUSED', url: expect.stringMatching(new RegExp(`^http://\\[REDACTED\\]@127\\.0\\.0\\.1:${port}/charges\\?`)) });
    expect(err.config?.url).toContain(`${S.urlUser}:${S.urlPassword}@`);
  });

  test('DeadlineExceededError whose cause is an AxiosError with headers, and its response', async () => {
    const { err } = await a503();
    const deadline = asRejection(new DeadlineExceededError(500, err.config, err, err.response));
    const outputs = await expectSafeEverywhere(deadline);
    const logged = pinoErr(outputs);
    expect(logged).toMatchObject({ type: 'DeadlineExceededError', code: 'ERR_DEADLINE_EXCEEDED', status: 503, totalMs: 500 });
    expect(logged.message).toBe('Deadline of 500 ms exceeded: Request failed with status code 503');
    expect(logged.stack).toContain('caused by: AxiosError: Request failed with status code 503');
    expect(deadline.cause).toBe(err);
    expect(err.config?.headers['X-Api-Key']).toBe(S.requestApiKey);
    await expectSafeEverywhere(err);
  });

  test('CircuitOpenError carrying the config of the refused request', async () => {
    const port = await closedPort();
    const { config } = await failedPost(client(), `http://${S.urlUser}:${S.urlPassword}@127.0.0.1:${port}`);
    const err = asRejection(new CircuitOpenError(`http://127.0.0.1:${port}`, 2500, config));
    const logged = pinoErr(await expectSafeEverywhere(err));
    expect(logged).toMatchObject({ type: 'CircuitOpenError', code: 'ERR_CIRCUIT_OPEN', remainingMs: 2500, method: 'POST' });
    expect(err.config).toBe(config);
  });

  test("a non-axios TypeError: Invalid URL whose input holds the password", async () => {
    const server = await serve([{ status: 200 }]);
    const unparseable = server.url.replace('http://', `http://${S.urlUser}:${S.urlPassword}#x@`);
    const err = await client().get(unparseable).then(() => undefined, (e: unknown) => e as Error & { input?: string });
    expect(err?.name).toBe('TypeError');
    expect(axios.isAxiosError(err)).toBe(false);
    await expectSafeEverywhere(asRejection(err as object));
    expect(err?.input).toBe(`http://${REDACTED}@127.0.0.1:${server.port}`);
    expect(server.requests).toHaveLength(0);
  });
});

describe('event payloads', () => {
  test("a failure payload's error view is safe in every sink, compact, and holds no secret at all", async () => {
    const { err } = await a503();
    const rejection = asRejection(err);
    const payload = {
      callId: 'c1', method: 'POST', url: redactUrl(err.config?.url ?? '', REDACTION), attempts: 3, elapsedMs: 1234.5678,
      error: errorView(rejection, REDACTION), reason: 'exhausted', status: 503, code: rejection.code, remainingMs: 100,
    };
    expect(payload.url).not.toContain(S.queryToken);
    for (const [sink, text] of Object.entries(await renderPayloadInSinks(payload))) {
      for (const secret of SECRETS) expect({ sink, leaked: text.includes(secret) }).toEqual({ sink, leaked: false });
      if (sink.startsWith('pino')) expect(Buffer.byteLength(text)).toBeLessThanOrEqual(MAX_LINE_BYTES);
    }
    const reachable = reachableStrings(payload).join('\n');
    for (const secret of SECRETS) expect(reachable).not.toContain(secret);
    expect(payload.error.response?.status).toBe(503);
    expect(axios.isAxiosError(payload.error)).toBe(true);
  });

  test('a retry payload viewing an unprotected attempt error is safe too, and the error is left as it was', async () => {
    const { err } = await a503();
    const keys = Object.keys(err);
    const payload = { method: 'POST', attempt: 1, delayMs: 100, error: errorView(err, REDACTION) };
    for (const text of Object.values(await renderPayloadInSinks(payload))) {
      for (const secret of SECRETS) expect(text).not.toContain(secret);
    }
    expect(Object.keys(err)).toEqual(keys);
  });
});

describe('without protectError (what the issue measured)', () => {
  test('the raw rejection leaks through pino and is ~11 kB a line: the tests above can fail', async () => {
    const { err } = await a503();
    const line = pinoLine(err);
    expect(line).toContain(S.instanceAuth);
    expect(line).toContain(S.requestBody);
    expect(Buffer.byteLength(line)).toBeGreaterThan(5 * MAX_LINE_BYTES);
  });
});
