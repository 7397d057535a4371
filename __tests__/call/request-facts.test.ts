import { Readable } from 'node:stream';
import { isAbsoluteUrl, isReplayableBody, newIdempotencyKey, originOf } from '../../lib/call/request-facts.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Runs `fn` with `globalThis[name]` replaced by `value`, restoring it afterwards. */
function withGlobal<T>(name: 'crypto' | 'location', value: unknown, fn: () => T): T {
  const saved = Object.getOwnPropertyDescriptor(globalThis, name);
  Object.defineProperty(globalThis, name, { value, configurable: true, writable: true, enumerable: true });
  try {
    return fn();
  } finally {
    if (saved === undefined) Reflect.deleteProperty(globalThis, name);
    else Object.defineProperty(globalThis, name, saved);
  }
}

describe('isReplayableBody', () => {
  async function* generate(): AsyncGenerator<string> {
    yield 'a';
  }

  it.each<[string, () => unknown]>([
    ['undefined', () => undefined],
    ['null', () => null],
    ['a string', () => '{"a":1}'],
    ['an empty string', () => ''],
    ['a number', () => 42],
    ['a plain object (serialised as JSON)', () => ({ a: 1 })],
    ['an array', () => [1, 2]],
    ['a Buffer', () => Buffer.from('abc')],
    ['a Uint8Array', () => new Uint8Array([1, 2])],
    ['an ArrayBuffer', () => new ArrayBuffer(4)],
    ['a DataView', () => new DataView(new ArrayBuffer(4))],
    ['URLSearchParams', () => new URLSearchParams('a=1&b=2')],
    ['spec FormData', () => {
      const f = new FormData();
      f.append('a', '1');
      return f;
    }],
    ['a Blob', () => new Blob(['abc'])],
    ['an object with a non-function pipe field', () => ({ pipe: 'no' })],
  ])('%s can be sent again', (_name, make) => {
    expect(isReplayableBody(make())).toBe(true);
  });

  it.each<[string, () => unknown]>([
    ['a Node Readable', () => Readable.from(['a', 'b'])],
    ['a web ReadableStream', () => new ReadableStream({ start: (c) => c.close() })],
    ['an async generator', () => generate()],
    ['a custom async iterable', () => ({ [Symbol.asyncIterator]: () => generate() })],
    ['a pipe-able stream look-alike (form-data package)', () => ({ pipe: () => undefined })],
    ['a reader look-alike', () => ({ getReader: () => undefined })],
  ])('%s cannot', (_name, make) => {
    expect(isReplayableBody(make())).toBe(false);
  });
});

describe('isAbsoluteUrl', () => {
  it.each([
    ['http://a', true],
    ['HTTPS://a/b', true],
    ['//cdn.example/x', true],
    ['a+b.c-d://x', true],
    ['/path', false],
    ['path/x', false],
    ['', false],
    ['mailto:a@b', false],
    ['1http://x', false],
    ['http:/x', false],
  ])('%p -> %p', (url, expected) => {
    expect(isAbsoluteUrl(url)).toBe(expected);
  });
});

