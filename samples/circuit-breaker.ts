/**
 * Circuit breaker: after 3 failures in a row the breaker opens and calls are
 * refused locally (nothing sent); after `openMs` one trial call goes through,
 * and its success closes the breaker.
 *
 * Run: npm run sample -- circuit-breaker
 */
import { ResilientClient, isCircuitOpenError } from '../lib/index.js';
import { fault, startFaultServer } from './support/fault-server.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  // The ledger is down for its first 3 requests, then healthy again.
  const server = await startFaultServer({
    routes: {
      '/ledger/*': fault.phases(
        [
          { name: 'outage', for: 3, fault: fault.status(503) },
          { name: 'recovered', fault: fault.ok({ balance: 100 }) },
        ],
        'requests',
      ),
    },
  });
  try {

    const client = new ResilientClient({
      baseURL: server.url,
      retry: false, // one attempt per call, to see the breaker alone
      circuitBreaker: { trip: { type: 'consecutive', failures: 3 }, openMs: 300 },
    });
    client.on('circuit-open', (e) => console.log(`  ! circuit-open ${e.key} after ${e.failures} failures`));
    client.on('circuit-half-open', () => console.log('  ! circuit-half-open: one trial call may go through'));
    client.on('circuit-close', () => console.log('  ! circuit-close'));

    let calls = 0;
    const call = async (): Promise<void> => {
      calls++;
      try {
        const res = await client.get('/ledger/balance');
        console.log(`call ${calls}: ${res.status} (breaker ${client.circuit()?.state})`);
      } catch (err) {
        if (isCircuitOpenError(err)) console.log(`call ${calls}: refused locally (${err.code}), trial in ${Math.round(err.remainingMs)} ms`);
        else console.log(`call ${calls}: failed with ${(err as { response?: { status: number } }).response?.status} (breaker ${client.circuit()?.state})`);
      }
    };

    for (let i = 0; i < 5; i++) await call();
    console.log('waiting 350 ms (openMs is 300)...');
    await sleep(350);
    await call();
    await call();
    console.log(`${calls} calls, server received ${server.count()} requests: ${calls - server.count()} refused locally`);
  } finally {
    await server.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
