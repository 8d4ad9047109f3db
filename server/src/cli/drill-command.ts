import { accessSync, constants, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DrillReport } from '../drill/index.js';
import { runDrill, SCENARIOS } from '../drill/index.js';
import { reportMarkdown } from '../drill/index.js';
import { timelineSvg } from '../drill/index.js';
import type { CliIo } from './cli-io.js';
import { cliCommand } from './cli-command.js';
import type { CommandSpec, FlagDef } from '../runtime/index.js';
import type { ParsedArgs } from '../runtime/index.js';
import { UsageError } from '../runtime/index.js';

const num = (name: string, value: string, help: string, hidden = false): FlagDef => ({
  name,
  type: 'string',
  value,
  help,
  ...(hidden ? { hidden } : {}),
});

/** `tplus drill`: a degradation drill; --sabotage and --deadline-ms are test hooks, accepted but not listed. */
export const DRILL_SPEC: CommandSpec = {
  name: 'drill',
  synopsis: ['<scenario> [--duration S] [--rate N] [--report DIR] [--alert-rules FILE|off] [--promtool PATH]'],
  about: [
    'Runs a degradation drill end to end with real processes in a temporary directory: trade capture',
    '(the SDK at a fixed rate) against sidecars and a registry, a fault, its healing, and checks.',
    'Exit 0 when every expectation holds, 1 when one fails.',
  ].join('\n'),
  flags: [
    num('duration', 'S', 'how long the fault lasts, seconds (0.5..600)'),
    num('rate', 'N', 'trade-capture calls per second (1..1000)'),
    num('report', 'DIR', 'write DIR/report.md, DIR/report.json, DIR/timeline.svg and DIR/alerts.test.yml'),
    {
      ...num('alert-rules', 'FILE|off', 'the Prometheus rules the recorded metrics are evaluated against with promtool'),
      defaultNote: 'deploy/prometheus/alerts.yml of this checkout, when present',
    },
    { ...num('promtool', 'PATH', 'the promtool binary'), defaultNote: '$PROMTOOL, then promtool on PATH' },
    num('sabotage', 'WHAT', 'test hook: fallback-off, or candidate-skew (canary-rollout)', true),
    num('deadline-ms', 'MS', 'test hook: the SDK deadline', true),
  ],
  positionals: 1,
  footer: `scenarios:\n${SCENARIOS.map((x) => `  ${x.name.padEnd(18)} ${x.proves}`).join('\n')}`,
};

/** deploy/prometheus/alerts.yml of the checkout this program runs from (server/dist/cli/ → repository root). */
const REPO_ALERT_RULES = fileURLToPath(new URL('../../../deploy/prometheus/alerts.yml', import.meta.url));

const SVG_FILE = 'timeline.svg';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** --promtool, else $PROMTOOL, else the first promtool on $PATH; null when none is executable. */
function findPromtool(flag: string | undefined, env: Readonly<Record<string, string | undefined>>): string | null {
  if (flag !== undefined) {
    if (!executable(flag)) throw new UsageError(`drill: --promtool ${JSON.stringify(flag)} is not an executable file`);
    return resolve(flag);
  }
  const candidates = env['PROMTOOL']
    ? [env['PROMTOOL']]
    : (env['PATH'] ?? '')
        .split(delimiter)
        .filter(Boolean)
        .map((d) => join(d, 'promtool'));
  return candidates.find(executable) ?? null;
}

/** --alert-rules FILE (must exist) or off; by default this checkout's alerts.yml, when there is one. */
function alertRules(flag: string | undefined): string | null {
  if (flag === 'off') return null;
  if (flag === undefined) return existsSync(REPO_ALERT_RULES) ? REPO_ALERT_RULES : null;
  if (!existsSync(flag)) throw new UsageError(`drill: --alert-rules ${JSON.stringify(flag)} does not exist`);
  return resolve(flag);
}

function number(text: string | undefined, flag: string, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const n = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= min && n <= max)) throw new UsageError(`drill: --${flag} ${JSON.stringify(text)} must be a number from ${min} to ${max}`);
  return n;
}

