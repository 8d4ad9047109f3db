import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'vitest';

it('leaves a temp directory behind', () => {
  mkdtempSync(join(tmpdir(), 'tplus-leak-demo-'));
});
