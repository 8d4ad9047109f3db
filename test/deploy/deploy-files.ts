import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';

export const ROOT = resolve(import.meta.dirname, '../..');
export const DEPLOY = resolve(ROOT, 'deploy');
export const ALERTS_FILE = resolve(DEPLOY, 'prometheus/alerts.yml');
export const ALERT_TESTS_FILE = resolve(DEPLOY, 'prometheus/alerts.test.yml');
export const SCRAPE_FILE = resolve(DEPLOY, 'prometheus/scrape.yml');
export const DASHBOARD_FILE = resolve(DEPLOY, 'grafana/tplus-dashboard.json');
export const RUNBOOKS_FILE = resolve(ROOT, 'docs/runbooks.md');

export function readYaml<T>(path: string): T {
  return parse(readFileSync(path, 'utf8')) as T;
}

export interface AlertRule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
export interface RuleFile {
  groups: { name: string; rules: AlertRule[] }[];
}

export function alertRules(): AlertRule[] {
  return readYaml<RuleFile>(ALERTS_FILE).groups.flatMap((g) => g.rules.filter((r) => r.alert !== undefined));
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes. */
export function markdownAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const m of markdown.matchAll(/^#{1,6}\s+(.+?)\s*$/gm)) {
    anchors.add(
      (m[1] as string)
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, '')
        .replace(/\s/g, '-'),
    );
  }
  return anchors;
}
