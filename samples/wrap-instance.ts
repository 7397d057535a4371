/**
 * Wrapping an existing axios instance: its interceptors keep working (request
 * interceptors run once per attempt, response interceptors once per call), and
 * calls made through the instance itself become resilient too.
 *
 * Run: npm run sample -- wrap-instance
 */
import axios from 'axios';
import { ResilientClient } from '../lib/index.js';
import { fault, startFaultServer } from './support/fault-server.js';

async function main(): Promise<void> {
  const server = await startFaultServer({
    routes: {
      '/profile': fault.script([fault.status(503), fault.ok({ name: 'Ada' })]),
      '/settings': fault.script([fault.reset(), fault.ok({ theme: 'dark' })]),
    },
  });
  try {

    // An instance the application already had, with its own interceptors and timeout.
    const instance = axios.create({ baseURL: server.url, timeout: 500, headers: { 'x-service': 'checkout' } });
    let tokens = 0;
    instance.interceptors.request.use((config) => {
      config.headers.set('authorization', `Bearer token-${++tokens}`); // e.g. a refreshed token
      return config;
    });
    let responses = 0;
    instance.interceptors.response.use((res) => {
      responses++;
      return res;
    });

    const client = new ResilientClient({ axios: instance, retry: { maxAttempts: 3, backoff: { baseMs: 20 } } });
    client.on('attempt', (e) => console.log(`  attempt ${e.attempt} ${e.method} ${e.url} (limit ${e.timeoutMs} ms, from the instance's timeout)`));
    client.on('retry', (e) => console.log(`  ${e.status ?? e.code}: retrying`));

    const profile = await client.get<{ name: string }>('/profile');
    console.log(`client.get('/profile') -> ${profile.status} ${profile.data.name}`);
    const settings = await instance.get<{ theme: string }>('/settings');
    console.log(`instance.get('/settings') -> ${settings.status} ${settings.data.theme} (the instance itself is resilient now)`);

    const auth = server.requests.map((r) => r.headers.authorization).join(', ');
    console.log(`request interceptor ran per attempt: ${auth}`);
    console.log(`response interceptor ran once per call: ${responses} times for 2 calls`);
    console.log(`x-service header kept: ${server.requests.every((r) => r.headers['x-service'] === 'checkout')}`);
  } finally {
    await server.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
