/**
 * What every benchmark server run in its own process shares: keep-alive
 * sockets held open for the whole run, no request timeout, port 0 on
 * 127.0.0.1 reported to the parent over IPC, and an exit when the parent goes.
 */
import type { Server } from 'node:http';

export function serveToParent(server: Server): void {
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 121_000;
  server.requestTimeout = 0;
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    if (address !== null && typeof address === 'object') process.send?.({ port: address.port });
  });
  process.on('disconnect', () => process.exit(0));
}
