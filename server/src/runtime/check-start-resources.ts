import { createServer } from 'node:net';
import type { ListenAddress } from './listen-address.js';
import { formatAddress } from './listen-address.js';
import { claimSocketPath, SocketInUseError } from './socket-file.js';
import { listenFailure, StartFailure } from './start-failure.js';

/** Binds `address` for an instant (nothing else may share it), then lets it go; port 0 needs no check. */
async function tcpFree(flag: string, address: ListenAddress): Promise<void> {
  if (address.port === 0) return;
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (err) => reject(listenFailure(flag, formatAddress(address), err)));
    probe.listen({ host: address.host, port: address.port, exclusive: true }, () => probe.close(() => resolve()));
  });
}

/** What a server is about to listen on, each with the flag that named it. */
export interface StartResources {
  readonly tcp: readonly { readonly flag: string; readonly address: ListenAddress | null }[];
  readonly socket: { readonly flag: string; readonly path: string | null };
}

/**
 * Checks, before anything is logged, that every listener can be had: TCP addresses free, the socket
 * path not answered by a live process (a stale one is removed: resolves true). A StartFailure names
 * the first that cannot. The listeners are bound later; losing a race in between still fails with a
 * StartFailure, only after some JSON log lines.
 */
export async function checkStartResources(r: StartResources): Promise<boolean> {
  for (const t of r.tcp) if (t.address) await tcpFree(t.flag, t.address);
  if (r.socket.path === null) return false;
  try {
    return await claimSocketPath(r.socket.path);
  } catch (err) {
    if (!(err instanceof SocketInUseError)) throw err;
    throw new StartFailure(
      r.socket.flag,
      r.socket.path,
      err.live ? 'is in use by a running process (another tplus?)' : 'exists and is not a socket',
      `pass ${r.socket.flag} PATH`,
    );
  }
}
