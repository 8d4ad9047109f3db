/**
 * Which metric names do PromQL expressions reference, and does anybody export them? Used by the
 * cross-check between deploy/ (alerts, dashboard) and what the sidecar and SDK really serve.
 */

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
  'and',
  'or',
  'unless',
  'inf',
  'nan',
]);

/** Metric names referenced by one PromQL expression (Grafana $variables allowed). */
export function metricNamesInPromQL(expr: string): string[] {
  const s = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ') // string literals (label values, count_values names)
    .replace(/#[^\n]*/g, ' ') // comments
    .replace(/\$\{[^}]*\}|\$\w+/g, ' ') // Grafana variables
    .replace(/\{[^}]*\}/g, ' ') // label matchers
    .replace(/\[[^\]]*\]/g, ' ') // range and subquery windows
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' '); // label lists
  const names = new Set<string>();
  for (const m of s.matchAll(/(?<![\w.:])([a-zA-Z_:][\w:]*)(?![\w:])/g)) {
    const name = m[1] as string;
    const rest = s.slice((m.index ?? 0) + name.length);
    if (/^\s*\(/.test(rest)) continue; // a function or aggregation
    if (KEYWORDS.has(name.toLowerCase())) continue;
    names.add(name);
  }
  return [...names];
}

/** Metric names in Prometheus text exposition; histograms and summaries add their series suffixes. */
export function exportedMetricNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE ([a-zA-Z_:][\w:]*) (\w+)/.exec(line);
    if (type) {
      const [, name, kind] = type as unknown as [string, string, string];
      names.add(name);
      if (kind === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
      if (kind === 'summary') for (const suffix of ['_sum', '_count']) names.add(name + suffix);
      continue;
    }
    const sample = /^([a-zA-Z_:][\w:]*)/.exec(line);
    if (sample) names.add(sample[1] as string);
  }
  return names;
}

/** Series Prometheus itself creates for every target or rule (not exported by our code). */
export const PROMETHEUS_SYNTHETIC = new Set(['up', 'ALERTS', 'ALERTS_FOR_STATE']);

export interface PromQLRef {
  /** Where the expression lives, for the failure message. */
  readonly where: string;
  readonly expr: string;
}

interface RuleFile {
  groups?: { name?: string; rules?: { alert?: string; record?: string; expr?: string }[] }[];
}

/** Expressions of alerting and recording rules, and the names the recording rules define. */
export function ruleExpressions(rules: RuleFile): { refs: PromQLRef[]; recorded: Set<string> } {
  const refs: PromQLRef[] = [];
  const recorded = new Set<string>();
  for (const group of rules.groups ?? []) {
    for (const rule of group.rules ?? []) {
      if (rule.record) recorded.add(rule.record);
      refs.push({ where: `alerts.yml ${rule.alert ?? rule.record ?? '?'}`, expr: String(rule.expr ?? '') });
    }
  }
  return { refs, recorded };
}

interface DashboardPanel {
  id?: number;
  title?: string;
  targets?: { expr?: string }[];
  panels?: DashboardPanel[];
}
interface Dashboard {
  panels?: DashboardPanel[];
  templating?: { list?: { name?: string; query?: unknown; definition?: string }[] };
}

/** Every panel, rows' nested panels included. */
export function allPanels(dashboard: Dashboard): DashboardPanel[] {
  const out: DashboardPanel[] = [];
  const walk = (panels: DashboardPanel[] | undefined): void => {
    for (const p of panels ?? []) {
      out.push(p);
      walk(p.panels);
    }
  };
  walk(dashboard.panels);
  return out;
}

/** Panel target expressions, and the metric of each label_values(metric, label) variable query. */
export function dashboardExpressions(dashboard: Dashboard): PromQLRef[] {
  const refs: PromQLRef[] = [];
  for (const p of allPanels(dashboard)) {
    for (const t of p.targets ?? [])
      if (t.expr !== undefined) refs.push({ where: `dashboard panel ${p.id ?? '?'} "${p.title ?? ''}"`, expr: t.expr });
  }
  for (const v of dashboard.templating?.list ?? []) {
    const q = typeof v.query === 'string' ? v.query : ((v.query as { query?: string } | undefined)?.query ?? '');
    const lv = /^\s*label_values\(\s*(.+),\s*\w+\s*\)\s*$/.exec(q);
    if (lv) refs.push({ where: `dashboard variable ${v.name ?? '?'}`, expr: lv[1] as string });
  }
  return refs;
}

/** The references whose metric nobody exports: [] means the check passes. */
export function unknownMetrics(refs: readonly PromQLRef[], known: ReadonlySet<string>): { where: string; name: string }[] {
  const unknown: { where: string; name: string }[] = [];
  for (const ref of refs) for (const name of metricNamesInPromQL(ref.expr)) if (!known.has(name)) unknown.push({ where: ref.where, name });
  return unknown;
}
