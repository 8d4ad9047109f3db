/** Invalid configuration; `field` names the setting (e.g. `listen`), the message says where it came from. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly field: string;

  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}
