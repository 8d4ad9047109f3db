/**
 * Issue 18 item 7 (temp directories): the registry compiles an upload in its own data directory
 * (upload-scratch/), never in the system temp directory, so a registry killed mid-publish leaves nothing
 * there (test/registry/kill-during-publish.test.ts left tplus-registry-pack-* behind); the next start
 * empties upload-scratch/.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearUploadScratch, compileUpload } from '../../server/src/registry/server/publish-pack.js';
import { packFiles } from '../../server/src/registry/pack-files.js';
import { tempDir } from '../integration/sidecar-harness.js';
import { RULES_DIR, TODAY } from '../support/bundled.js';

let data: ReturnType<typeof tempDir>;
beforeEach(() => {
  data = tempDir('tplus-scratch-');
});
afterEach(() => data.remove());

const packDirsInTmp = (): string[] => readdirSync(tmpdir()).filter((n) => n.startsWith('tplus-registry-pack-'));

describe('upload scratch directory', () => {
  it('a start empties what a killed registry left, and keeps the folder', () => {
    const stale = join(data.path, 'upload-scratch', 'pack-AbC123');
    mkdirSync(stale, { recursive: true });
    writeFileSync(join(stale, 'us.yaml'), 'rules: []\n');
    const scratch = clearUploadScratch(data.path);
    expect(scratch).toBe(join(data.path, 'upload-scratch'));
    expect(readdirSync(scratch)).toEqual([]);
  });

  it('an upload is compiled under the scratch folder and removed, nothing in the system temp directory', () => {
    const scratch = clearUploadScratch(data.path);
    const before = packDirsInTmp();
    const files = packFiles(RULES_DIR).map((f) => ({ path: f.path, content: Buffer.from(f.content) }));
    const compiled = compileUpload(files, TODAY, scratch);
    expect(compiled.canonical.length).toBeGreaterThan(0);
    expect(readdirSync(scratch)).toEqual([]);
    expect(packDirsInTmp()).toEqual(before);
    expect(existsSync(scratch)).toBe(true);
  });
});
