import { lstatSync, mkdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname } from 'node:path';

export class SocketInUseError extends Error {
  override readonly name = 'SocketInUseError';
  constructor(
    message: string,
    /** True when a live process answers on it; false when the path is something other than a socket. */
    readonly live: boolean,
  ) {
    super(message);
  }
}

/** Does something accept connections on the Unix socket at `path`? */
function answers(path: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(path);
    const done = (live: boolean): void => {
      probe.destroy();
      resolve(live);
    };
    probe.setTimeout(timeoutMs, () => done(true));
    probe.once('connect', () => done(true));
    probe.once('error', () => done(false));
  });
}

/**
 * Makes `path` free for a new Unix socket: creates its directory, and removes a socket file left by a
 * crashed process. Refuses (SocketInUseError) when a live process answers on it, or when the path is
 * something other than a socket. Resolves true when a stale socket was removed.
 */
export async function claimSocketPath(path: string, timeoutMs = 1_000): Promise<boolean> {
  mkdirSync(dirname(path), { recursive: true });
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  if (!isSocket) throw new SocketInUseError(`socket ${path} exists and is not a socket; refusing to replace it`, false);
  if (await answers(path, timeoutMs)) throw new SocketInUseError(`socket ${path} is in use by another running process`, true);
  rmSync(path, { force: true });
  return true;
}

/** Removes the socket file at `path` if (and only if) it is a socket. */
export function removeSocketFile(path: string): void {
  try {
    if (lstatSync(path).isSocket()) rmSync(path, { force: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