function summary(r: DrillReport, reportDir: string | undefined): string {
  const lines = [`tplus drill ${r.scenario}: ${r.passed ? 'PASS' : 'FAIL'} (${(r.wallMs / 1000).toFixed(1)} s)`];
  const width = Math.max(...r.expectations.map((e) => e.id.length));
  for (const e of r.expectations) lines.push(`  ${e.passed ? 'pass' : 'FAIL'}  ${e.id.padEnd(width)}  ${e.detail}`);
  const c = r.counts;
  const l = r.latencyMs.all;
  lines.push(
    `  calls ${c.calls}: service ${c.service}, fallback ${c.fallback}, error ${c.error}; alerts ${c.alerts}; latency p50 ${l.p50} ms, p99 ${l.p99} ms, max ${l.max} ms`,
  );
  // Each kind once, at its first time, with how often it happened (the report has every event).
  const kinds = new Map<string, { atMs: number; n: number }>();
  for (const e of r.timeline) {
    const k = kinds.get(e.kind);
    if (k) k.n++;
    else kinds.set(e.kind, { atMs: e.atMs, n: 1 });
  }
  lines.push(
    `  timeline: ${[...kinds].map(([kind, k]) => `${kind} ${(k.atMs / 1000).toFixed(2)}s${k.n > 1 ? ` (x${k.n})` : ''}`).join(', ')}`,
  );
  if (reportDir !== undefined) lines.push(`  report: ${join(reportDir, 'report.md')}`);
  return `${lines.join('\n')}\n`;
}

/** `tplus drill`: flags, the run, the printed summary and the report files. Hidden: --sabotage fallback-off|candidate-skew (tests). */
export function drillCommand(args: readonly string[], io: CliIo, env: Readonly<Record<string, string | undefined>> = {}): Promise<number> {
  return cliCommand(DRILL_SPEC, (flags, cliIo) => drill(flags, cliIo, env))(args, io);
}

async function drill(flags: ParsedArgs, io: CliIo, env: Readonly<Record<string, string | undefined>>): Promise<number> {
  const name = flags.positionals[0];
  const scenario = SCENARIOS.find((s) => s.name === name);
  if (!scenario) {
    throw new UsageError(
      `drill: ${name === undefined ? 'missing scenario' : `unknown scenario ${JSON.stringify(name)}`} (one of ${SCENARIOS.map((s) => s.name).join(', ')})`,
    );
  }
  const sabotage = flags.get('sabotage');
  if (sabotage !== undefined && sabotage !== 'fallback-off' && sabotage !== 'candidate-skew')
    throw new UsageError(`drill: --sabotage ${JSON.stringify(sabotage)} must be fallback-off or candidate-skew`);
  const reportDir = flags.get('report');
  const rules = alertRules(flags.get('alert-rules'));
  const promtool = rules === null ? null : findPromtool(flags.get('promtool'), env);
  if (rules === null)
    io.stderr.write(
      `drill ${scenario.name}: alert rules not evaluated (--alert-rules off, or no deploy/prometheus/alerts.yml beside this program)\n`,
    );
  const report = await runDrill(scenario, {
    durationMs: Math.round(number(flags.get('duration'), 'duration', 10, 0.5, 600) * 1000),
    rate: number(flags.get('rate'), 'rate', 50, 1, 1000),
    deadlineMs: number(flags.get('deadline-ms'), 'deadline-ms', 250, 10, 10_000),
    marginMs: 150,
    warmupMs: 1_000,
    rulesDir: io.defaultRulesDir,
    sabotage: new Set(sabotage === undefined ? [] : [sabotage]),
    alertRules: rules,
    promtool,
    progress: (line) => io.stderr.write(`drill ${scenario.name}: ${line}\n`),
  });
  if (reportDir !== undefined) {
    mkdirSync(reportDir, { recursive: true });
    writeFileSync(join(reportDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(reportDir, 'report.md'), reportMarkdown(report, SVG_FILE));
    writeFileSync(join(reportDir, SVG_FILE), timelineSvg(report));
    if (report.alertRules?.testFile) writeFileSync(join(reportDir, 'alerts.test.yml'), report.alertRules.testFile);
  }
  io.stdout.write(summary(report, reportDir));
  return report.passed ? 0 : 1;
}
