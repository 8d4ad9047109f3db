/** Where the operator reads how to run a second instance next to a first one (every flag that must differ). */
export const SECOND_INSTANCE_DOC = 'docs/sidecar.md#running-a-second-instance';

/**
 * An expected start failure (an address or socket in use, a data dir held by another instance or not
 * writable): printed as one plain line naming the flag, its value and what to change, before the JSON
 * log, and never with a stack trace. Exit code 1, like every other start failure.
 */
export class StartFailure extends Error {
  override readonly name = 'StartFailure';
  constructor(
    readonly flag: string,
    readonly value: string,
    readonly problem: string,
    readonly remedy: string,
  ) {
    super(`${flag} ${value} ${problem}; ${remedy}, or see ${SECOND_INSTANCE_DOC}`);
  }
}

/** The failure of a TCP listener named by `flag` that could not be bound. */
export function listenFailure(flag: string, address: string, err: unknown): StartFailure {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const text = err instanceof Error ? err.message : String(err);
  if (code === 'EADDRINUSE' || text.includes('EADDRINUSE'))
    return new StartFailure(flag, address, 'is already in use (another tplus?)', `pass ${flag} HOST:PORT`);
  return new StartFailure(flag, address, `cannot be listened on (${code ?? text})`, `pass ${flag} HOST:PORT with a local address`);
}

/** Binds a listener named by `flag`; a failure to bind becomes a StartFailure naming the flag and the address. */
export async function bindNamed<T>(flag: string, address: string, bind: () => Promise<T>): Promise<T> {
  try {
    return await bind();
  } catch (err) {
    throw listenFailure(flag, address, err);
  }
}
