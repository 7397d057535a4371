/** Bench servers in child processes: each reports its port once listening, and stops when killed. */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface Loopback {
  readonly baseURL: string;
  stop(): Promise<void>;
}

/** A forked server: its base URL, the child (for more messages) and a stop that waits for its exit. */
export interface ForkedServer extends Loopback {
  readonly child: ChildProcess;
}

/** Forks `file` (a bench server) and resolves once it sent `{ port }`; rejects if it fails or exits first. */
export function forkServer(file: string): Promise<ForkedServer> {
  const child = fork(file, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const name = path.basename(file);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${name} exited (${code})`)));
    child.once('message', (m) => {
      const port = (m as { port?: unknown }).port;
      if (typeof port !== 'number') return reject(new Error(`${name} sent no port`));
      resolve({
        child,
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

/** bench/server.ts (answers at once, keep-alive) in a child process. */
export function startLoopback(): Promise<Loopback> {
  return forkServer(path.join(__dirname, 'server.ts'));
}