describe('originOf', () => {
  it.each<[string, string]>([
    ['http://example.com/x', 'http://example.com:80'],
    ['https://example.com', 'https://example.com:443'],
    ['ws://example.com/socket', 'ws://example.com:80'],
    ['wss://example.com', 'wss://example.com:443'],
    ['http://example.com:8080/x?y=1', 'http://example.com:8080'],
    ['https://example.com:443/', 'https://example.com:443'],
    ['http://example.com:80', 'http://example.com:80'],
    ['https://user:pw@Example.COM:8443/p', 'https://example.com:8443'],
    ['https://token@example.com/p', 'https://example.com:443'],
    ['https://u:p@ss@example.com/', 'https://example.com:443'],
    ['HTTPS://EXAMPLE.COM/PATH', 'https://example.com:443'],
    ['https://example.com?q=a@b', 'https://example.com:443'],
    ['https://example.com#frag', 'https://example.com:443'],
    ['https://example.com/users/a@b.com', 'https://example.com:443'],
    ['http://[::1]:8080/x', 'http://[::1]:8080'],
    ['http://[::1]/x', 'http://[::1]:80'],
    ['https://[2001:DB8::1]', 'https://[2001:db8::1]:443'],
    ['http://127.0.0.1:3000', 'http://127.0.0.1:3000'],
  ])('%s -> %s', (url, expected) => {
    expect(originOf(url)).toBe(expected);
  });

  it('gives the same key for an explicit default port', () => {
    expect(originOf('https://a.example/x')).toBe(originOf('https://a.example:443/y'));
    expect(originOf('http://a.example')).not.toBe(originOf('https://a.example'));
  });

  it("resolves protocol-relative URLs with http: in Node", () => {
    expect(originOf('//cdn.example/x')).toBe('http://cdn.example:80');
  });

  it.each(['/api/x', 'api/x', '', '?q=1'])('gives "" for the relative URL %p in Node', (url) => {
    expect(originOf(url)).toBe('');
  });

  it.each(['/proxy?to=http://other.example/x', '/a//b', 'files//x'])('gives "" for the relative URL %p containing "//"', (url) => {
    expect(originOf(url)).toBe('');
  });

  it("resolves relative URLs against the page's origin in browsers", () => {
    const location = { origin: 'https://App.example', protocol: 'https:' };
    withGlobal('location', location, () => {
      expect(originOf('/api/x')).toBe('https://app.example:443');
      expect(originOf('//cdn.example/x')).toBe('https://cdn.example:443');
      expect(originOf('http://other.example/')).toBe('http://other.example:80');
    });
    withGlobal('location', {}, () => {
      expect(originOf('/api/x')).toBe('');
      expect(originOf('//cdn.example')).toBe('http://cdn.example:80');
    });
  });
});

describe('newIdempotencyKey', () => {
  it('is a random UUID v4', () => {
    const keys = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const k = newIdempotencyKey();
      expect(k).toMatch(UUID_V4);
      keys.add(k);
    }
    expect(keys.size).toBe(200);
  });

  it('uses crypto.randomUUID when present', () => {
    const randomUUID = jest.fn(() => '11111111-2222-4333-8444-555555555555');
    expect(withGlobal('crypto', { randomUUID }, () => newIdempotencyKey())).toBe('11111111-2222-4333-8444-555555555555');
    expect(randomUUID).toHaveBeenCalledTimes(1);
  });

  it('builds a v4 UUID from getRandomValues without randomUUID', () => {
    const fill = (byte: number) => ({ getRandomValues: (a: Uint8Array) => a.fill(byte) });
    expect(withGlobal('crypto', fill(0xff), () => newIdempotencyKey())).toBe('ffffffff-ffff-4fff-bfff-ffffffffffff');
    expect(withGlobal('crypto', fill(0x00), () => newIdempotencyKey())).toBe('00000000-0000-4000-8000-000000000000');
    const counting = {
      getRandomValues: (a: Uint8Array) => {
        a.forEach((_, i) => (a[i] = i));
        return a;
      },
    };
    expect(withGlobal('crypto', counting, () => newIdempotencyKey())).toBe('00010203-0405-4607-8809-0a0b0c0d0e0f');
  });

  it('falls back to Math.random without crypto', () => {
    const random = jest.spyOn(Math, 'random').mockReturnValue(0.999);
    try {
      expect(withGlobal('crypto', undefined, () => newIdempotencyKey())).toBe('ffffffff-ffff-4fff-bfff-ffffffffffff');
      expect(random).toHaveBeenCalledTimes(16);
    } finally {
      random.mockRestore();
    }
    const keys = withGlobal('crypto', undefined, () => [newIdempotencyKey(), newIdempotencyKey()]);
    expect(keys[0]).toMatch(UUID_V4);
    expect(keys[1]).toMatch(UUID_V4);
    expect(keys[0]).not.toBe(keys[1]);
  });

  it('restores the real crypto after the stubs', () => {
    expect(typeof globalThis.crypto?.randomUUID).toBe('function');
  });
});
