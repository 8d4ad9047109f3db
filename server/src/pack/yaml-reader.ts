import { isMap, isScalar, isSeq, type LineCounter, type Node, type YAMLMap } from 'yaml';
import type { PackProblem } from './pack-problem.js';

/**
 * Reads typed fields out of a parsed YAML mapping, recording every problem with its file, line and path
 * instead of stopping at the first, so that `rules validate` can list all of them at once.
 */
export class YamlReader {
  constructor(
    readonly file: string,
    private readonly lines: LineCounter,
    readonly problems: PackProblem[],
  ) {}

  lineOf(node: Node | null | undefined): number {
    const offset = node?.range?.[0];
    return offset === undefined ? 1 : this.lines.linePos(offset).line;
  }

  error(node: Node | null | undefined, path: string, message: string): void {
    this.problems.push({ severity: 'error', file: this.file, line: this.lineOf(node), path, message });
  }

  warn(node: Node | null | undefined, path: string, message: string): void {
    this.problems.push({ severity: 'warning', file: this.file, line: this.lineOf(node), path, message });
  }

  /** The mapping at `node`, checking that only `allowed` keys occur; null (with a problem) otherwise. */
  map(node: unknown, path: string, allowed: readonly string[]): YAMLMap | null {
    if (!isMap(node)) {
      this.error(node as Node | null, path, 'expected a mapping');
      return null;
    }
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      if (!allowed.includes(key)) {
        this.error(pair.key as Node, `${path}.${key}`, `unknown field "${key}" (allowed: ${allowed.join(', ')})`);
      }
    }
    return node;
  }

  node(map: YAMLMap, key: string): Node | null {
    const value = map.get(key, true) as unknown;
    return value === undefined ? null : (value as Node);
  }

  has(map: YAMLMap, key: string): boolean {
    return map.has(key);
  }

  string(map: YAMLMap, key: string, path: string, required = true): string | null {
    const node = this.node(map, key);
    if (node === null) {
      if (required) this.error(map, `${path}.${key}`, 'required field is missing');
      return null;
    }
    if (!isScalar(node) || typeof node.value !== 'string' || node.value.trim() === '') {
      this.error(node, `${path}.${key}`, 'expected a non-empty string');
      return null;
    }
    return node.value;
  }

  integer(map: YAMLMap, key: string, path: string, min: number, max: number, required = true): number | null {
    const node = this.node(map, key);
    if (node === null) {
      if (required) this.error(map, `${path}.${key}`, 'required field is missing');
      return null;
    }
    if (!isScalar(node) || typeof node.value !== 'number' || !Number.isInteger(node.value)) {
      this.error(node, `${path}.${key}`, 'expected an integer');
      return null;
    }
    if (node.value < min || node.value > max) {
      this.error(node, `${path}.${key}`, `${node.value} is outside ${min}..${max}`);
      return null;
    }
    return node.value;
  }

  boolean(map: YAMLMap, key: string, path: string, fallback: boolean | null): boolean | null {
    const node = this.node(map, key);
    if (node === null) {
      if (fallback === null) this.error(map, `${path}.${key}`, 'required field is missing (true or false)');
      return fallback;
    }
    if (!isScalar(node) || typeof node.value !== 'boolean') {
      this.error(node, `${path}.${key}`, 'expected true or false');
      return fallback;
    }
    return node.value;
  }

  /** Sequence items with their paths; an absent key gives [] (with a problem when required). */
  seq(map: YAMLMap, key: string, path: string, required = false): { node: unknown; path: string }[] {
    const node = this.node(map, key);
    if (node === null) {
      if (required) this.error(map, `${path}.${key}`, 'required field is missing');
      return [];
    }
    if (!isSeq(node)) {
      this.error(node, `${path}.${key}`, 'expected a list');
      return [];
    }
    return node.items.map((item, i) => ({ node: item, path: `${path}.${key}[${i}]` }));
  }

  scalarString(node: unknown, path: string): string | null {
    if (!isScalar(node) || typeof node.value !== 'string') {
      this.error(node as Node | null, path, 'expected a string');
      return null;
    }
    return node.value;
  }

  scalarInteger(node: unknown, path: string): number | null {
    if (!isScalar(node) || typeof node.value !== 'number' || !Number.isInteger(node.value)) {
      this.error(node as Node | null, path, 'expected an integer');
      return null;
    }
    return node.value;
  }
}
