/** A test-only fault (`--drill-candidate-fault`, needs --allow-drills): none, corrupt what arrives, or build it skewed. */
export type CandidateFault = 'none' | 'corrupt' | 'skew';

/** Who a following sidecar is in the fleet (`--sidecar-id`, `--labels`) and how often it reports. */
export interface RolloutIdentity {
  readonly sidecarId: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly reportMs: number;
  readonly fault: CandidateFault;
}

const KEY = /^[A-Za-z][A-Za-z0-9_.-]{0,62}$/;
const VALUE = /^[A-Za-z0-9_.:-]{0,63}$/;

/** `site=ny,role=canary` → { site: 'ny', role: 'canary' }; throws naming the bad pair. At most 32 labels. */
export function parseLabels(text: string): Readonly<Record<string, string>> {
  const out: Record<string, string> = {};
  const pairs = text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (pairs.length > 32) throw new Error(`at most 32 labels, got ${pairs.length}`);
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    const value = eq < 0 ? '' : pair.slice(eq + 1);
    if (eq < 0 || !KEY.test(key) || !VALUE.test(value))
      throw new Error(`${JSON.stringify(pair)} is not KEY=VALUE (letters, digits, _ . - :)`);
    if (key in out) throw new Error(`label ${key} given twice`);
    out[key] = value;
  }
  return Object.freeze(out);
}
