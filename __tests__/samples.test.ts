/**
 * Every sample in samples/ runs as a user would run it (its own process, its
 * own fault server on 127.0.0.1), prints what it promises, and exits 0 by
 * itself, quickly. Run one after another: each spawns a process.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runTs } from './helpers/run-ts.js';
import type { Exit } from './helpers/run-ts.js';

const SAMPLES_DIR = join(ROOT, 'samples');
/** tsx startup plus a sample's own work (the slowest waits about 1.5 s). */
const EXIT_WITHIN_MS = 8_000;

function run(file: string, args: readonly string[] = [], killAfterMs = 15_000): Promise<Exit> {
  return runTs(file, args, killAfterMs);
}

/** Each sample and the lines (substrings or patterns) its output must contain, in order. */
const EXPECTED: Readonly<Record<string, readonly (string | RegExp)[]>> = {
  'first-call': [
    'attempt 1/4 GET /orders/42 (limit 1000 ms)',
    /^ {2}503: retrying in \d+ ms$/m,
    'attempt 3/4 GET /orders/42 (limit 1000 ms)',
    /^success: 200 after 3 attempts in \d+ ms$/m,
    'data: {"id":42,"path":"/orders/42"}',
    'server received 3 requests',
  ],
  basic: ['attempt 1/4 GET /orders/42', /^success: 200 after 3 attempts/m, 'data: {"id":42,"path":"/orders/42"}', 'server received 3 requests'],
  logging: [
    /\[warn\] retry GET \/stock\/socks after attempt 1: 503, waiting \d+ ms/,
    /\[warn\] retry GET \/stock\/socks after attempt 2: ECONNRESET, waiting \d+ ms/,
    '[info] GET /stock/socks -> 200 after 3 attempts',
    '[error] a listener of success threw: Error: a buggy listener',
    'stock: 12',
    '[error] gave up on GET /stock-missing: not-retryable after 1 attempt(s), status 404',
    'Authorization redacted',
    'server received 4 requests',
  ],
  'circuit-breaker': [
    'call 1: failed with 503 (breaker CLOSED)',
    /! circuit-open http:\/\/127\.0\.0\.1:\d+ after 3 failures/,
    'call 3: failed with 503 (breaker OPEN)',
    /call 4: refused locally \(ERR_CIRCUIT_OPEN\), trial in \d+ ms/,
    /call 5: refused locally/,
    '! circuit-half-open',
    '! circuit-close',
    'call 6: 200 (breaker CLOSED)',
    'call 7: 200 (breaker CLOSED)',
    '7 calls, server received 5 requests: 2 refused locally',
  ],
  'time-budgets': [
    /attempt 1 failed: ETIMEDOUT, retrying in 100 ms/,
    /200 \{"fresh":true\}/,
    /ERR_DEADLINE_EXCEEDED: gave up after \d attempts \(budget 1000 ms\)/,
    /x-deadline-ms the server saw on \/hang: \d+(, \d+)+$/m,
  ],
  'idempotent-post': [
    'POST without a key: 503, not retried (reason not-retryable)',
    'server received 1 request(s), Idempotency-Key: none',
    'POST with idempotencyKey: true: 201 after a connection reset',
    /server received 2 request\(s\), Idempotency-Key: ([0-9a-f-]{36}), \1$/m,
    "POST with resilience.idempotencyKey 'order-42': 201",
    'server received 2 request(s), Idempotency-Key: order-42, order-42',
  ],
  'per-request': [
    'retry: false -> failed at once: not-retryable after 1 attempt(s)',
    'retry: { maxAttempts: 5 } -> 200 after 4 attempts',
    /timeBudget: \{ totalMs: 200 \} -> deadline after 1 attempt\(s\) in \d+ ms/,
    'breaker open -> GET /health refused locally: CircuitOpenError',
    'circuitBreaker: false -> GET /health 200, breaker bypassed',
    'invalid option -> ConfigError: resilience.retry.maxAttempts must be an integer >= 1, got 0 (sent: 0)',
  ],
  'wrap-instance': [
    "attempt 1 GET /profile (limit 500 ms, from the instance's timeout)",
    "client.get('/profile') -> 200 Ada",
    "instance.get('/settings') -> 200 dark (the instance itself is resilient now)",
    'request interceptor ran per attempt: Bearer token-1, Bearer token-2, Bearer token-3, Bearer token-4',
    'response interceptor ran once per call: 2 times for 2 calls',
    'x-service header kept: true',
  ],
  prometheus: [
    /^metrics served on http:\/\/127\.0\.0\.1:\d+\/metrics$/m,
    'GET /orders/1 -> 200 after 3 attempts',
    'GET /orders/missing -> 404 (not-retryable)',
    'text/plain; version=0.0.4',
    'resilient_axios_calls_total{client="orders",method="GET",outcome="success",reason="none"} 1',
    'resilient_axios_calls_total{client="orders",method="GET",outcome="failure",reason="not-retryable"} 1',
    'resilient_axios_attempts_total{client="orders",outcome="response"} 4',
    'resilient_axios_retries_total{client="orders"} 2',
    /resilient_axios_circuit_state\{client="orders",key="http:\/\/127\.0\.0\.1:\d+"\} 0/,
    /resilient_axios_retry_budget_tokens\{client="orders"\} \d+/,
    'no process_ or nodejs_ metrics: true',
  ],
};

/** Asserts that `out` holds each expected line, in that order. */
function expectInOrder(out: string, expected: readonly (string | RegExp)[]): void {
  let from = 0;
  for (const e of expected) {
    const rest = out.slice(from);
    const at = typeof e === 'string' ? rest.indexOf(e) : rest.search(e);
    if (at === -1) throw new Error(`missing (in order) ${String(e)} in:\n${out}`);
    from += at + 1;
  }
}

test('every sample file has a test below (and the demo its own suite)', () => {
  const files = readdirSync(SAMPLES_DIR)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.slice(0, -3))
    .filter((f) => f !== 'run' && f !== 'demo' && f !== 'fleet'); // fleet needs redis-server: integration/fleet-sample.test.ts
  expect(files.sort()).toEqual(Object.keys(EXPECTED).sort());
});

describe.each(Object.keys(EXPECTED))('samples/%s.ts', (name) => {
  test('prints its key lines and exits 0 by itself', async () => {
    const exit = await run(join(SAMPLES_DIR, `${name}.ts`));
    expect({ code: exit.code, signal: exit.signal, stderr: exit.stderr }).toEqual({ code: 0, signal: null, stderr: '' });
    expectInOrder(exit.stdout, EXPECTED[name] ?? []);
    expect(exit.elapsedMs).toBeLessThan(EXIT_WITHIN_MS);
  });
});

test('npm run sample -- <unknown>: usage listing every sample on stderr, exit code 2', async () => {
  const exit = await run(join(SAMPLES_DIR, 'run.ts'), ['no-such-sample']);
  expect(exit.code).toBe(2);
  expect(exit.stdout).toBe('');
  expect(exit.stderr).toContain('Unknown sample: no-such-sample');
  expect(exit.stderr).toContain('Usage: npm run sample -- <name>');
  for (const name of [...Object.keys(EXPECTED), 'fleet']) expect(exit.stderr).toContain(`  ${name} `);
});
