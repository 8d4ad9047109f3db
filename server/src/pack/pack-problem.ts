/** One thing wrong with a rule pack, located by file, line and YAML path. */
export interface PackProblem {
  readonly severity: 'error' | 'warning';
  readonly file: string;
  readonly line: number;
  readonly path: string;
  readonly message: string;
}

export function formatProblem(p: PackProblem): string {
  return `${p.file}:${p.line}: ${p.severity}: ${p.path ? `${p.path}: ` : ''}${p.message}`;
}
