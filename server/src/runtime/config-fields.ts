import { ConfigError } from './config-error.js';
import type { ListenAddress } from './listen-address.js';

/** Where a setting's raw text came from, for messages: `--listen` or `TPLUS_LISTEN`. */
export interface RawSetting {
  readonly field: string;
  readonly origin: string;
  readonly text: string;
}

/** Linux sun_path holds 108 bytes including the terminating NUL. */
export const MAX_SOCKET_PATH_BYTES = 107;

const OFF = new Set(['off', 'none', 'disabled']);

export function isOff(text: string): boolean {
  return OFF.has(text.trim().toLowerCase());
}

export function invalid(s: RawSetting, why: string): ConfigError {
  return new ConfigError(s.field, `invalid ${s.field}: ${s.origin}=${JSON.stringify(s.text)}: ${why}`);
}

/** `host:port`, `[v6]:port`; port 0 picks a free port. */
export function parseListen(s: RawSetting): ListenAddress {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(s.text.trim());
  const host = m?.[1] ?? m?.[2];
  const port = Number(m?.[3]);
  if (!m || host === undefined || !Number.isInteger(port) || port > 65_535) {
    throw invalid(s, 'expected HOST:PORT (e.g. 127.0.0.1:50051, [::1]:50051), or "off"');
  }
  return { host, port };
}

export function parseInteger(s: RawSetting, min: number, max: number): number {
  const text = s.text.trim().replace(/_/g, '');
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw invalid(s, `expected an integer from ${min} to ${max}`);
  return n;
}

export function parseSocketPath(s: RawSetting, absolute: string): string {
  if (s.text.trim() === '') throw invalid(s, 'expected a file path, or "off"');
  if (Buffer.byteLength(absolute) > MAX_SOCKET_PATH_BYTES) {
    throw invalid(
      s,
      `the absolute path ${absolute} is ${Buffer.byteLength(absolute)} bytes; Unix socket paths are limited to ${MAX_SOCKET_PATH_BYTES}`,
    );
  }
  return absolute;
}

export function parsePath(s: RawSetting): string {
  if (s.text.trim() === '') throw invalid(s, 'expected a directory path');
  return s.text;
}
