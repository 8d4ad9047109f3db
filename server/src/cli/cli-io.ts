import type { Readable, Writable } from 'node:stream';
import type { DayNumber } from '@tplus/core';

/** Everything a command touches outside itself, passed in by the composition root (or a test). */
export interface CliIo {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** Today's date, for horizon warnings. */
  readonly today: DayNumber;
  /** The bundled rule pack, used when --rules is not given. */
  readonly defaultRulesDir: string;
  /** The package version, for `tplus --version`. */
  readonly version: string;
}

/** Writes and waits for the stream to drain when its buffer is full (back-pressure). */
export async function writeAll(stream: Writable, text: string): Promise<void> {
  if (!stream.write(text)) {
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error): void => {
        stream.off('drain', onDrain);
        stream.off('error', done);
        if (err) reject(err);
        else resolve();
      };
      const onDrain = (): void => done();
      stream.once('drain', onDrain);
      stream.once('error', done);
    });
  }
}
