import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { expectation, type Expectation } from './drill-expectations.js';
import type { Recording } from './metric-recorder.js';

/**
 * A drill's alerts are not counted by the drill: the run's recorded metrics are evaluated against the
 * real rules file (deploy/prometheus/alerts.yml) by `promtool test rules`, and the alerts that fired
 * are compared with what the scenario declares.
 *
 * Time is compressed: one recorded step (250 ms of wall time) becomes one 15 s scrape, so one drill
 * second is one rule minute. A 2 s fault is then a 2 minute incident: long enough for rules with
 * `for: 1m`, far too short for the 10 m / 1 h ones, which a few seconds of drill cannot show.
 */
export const RULE_STEP_S = 15;

/** What a scenario says the alert rules must make of its run. */
export interface ExpectedAlerts {
  /** Alerts that must fire (reach state firing at some point of the run). */
  readonly fire: readonly string[];
  /** Alerts allowed to fire or not: their `for:` is close to the compressed fault length, so either is right. */
  readonly mayFire?: readonly string[];
}

/**
 * Alerts on the registry's own scrape: a drill does not scrape registries (their /metrics are off),
 * so these see an absent or missing `up{job="tplus-registry"}` and are not judged.
 */
export const NOT_EVALUATED: readonly string[] = ['TplusRegistryDown', 'TplusRegistryNotScraped', 'TplusRegistryNoWatchers'];

/** The drill's promtool unit test file: the recorded series and one query for every alert that fired. */
export function promtoolTestFile(recording: Recording, rulesFile: string, name: string): string {
  const values = (v: readonly (number | null)[]): string => {
    let started = false;
    return v
      .map((x) => {
        if (x !== null) {
          started = true;
          return String(x);
        }
        return started ? 'stale' : '_';
      })
      .join(' ');
  };
  const last = Math.max(0, recording.steps - 1) * RULE_STEP_S;
  return stringify(
    {
      rule_files: [rulesFile],
      evaluation_interval: `${RULE_STEP_S}s`,
      tests: [
        {
          name,
          interval: `${RULE_STEP_S}s`,
          input_series: recording.series.map((s) => ({ series: s.selector, values: values(s.values) })),
          promql_expr_test: [
            {
              expr: `group by (alertname) (max_over_time(ALERTS{alertstate="firing"}[${last + RULE_STEP_S}s]))`,
              eval_time: `${last}s`,
              exp_samples: [],
            },
          ],
        },
      ],
    },
    { lineWidth: 0 },
  );
}

export interface FiredAlerts {
  /** Names of the alerts that fired, sorted; null when promtool could not evaluate. */
  readonly fired: readonly string[] | null;
  readonly output: string;
}

/**
 * Runs `promtool test rules FILE`. The file expects no alert at all, so promtool passes when none
 * fired and otherwise prints the alerts it got (`got: {alertname="…"} 1E+00, …`), which are parsed.
 */
export function firedAlerts(promtool: string, testFile: string): Promise<FiredAlerts> {
  return new Promise((resolve) => {
    execFile(promtool, ['test', 'rules', testFile], { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const output = `${stdout}${stderr}`;
      if (!err) {
        resolve({ fired: [], output });
        return;
      }
      const got = /^\s*got:\s*(.*)$/m.exec(output)?.[1];
      if (got === undefined) {
        resolve({ fired: null, output });
        return;
      }
      resolve({ fired: [...got.matchAll(/alertname="([^"]+)"/g)].map((m) => m[1] as string).sort(), output });
    });
  });
}

export interface AlertCheck {
  readonly expectation: Expectation;
  /** The promtool test file (written to the report directory, so an SRE can re-run it). */
  readonly testFile: string;
  readonly fired: readonly string[] | null;
}

/** Evaluates `recording` against `rulesFile` with promtool and checks it against `expected`. */
export async function checkAlerts(
  recording: Recording,
  expected: ExpectedAlerts,
  rulesFile: string,
  promtool: string,
  dir: string,
  name: string,
): Promise<AlertCheck> {
  const text = promtoolTestFile(recording, rulesFile, name);
  const file = join(dir, 'alerts.test.yml');
  writeFileSync(file, text);
  const { fired, output } = await firedAlerts(promtool, file);
  const description =
    `alert rules (${rulesFile}) over this run's metrics fire ${expected.fire.join(', ') || 'nothing'}` +
    `${expected.mayFire?.length ? ` (maybe ${expected.mayFire.join(', ')})` : ''} and no other alert`;
  if (fired === null) {
    return {
      testFile: text,
      fired,
      expectation: expectation(
        'alert-rules',
        description,
        false,
        `promtool could not evaluate: ${output.trim().split('\n').slice(-5).join(' ')}`,
      ),
    };
  }
  const judged = fired.filter((a) => !NOT_EVALUATED.includes(a));
  const missing = expected.fire.filter((a) => !judged.includes(a));
  const unexpected = judged.filter((a) => !expected.fire.includes(a) && !(expected.mayFire ?? []).includes(a));
  const detail =
    `fired: ${judged.join(', ') || 'none'}` +
    `${missing.length ? `; MISSING ${missing.join(', ')}` : ''}${unexpected.length ? `; UNEXPECTED ${unexpected.join(', ')}` : ''}` +
    `; ${recording.steps} steps of ${recording.stepMs} ms as ${RULE_STEP_S} s, ${recording.series.length} series`;
  return {
    testFile: text,
    fired: judged,
    expectation: expectation('alert-rules', description, missing.length === 0 && unexpected.length === 0, detail),
  };
}
