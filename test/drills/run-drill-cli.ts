/** Runs `tplus drill` (server/dist/main.js) as a real child process and reads its report. */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DrillReport } from '../../server/src/drill/drill-report.js';
import { ROOT, TPLUS_MAIN } from '../integration/sidecar-process.js';
import { requiredBinary } from '../deploy/required-binary.js';

// Every drill evaluates deploy/prometheus/alerts.yml with promtool; without promtool (and only outside
// CI, where required-binary skips instead of failing) the drills run with --alert-rules off.
const promtool = requiredBinary('promtool', 'PROMTOOL');
const ALERT_FLAGS = promtool.skip ? ['--alert-rules', 'off'] : [];

export interface DrillOutcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly report: DrillReport;
  readonly markdown: string;
  readonly svg: string;
  /** The promtool test file the drill evaluated its alert rules with ('' when not evaluated). */
  readonly alertsTest: string;
}

/** The short form every CI drill runs: a 2 s fault at 40 calls/s. */
export function runDrillCli(scenario: string, reportDir: string, extra: readonly string[] = []): Promise<DrillOutcome> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [TPLUS_MAIN, 'drill', scenario, '--duration', '2', '--rate', '40', '--report', reportDir, ...ALERT_FLAGS, ...extra],
      { cwd: ROOT, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        const file = join(reportDir, 'report.json');
        if (!existsSync(file)) {
          reject(new Error(`no report (exit ${code}):\n${stdout}\n${stderr}`));
          return;
        }
        resolve({
          code,
          stdout,
          stderr,
          report: JSON.parse(readFileSync(file, 'utf8')) as DrillReport,
          markdown: readFileSync(join(reportDir, 'report.md'), 'utf8'),
          svg: readFileSync(join(reportDir, 'timeline.svg'), 'utf8'),
          alertsTest: existsSync(join(reportDir, 'alerts.test.yml')) ? readFileSync(join(reportDir, 'alerts.test.yml'), 'utf8') : '',
        });
      },
    );
  });
}

/** The expectations that failed, as `id: detail` lines (empty when all passed). */
export function failures(r: DrillReport): string {
  return r.expectations
    .filter((e) => !e.passed)
    .map((e) => `${e.id}: ${e.detail}`)
    .join('\n');
}
