import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { InMemoryLedger, type ProvisionalEntry, type Resolution } from './provisional-ledger.js';

type Line = { readonly type: 'provisional'; readonly entry: ProvisionalEntry } | { readonly type: 'resolved'; readonly id: string; readonly resolution: Resolution };

/**
 * An append-only JSON Lines ledger: each fallback and each reconciliation is one line, never rewritten.
 * On open, the file is replayed, so entries survive a restart of the trading process.
 */
export class JsonlFileLedger extends InMemoryLedger {
  constructor(readonly path: string) {
    super();
    if (!existsSync(path)) return;
    const text = readFileSync(path, 'utf8');
    let lineNo = 0;
    for (const raw of text.split('\n')) {
      lineNo++;
      if (raw.trim() === '') continue;
      let line: Line;
      try {
        line = JSON.parse(raw) as Line;
      } catch {
        // A torn last line (crash mid-append) is skipped; anything else is a corrupt ledger.
        if (lineNo >= text.split('\n').length - 1) continue;
        throw new Error(`${path}:${lineNo}: not a JSON line`);
      }
      if (line.type === 'provisional') super.record(line.entry);
      else super.resolve(line.id, line.resolution);
    }
  }

  override record(entry: ProvisionalEntry): void {
    if (this.entries.has(entry.id)) return;
    appendFileSync(this.path, `${JSON.stringify({ type: 'provisional', entry } satisfies Line)}\n`);
    super.record(entry);
  }

  override resolve(id: string, resolution: Resolution): void {
    if (this.entries.get(id)?.status !== 'open') return;
    appendFileSync(this.path, `${JSON.stringify({ type: 'resolved', id, resolution } satisfies Line)}\n`);
    super.resolve(id, resolution);
  }
}
