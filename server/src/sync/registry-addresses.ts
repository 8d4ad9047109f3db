import { invalid, parseListen, type RawSetting } from '../runtime/index.js';

/** The addresses of a `--registry` / `--upstream` value: one, or several comma-separated replicas. */
export function registryAddresses(text: string): string[] {
  return text
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');
}

/**
 * Validates a `--registry` (or `--upstream`) setting: each comma-separated address is `host:port` or
 * `unix:/path`; a bad one is named with where it came from. Returns the addresses joined by commas.
 */
export function parseRegistryAddresses(s: RawSetting): string {
  const list = registryAddresses(s.text);
  if (list.length === 0) throw invalid(s, 'expected HOST:PORT or unix:/path (or several, comma-separated)');
  for (const a of list) {
    if (a.startsWith('unix:')) {
      if (a.replace(/^unix:(\/\/)?/, '') === '') throw invalid(s, `${JSON.stringify(a)}: expected unix:/path`);
    } else parseListen({ ...s, text: a });
  }
  return list.join(',');
}
