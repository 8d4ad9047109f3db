import type { RawSetting } from './config-fields.js';

/** What one command line (and the environment) said, flag over environment variable over default. */
export class ParsedArgs {
  readonly #settings: ReadonlyMap<string, RawSetting>;
  readonly positionals: readonly string[];

  constructor(settings: ReadonlyMap<string, RawSetting>, positionals: readonly string[]) {
    this.#settings = settings;
    this.positionals = positionals;
  }

  /** The raw text and where it came from (`--listen`, `TPLUS_LISTEN` or `default`), for messages. */
  setting(name: string): RawSetting | undefined {
    return this.#settings.get(name);
  }

  /** The value of a string flag, or undefined when neither it, its variable nor a default gives one. */
  get(name: string): string | undefined {
    return this.#settings.get(name)?.text;
  }

  /** A boolean flag: true when given (or its variable says true). */
  on(name: string): boolean {
    return this.#settings.get(name)?.text === 'true';
  }

  /** Whether the flag itself is on the command line (not its variable, not a default). */
  onArgv(name: string): boolean {
    return this.#settings.get(name)?.origin.startsWith('--') === true;
  }
}
