import type { RulesetSnapshot } from '../store/index.js';

/**
 * The one mutable reference the request path reads. A request (or a whole batch) reads `current`
 * once and works on that immutable snapshot; `swap` replaces it in a single assignment, so no request
 * ever sees a mix of two versions.
 */
export class RulesetHolder {
  private snapshot: RulesetSnapshot;

  constructor(initial: RulesetSnapshot) {
    this.snapshot = initial;
  }

  get current(): RulesetSnapshot {
    return this.snapshot;
  }

  /** Installs `next` and returns the snapshot it replaced. */
  swap(next: RulesetSnapshot): RulesetSnapshot {
    const previous = this.snapshot;
    this.snapshot = next;
    return previous;
  }
}
