import Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import { RegistryError } from './registry-error.js';

/** Where a candidate is: stored (`candidate`), activating on its selection (`rolling`), stopped by a NACK (`halted`), or closed. */
export type RolloutStage = 'candidate' | 'rolling' | 'halted' | 'promoted' | 'aborted';

export interface CandidateRow {
  readonly version: number;
  readonly stage: RolloutStage;
  readonly expectChanges: readonly string[];
  readonly selector: Readonly<Record<string, string>>;
  readonly percent: number;
  readonly nacks: number;
  readonly lastNack: string;
  readonly updatedAt: string;
}

/**
 * Rollout state lives in the registry database, in a table of its own, created here (idempotent) so
 * the versions schema is untouched. A version with a row here is a candidate: live only once promoted.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS rollout_candidates (
  version        INTEGER PRIMARY KEY CHECK (version > 0),
  stage          TEXT    NOT NULL CHECK (stage IN ('candidate', 'rolling', 'halted', 'promoted', 'aborted')),
  expect_changes TEXT    NOT NULL,
  selector       TEXT    NOT NULL DEFAULT '{}',
  percent        INTEGER NOT NULL DEFAULT 0,
  nacks          INTEGER NOT NULL DEFAULT 0,
  last_nack      TEXT    NOT NULL DEFAULT '',
  updated_at     TEXT    NOT NULL
) STRICT;
CREATE TRIGGER IF NOT EXISTS rollout_closed_is_final BEFORE UPDATE OF stage ON rollout_candidates
  WHEN OLD.stage IN ('promoted', 'aborted')
  BEGIN SELECT RAISE(ABORT, 'a promoted or aborted candidate cannot change stage'); END;
`;

interface Row {
  version: number;
  stage: RolloutStage;
  expect_changes: string;
  selector: string;
  percent: number;
  nacks: number;
  last_nack: string;
  updated_at: string;
}

const toRow = (r: Row): CandidateRow => ({
  version: r.version,
  stage: r.stage,
  expectChanges: JSON.parse(r.expect_changes) as string[],
  selector: JSON.parse(r.selector) as Record<string, string>,
  percent: r.percent,
  nacks: r.nacks,
  lastNack: r.last_nack,
  updatedAt: r.updated_at,
});

/** The candidates table: one row per candidate version. Never read on a follower's request path. */
export class RolloutStore {
  private readonly selectOne: Statement<[number], Row>;
  private readonly selectOpen: Statement<[], Row>;

  constructor(
    private readonly db: Database.Database,
    private readonly now: () => Date,
  ) {
    db.exec(SCHEMA);
    this.selectOne = db.prepare<[number], Row>('SELECT * FROM rollout_candidates WHERE version = ?');
    this.selectOpen = db.prepare<[], Row>(
      "SELECT * FROM rollout_candidates WHERE stage IN ('candidate', 'rolling', 'halted') ORDER BY version DESC LIMIT 1",
    );
  }

  /** A store in memory (a registry whose versions are not in SQLite): nothing survives a restart. */
  static inMemory(now: () => Date): RolloutStore {
    return new RolloutStore(new Database(':memory:'), now);
  }

  get(version: number): CandidateRow | null {
    const r = this.selectOne.get(version);
    return r ? toRow(r) : null;
  }

  /** The open candidate (not promoted or aborted), if any. */
  open(): CandidateRow | null {
    const r = this.selectOpen.get();
    return r ? toRow(r) : null;
  }

  /** Throws CANDIDATE_OPEN while a candidate is open: no other version may be appended meanwhile. */
  refuseWhileOpen(): void {
    const open = this.open();
    if (open !== null)
      throw new RegistryError('CANDIDATE_OPEN', `candidate version ${open.version} is open: promote or abort it first`, {
        version: String(open.version),
      });
  }

  /** True for a version that is not live: an open or aborted candidate. */
  hidden(version: number): boolean {
    const stage = this.get(version)?.stage;
    return stage !== undefined && stage !== 'promoted';
  }

  /** Records a new candidate (inside the transaction that appends its version). */
  insert(version: number, expectChanges: readonly string[]): void {
    this.db
      .prepare('INSERT INTO rollout_candidates (version, stage, expect_changes, updated_at) VALUES (?, ?, ?, ?)')
      .run(version, 'candidate', JSON.stringify(expectChanges), this.now().toISOString());
  }

  setStage(version: number, stage: RolloutStage, selection?: { selector: Record<string, string>; percent: number }): CandidateRow {
    const at = this.now().toISOString();
    if (selection)
      this.db
        .prepare('UPDATE rollout_candidates SET stage = ?, selector = ?, percent = ?, updated_at = ? WHERE version = ?')
        .run(stage, JSON.stringify(selection.selector), selection.percent, at, version);
    else this.db.prepare('UPDATE rollout_candidates SET stage = ?, updated_at = ? WHERE version = ?').run(stage, at, version);
    return this.get(version) as CandidateRow;
  }

  /** Counts a NACK (kept, so a restarted registry still refuses to promote). */
  recordNack(version: number, text: string): CandidateRow | null {
    this.db
      .prepare('UPDATE rollout_candidates SET nacks = nacks + 1, last_nack = ?, updated_at = ? WHERE version = ?')
      .run(text, this.now().toISOString(), version);
    return this.get(version);
  }
}
