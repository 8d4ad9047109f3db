import type { VersionInfoMessage } from '../registry/index.js';
import type { RulesetInfoMessage } from '../sidecar/index.js';
import type { HealthAnswer } from './registry-liveness.js';

/** What `tplus status` learned: the health, and a sidecar's ruleset info or a registry's latest version. */
export interface StatusReport {
  readonly address: string;
  readonly health: HealthAnswer;
  /** A sidecar's GetRulesetInfo; null for a registry (it has no such call). */
  readonly info: RulesetInfoMessage | null;
}

const latestJson = (v: VersionInfoMessage) => ({
  version: v.version,
  sha256: v.sha256,
  published_at: v.publishedAt,
  author: v.author,
  reason: v.reason,
});

/** One JSON object, snake_case like the CLI's other JSON output. */
export function statusJson(r: StatusReport): string {
  const base = { address: r.address, health: r.health.status, health_via: r.health.via };
  if (r.info === null) {
    const latest = r.health.latest;
    return JSON.stringify({ ...base, kind: 'registry', latest: latest ? latestJson(latest) : null, note: r.health.note ?? '' });
  }
  const i = r.info;
  return JSON.stringify({
    ...base,
    kind: 'sidecar',
    ruleset_version: i.rulesetVersion,
    sha256: i.rulesetHash,
    source: i.source,
    published_at: i.publishedAt,
    activated_at: i.loadedAt,
    rule_count: i.ruleCount,
    following_registry: i.followingRegistry,
    staleness_seconds: i.stalenessSeconds,
    last_activated_version: i.lastActivatedVersion,
    integrity_warning: i.integrityWarning,
    horizons: i.calendarHorizons.map((h) => ({
      calendar_id: h.calendarId,
      kind: h.kind,
      last_covered_date: h.lastCoveredDate,
      days_left: h.horizonDays,
    })),
  });
}

/** The same for people: one fact per line, calendars soonest to run out first. */
export function statusText(r: StatusReport): string {
  const lines = [`${r.address}: ${r.health.status}`];
  if (r.info === null) {
    const v = r.health.latest;
    lines.push(`kind:        registry (health from ${r.health.via})`);
    if (v)
      lines.push(`latest:      version ${v.version}, sha256 ${v.sha256}, published ${v.publishedAt} by ${v.author || '-'}: ${v.reason}`);
    else lines.push(`latest:      ${r.health.note ?? 'no version published yet'}`);
    return `${lines.join('\n')}\n`;
  }
  const i = r.info;
  lines.push(
    `ruleset:     version ${i.rulesetVersion} (${i.ruleCount} rules), source ${i.source}`,
    `sha256:      ${i.rulesetHash}`,
    `published:   ${i.publishedAt}`,
    `activated:   ${i.loadedAt}`,
    i.followingRegistry
      ? `sync:        follows a registry; up to date as of ${i.stalenessSeconds.toFixed(1)} s ago`
      : 'sync:        follows no registry (serves its local copy)',
    `integrity:   ${i.integrityWarning === '' ? 'ok' : `WARNING: ${i.integrityWarning}`}`,
    'horizon:     days left to the last date each calendar covers',
  );
  const horizons = [...i.calendarHorizons].sort((a, b) => a.horizonDays - b.horizonDays || a.calendarId.localeCompare(b.calendarId));
  const width = Math.max(0, ...horizons.map((h) => h.calendarId.length));
  for (const h of horizons) lines.push(`  ${h.calendarId.padEnd(width)}  ${h.lastCoveredDate}  ${String(h.horizonDays).padStart(5)}`);
  return `${lines.join('\n')}\n`;
}
