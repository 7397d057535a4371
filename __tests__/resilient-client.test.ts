/**
 * The client's surface: axios's methods, construction errors, the pinned
 * interceptor managers, settings/configure, circuit() keys, dispose().
 */
import axios from 'axios';
import type { AxiosAdapter, InternalAxiosRequestConfig } from 'axios';
import { ConfigError, ResilientClient } from '../lib/index.js';

function recorder(): { adapter: AxiosAdapter; seen: InternalAxiosRequestConfig[] } {
  const seen: InternalAxiosRequestConfig[] = [];
  const adapter: AxiosAdapter = (config) => {
    seen.push(config);
    return Promise.resolve({ data: { method: config.method }, status: 200, statusText: 'OK', headers: {}, config, request: {} });
  };
  return { adapter, seen };
}

describe('axios methods', () => {
  it('each sends what axios would, through the resilient instance', async () => {
    const { adapter, seen } = recorder();
    const client = new ResilientClient({ adapter, baseURL: 'http://api.test' });
    await client.request({ url: '/r' });
    await client.get('/g');
    await client.delete('/d');
    await client.head('/h');
    await client.options('/o');
    await client.post('/p', { a: 1 });
    await client.put('/u', { a: 2 });
    await client.patch('/pa', { a: 3 });
    await client.postForm('/pf', { a: '4' });
    await client.putForm('/uf', { a: '5' });
    await client.patchForm('/paf', { a: '6' });
    expect(seen.map((c) => `${c.method} ${c.url}`)).toEqual([
      'get /r', 'get /g', 'delete /d', 'head /h', 'options /o', 'post /p', 'put /u', 'patch /pa', 'post /pf', 'put /uf', 'patch /paf',
    ]);
    expect(seen[5]?.data).toBe('{"a":1}');
    expect(String(seen[8]?.headers['Content-Type'])).toContain('multipart/form-data');
    expect(client.getUri({ url: '/x', params: { q: 1 } })).toBe('http://api.test/x?q=1');
    expect(client.stats()).toMatchObject({ calls: 11, successes: 11, failures: 0, inFlight: 0 });
  });
});

describe('construction', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['a clock without sleep', { clock: { now: () => 0 } }, 'clock must be an object with now() and sleep(ms, signal)'],
    ['a clock that is null', { clock: null }, 'clock must be an object with now() and sleep(ms, signal)'],
    ['random that is not a function', { random: 0.5 }, 'random must be a function returning a number in [0, 1), got 0.5'],
    ['an axios that is not an instance', { axios: {} }, 'axios must be an axios instance, got an object'],
    ['an instance plus axios fields', { axios: axios.create(), baseURL: 'http://x.test' }, 'baseURL must be left out when an instance is passed as `axios`'],
    ['an invalid resilience field', { retry: { maxAttempts: 0 } }, 'retry.maxAttempts must be an integer >= 1, got 0'],
  ])('rejects %s with a ConfigError', (_name, config: object, message) => {
    let err: unknown;
    try {
      new ResilientClient(config);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain(message);
  });

  it('wraps an existing instance and keeps its defaults', async () => {
    const { adapter, seen } = recorder();
    const instance = axios.create({ adapter, baseURL: 'http://wrapped.test', timeout: 1_234 });
    const client = new ResilientClient({ axios: instance });
    expect(client.axios).toBe(instance);
    const attempts: number[] = [];
    client.on('attempt', (e) => attempts.push(e.timeoutMs));
    await client.get('/a');
    expect(seen[0]?.url).toBe('/a');
    expect(attempts).toEqual([1_234]); // the instance's timeout is the per-attempt limit
  });
});

describe('interceptor managers', () => {
  it('pass use/eject/clear/handlers through to the user’s manager, ours staying in place', async () => {
    const { adapter } = recorder();
    const client = new ResilientClient({ adapter });
    const manager = client.axios.interceptors.request as unknown as {
      use: (f: (c: InternalAxiosRequestConfig) => InternalAxiosRequestConfig) => number;
      eject: (id: number) => void;
      clear: () => void;
      handlers: unknown[];
    };
    let runs = 0;
    const id = manager.use((c) => { runs++; return c; });
    expect(manager.handlers).toHaveLength(1);
    await client.get('http://a.test/1');
    manager.eject(id);
    await client.get('http://a.test/2');
    manager.use((c) => { runs++; return c; });
    manager.clear();
    await client.get('http://a.test/3');
    expect(runs).toBe(1);
    manager.handlers = [];
    expect(manager.handlers).toEqual([]);
    const attempts: number[] = [];
    client.on('attempt', (e) => attempts.push(e.attempt));
    await client.get('http://a.test/4');
    expect(attempts).toEqual([1]); // the engine's own interceptor still runs
  });

  it('dispose() gives the instance its own managers back: plain axios after', async () => {
    const { adapter } = recorder();
    const instance = axios.create({ adapter });
    const original = instance.interceptors.request;
    const client = new ResilientClient({ axios: instance });
    expect(instance.interceptors.request).not.toBe(original);
    client.dispose();
    expect(instance.interceptors.request).toBe(original);
    await instance.get('http://a.test/x');
    expect(client.stats().calls).toBe(0);
  });
});

describe('settings, configure and circuit()', () => {
  it('configure() validates and applies; settings shows the resolved options', () => {
    const client = new ResilientClient({ adapter: recorder().adapter });
    expect((client.settings.retry || undefined)?.maxAttempts).toBe(3);
    client.configure({ retry: { maxAttempts: 5 } });
    expect((client.settings.retry || undefined)?.maxAttempts).toBe(5);
    expect(() => client.configure({ retry: { maxAttempts: -1 } })).toThrow('retry.maxAttempts must be an integer >= 1, got -1');
    expect(() => client.configure({ baseURL: 'x' } as never)).toThrow(ConfigError);
    expect((client.settings.retry || undefined)?.maxAttempts).toBe(5);
  });

  it('circuit(): the default key, normalised URLs, unknown keys and custom key functions', async () => {
    const { adapter } = recorder();
    const byOrigin = new ResilientClient({ adapter, baseURL: 'https://api.test/v1' });
    expect(byOrigin.circuit()?.key).toBe('https://api.test:443');
    expect(byOrigin.circuit('http://other.test')).toBeUndefined();
    await byOrigin.get('http://other.test/x');
    expect(byOrigin.circuit('http://other.test/anything')?.stats.successes).toBe(1);

    const perClient = new ResilientClient({ adapter, circuitBreaker: { key: 'client' } });
    expect(perClient.circuit()?.key).toBe('client');

    const custom = new ResilientClient({ adapter, circuitBreaker: { key: (c) => String(c.url) } });
    expect(() => custom.circuit()).toThrow(ConfigError);
    await custom.get('http://a.test/k');
    expect(custom.circuit('http://a.test/k')?.state).toBe('CLOSED');

    const off = new ResilientClient({ adapter, circuitBreaker: false });
    expect(off.circuit()).toBeUndefined();
  });
});
