/** Starts bench/server.ts in a child process and gives back its base URL. */
import { fork } from 'node:child_process';
import path from 'node:path';

export interface Loopback {
  readonly baseURL: string;
  stop(): Promise<void>;
}

export function startLoopback(): Promise<Loopback> {
  const child = fork(path.join(__dirname, 'server.ts'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`loopback server exited (${code})`)));
    child.once('message', (m) => {
      const port = (m as { port?: unknown }).port;
      if (typeof port !== 'number') return reject(new Error('loopback server sent no port'));
      resolve({
        baseURL: `http://127.0.0.1:${port}`,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill();
          }),
      });
    });
  });
}
