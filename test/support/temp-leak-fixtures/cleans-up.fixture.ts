import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'vitest';

it('removes what it creates', () => {
  rmSync(mkdtempSync(join(tmpdir(), 'tplus-clean-demo-')), { recursive: true });
  mkdtempSync(join(tmpdir(), 'not-ours-'));
});
