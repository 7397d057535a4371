import axios from 'axios';
import { splitClientConfig } from '../lib/client-config.js';
import { CLIENT_KEYS } from '../lib/options.js';
import { configError } from './helpers/engine-harness.js';

const clock = { now: (): number => 0, sleep: (): Promise<void> => Promise.resolve() };

describe('splitClientConfig', () => {
  it('separates axios fields from resilience fields', () => {
    const random = (): number => 0.5;
    const resilience = {
      retry: false, timeBudget: {}, circuitBreaker: false, retryBudget: false, concurrency: false, adaptiveThrottle: false, hedge: false, redactHeaders: [], redactQuery: [],
    };
    const parts = splitClientConfig({ baseURL: 'https://a', headers: { x: '1' }, timeout: 5, ...resilience, clock, random });
    expect(parts.axiosDefaults).toEqual({ baseURL: 'https://a', headers: { x: '1' }, timeout: 5 });
    expect(parts.resilience).toEqual(resilience);
    expect(Object.keys(parts.resilience).sort()).toEqual([...CLIENT_KEYS].sort());
    expect(parts.resilience.timeBudget).toBe(resilience.timeBudget);
    expect(parts.clock).toBe(clock);
    expect(parts.random).toBe(random);
    expect(parts.instance).toBeUndefined();
  });

  it('gives no clock, Math.random and no instance when none is given', () => {
    const parts = splitClientConfig({});
    expect(parts).toEqual({ axiosDefaults: {}, resilience: {}, instance: undefined, clock: undefined, random: Math.random, timeoutGiven: false });
    expect(parts.random).toBe(Math.random);
  });

  it('passes unknown fields to axios untouched (axios decides what they mean)', () => {
    const adapter = (): Promise<never> => Promise.reject(new Error('x'));
    const parts = splitClientConfig({ adapter, maxRedirects: 0, whatever: 1 });
    expect(parts.axiosDefaults).toEqual({ adapter, maxRedirects: 0, whatever: 1 });
    expect(parts.resilience).toEqual({});
  });

  it('does not modify the config it is given', () => {
    const config = { baseURL: 'https://a', retry: { maxAttempts: 2 }, clock };
    const copy = { ...config };
    splitClientConfig(config);
    expect(config).toEqual(copy);
    expect(Object.keys(config)).toEqual(['baseURL', 'retry', 'clock']);
  });

  it('does not validate the resilience fields (resolveOptions does)', () => {
    expect(splitClientConfig({ retry: 3 }).resilience).toEqual({ retry: 3 });
  });

  it.each<[unknown, string]>([
    [null, 'null'],
    [5, '5'],
    ['http://x', '"http://x"'],
    [[1], 'an array of 1'],
    [undefined, 'undefined'],
    [true, 'true'],
  ])('rejects the config %p, naming `config`', (config, got) => {
    const err = configError(() => splitClientConfig(config));
    expect(err.path).toBe('config');
    expect(err.value).toBe(config);
    expect(err.message).toBe(`config must be an object (axios defaults plus resilience options), got ${got}`);
  });

  it.each<[unknown, string]>([
    [5, 'got 5'],
    [null, 'got null'],
    [{ now: () => 0 }, 'got an object'],
    [{ sleep: () => Promise.resolve() }, 'got an object'],
    [() => 0, 'got a function'],
  ])('rejects the clock %p', (bad, got) => {
    const err = configError(() => splitClientConfig({ clock: bad }));
    expect(err.path).toBe('clock');
    expect(err.message).toBe(`clock must be an object with now() and sleep(ms, signal), ${got}`);
  });

  it.each<[unknown]>([[0.5], [null], [{}]])('rejects the random source %p', (bad) => {
    const err = configError(() => splitClientConfig({ random: bad }));
    expect(err.path).toBe('random');
    expect(err.message).toMatch(/^random must be a function returning a number in \[0, 1\), got /);
  });

  describe('a wrapped axios instance', () => {
    it('is kept, with no axios defaults of its own', () => {
      const instance = axios.create({ baseURL: 'https://a' });
      const parts = splitClientConfig({ axios: instance, retry: false, clock });
      expect(parts.instance).toBe(instance);
      expect(parts.axiosDefaults).toEqual({});
      expect(parts.resilience).toEqual({ retry: false });
      expect(parts.clock).toBe(clock);
    });

    it.each<[unknown, string]>([
      [{}, 'an object'],
      [5, '5'],
      [null, 'null'],
      [() => undefined, 'a function'],
      [axios.create().request, 'a function'],
    ])('rejects %p as an instance', (bad, got) => {
      const err = configError(() => splitClientConfig({ axios: bad }));
      expect(err.path).toBe('axios');
      expect(err.message).toBe(`axios must be an axios instance, got ${got}`);
    });

    it('rejects axios fields next to it, naming the first one', () => {
      const err = configError(() => splitClientConfig({ axios: axios.create(), baseURL: 'https://a', timeout: 5 }));
      expect(err.path).toBe('baseURL');
      expect(err.value).toBe('https://a');
      expect(err.message).toBe('baseURL must be left out when an instance is passed as `axios` (configure that instance instead), got "https://a"');
    });
  });

  describe('timeoutGiven', () => {
    it.each<[string, Record<string, unknown>, boolean]>([
      ['no timeout', {}, false],
      ['timeout: 5', { timeout: 5 }, true],
      // Given, and 0 means "no per-attempt limit" as in axios: the user chose it.
      ['timeout: 0', { timeout: 0 }, true],
      ['timeout: undefined', { timeout: undefined }, false],
    ])('%s on the config (%j) -> %p', (_name, config, given) => {
      expect(splitClientConfig(config).timeoutGiven).toBe(given);
    });

    it.each<[string, number | undefined, boolean]>([
      ['a positive timeout', 250, true],
      // axios's own default is 0: an instance cannot tell "set to 0" from "never set".
      ['timeout 0', 0, false],
      ['no timeout', undefined, false],
    ])('a wrapped instance with %s (%p) -> %p', (_name, timeout, given) => {
      const instance = timeout === undefined ? axios.create() : axios.create({ timeout });
      expect(splitClientConfig({ axios: instance }).timeoutGiven).toBe(given);
    });

    it('reads the wrapped instance at split time', () => {
      const instance = axios.create();
      instance.defaults.timeout = 40;
      expect(splitClientConfig({ axios: instance }).timeoutGiven).toBe(true);
    });
  });

  describe('own properties only', () => {
    it('ignores inherited fields of the config', () => {
      const inherited = { retry: false, clock: 5, random: 5, axios: 5, timeout: 5, baseURL: 'https://proto' };
      const config = Object.create(inherited) as Record<string, unknown>;
      config.headers = { a: '1' };
      const parts = splitClientConfig(config);
      expect(parts.axiosDefaults).toEqual({ headers: { a: '1' } });
      expect(parts.resilience).toEqual({});
      expect(parts.clock).toBeUndefined();
      expect(parts.random).toBe(Math.random);
      expect(parts.instance).toBeUndefined();
      expect(parts.timeoutGiven).toBe(false);
    });

    it('never reads a value set on Object.prototype', () => {
      const proto = Object.prototype as Record<string, unknown>;
      const polluted = { retry: false, clock: 5, random: 5, axios: 5, timeout: 1, circuitBreaker: false };
      for (const k of Object.keys(polluted)) expect(Object.prototype.hasOwnProperty.call(proto, k)).toBe(false);
      let outcome: { parts: ReturnType<typeof splitClientConfig> } | { error: unknown };
      try {
        Object.assign(proto, polluted);
        try {
          outcome = { parts: splitClientConfig({ baseURL: 'https://a' }) };
        } catch (error) {
          outcome = { error };
        }
      } finally {
        for (const k of Object.keys(polluted)) delete proto[k];
      }
      if ('error' in outcome) throw outcome.error;
      const { parts } = outcome;
      expect(parts.clock).toBeUndefined();
      expect(parts.random).toBe(Math.random);
      expect(parts.instance).toBeUndefined();
      expect(parts.timeoutGiven).toBe(false);
      expect(Object.keys(parts.axiosDefaults)).toEqual(['baseURL']);
      expect(Object.keys(parts.resilience)).toEqual([]);
    });
  });
});
