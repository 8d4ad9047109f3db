import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from './sidecar-process.js';

const run = promisify(execFile);

/**
 * A child (natives syntax on, compile jobs on the main thread so the result is deterministic) that makes one
 * function hot while the optimizers are held and again after release, and reports whether V8 optimized it.
 * Bit 1 << 4 of %GetOptimizationStatus is "optimized".
 */
const CHILD = `
import { holdOptimizingCompilers } from ${JSON.stringify(join(ROOT, 'server/dist/runtime/index.js'))};
const hot = (x) => { let s = 0; for (let i = 0; i < 1000; i++) s += (i * x + 7) % 1009; return s; };
const warm = () => { for (let k = 0; k < 2000; k++) hot(k); };
const optimized = () => (eval('%GetOptimizationStatus(hot)') & (1 << 4)) !== 0;
const release = holdOptimizingCompilers();
warm();
const whileHeld = optimized();
release();
warm();
console.log(JSON.stringify({ whileHeld, afterRelease: optimized() }));
`;

async function child(flags: string[]): Promise<{ whileHeld: boolean; afterRelease: boolean }> {
  const args = ['--allow-natives-syntax', '--no-concurrent-recompilation', ...flags, '--input-type=module', '-e', CHILD];
  const { stdout } = await run(process.execPath, args, { timeout: 30_000 });
  return JSON.parse(stdout) as { whileHeld: boolean; afterRelease: boolean };
}

describe('holding the optimizing compilers during start-up', () => {
  it('a function made hot while held stays unoptimized, and is optimized once released', async () => {
    expect(await child([])).toEqual({ whileHeld: false, afterRelease: true });
  });

  it('leaves a process alone whose operator chose the compiler flags', async () => {
    // With --turbofan given explicitly the hold does nothing: the hot function is optimized at once.
    expect(await child(['--turbofan'])).toEqual({ whileHeld: true, afterRelease: true });
    // With --no-turbofan given, release must not switch TurboFan on.
    expect(await child(['--no-turbofan'])).toEqual({ whileHeld: false, afterRelease: false });
  });
});
