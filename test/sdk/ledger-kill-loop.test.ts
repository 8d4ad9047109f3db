import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JsonlFileLedger } from '../../client-sdk/src/index.js';
import { seededRandom } from '../support/seeded-random.js';

const APPENDER = resolve(import.meta.dirname, 'ledger-appender.mjs');
const ITERATIONS = 50;
const TOTAL_MS = 120_000;
const MIB = 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'tplus-ledger-kill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Mostly small entries, one in ten up to 1 MiB; groups of 1 to 4 per flush (the child goes round it). */
function plan(random: () => number): number[][] {
  return Array.from({ length: 40 }, () =>
    Array.from({ length: 1 + Math.floor(random() * 4) }, () =>
      random() < 0.1 ? Math.floor(random() * MIB) : 50 + Math.floor(random() * 2_000),
    ),
  );
}

interface Run {
  readonly flushed: string[];
  readonly killedAlive: boolean;
}

/** Starts the appender, kills it with SIGKILL `delayMs` after it says ready, returns the ids it printed as flushed. */
function appendThenKill(path: string, prefix: string, groups: number[][], delayMs: number, deadline: number): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [APPENDER, path, prefix, JSON.stringify(groups)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let killer: NodeJS.Timeout | undefined;
    const guard = setTimeout(() => child.kill('SIGKILL'), Math.max(1, deadline - Date.now()));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (!out.includes('ready') && (out + chunk).includes('ready')) killer = setTimeout(() => child.kill('SIGKILL'), delayMs);
      out += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.on('error', fail);
    child.on('exit', (code, signal) => {
      clearTimeout(killer);
      clearTimeout(guard);
      if (signal !== 'SIGKILL' && code !== 0) return fail(new Error(`appender exited ${code}: ${err}`));
      // Only complete lines count: a line cut by the kill was never fully printed.
      const lines = out.split('\n').slice(0, -1);
      done({
        flushed: lines.filter((l) => l.startsWith('flushed ')).flatMap((l) => l.slice(8).split(' ')),
        killedAlive: signal === 'SIGKILL',
      });
    });
  });
}

describe('JsonlFileLedger under kill -9', () => {
  it(
    'always reopens, and every id a killed writer printed as flushed is read back (50 kills, entries up to 1 MiB)',
    async () => {
      const seed = Number(process.env['TPLUS_SEED'] ?? Date.now() % 1_000_000);
      const random = seededRandom(seed);
      const started = Date.now();
      let torn = 0;
      let flushedTotal = 0;
      let kills = 0;
      let path = '';
      let flushed = new Set<string>();
      for (let i = 0; i < ITERATIONS; i++) {
        expect(Date.now() - started, `seed ${seed}: gave up after ${i} iterations`).toBeLessThan(TOTAL_MS);
        if (i % 10 === 0) {
          path = join(dir, `ledger-${i}.jsonl`); // a fresh file every 10 kills keeps reopening quick
          flushed = new Set();
        }
        const run = await appendThenKill(path, `i${i}`, plan(random), Math.floor(random() * 300), started + TOTAL_MS);
        if (run.killedAlive) kills++;
        for (const id of run.flushed) flushed.add(id);
        flushedTotal += run.flushed.length;
        // Every other time the parent opens a copy, so the next child is the one that finds the torn tail.
        const check = i % 2 === 0 ? `${path}.check` : path;
        if (check !== path) {
          rmSync(check, { force: true });
          if (existsSync(path)) copyFileSync(path, check);
        }
        const ledger = new JsonlFileLedger(check);
        if (ledger.tornTail) torn++;
        const have = new Set(ledger.all().map((e) => e.id));
        const missing = [...flushed].filter((id) => !have.has(id));
        expect(missing, `seed ${seed}, iteration ${i}: flushed ids not read back`).toEqual([]);
        await ledger.close();
      }
      console.log(
        `ledger kill loop: seed ${seed}, ${kills} kills, ${flushedTotal} flushed ids read back, ${torn} torn tails cut, ${Date.now() - started} ms`,
      );
      expect(kills).toBeGreaterThan(ITERATIONS / 2); // most runs really died mid-way
      expect(flushedTotal).toBeGreaterThan(0);
    },
    TOTAL_MS + 30_000,
  );
});
