/**
 * A mistake in how the command was called: exit code 2. `usage` is the usage text of the command it
 * was called as, printed after the message (the top-level usage when the command is not known).
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly usage: string | undefined;

  constructor(message: string, usage?: string) {
    super(message);
    this.usage = usage;
  }
}
