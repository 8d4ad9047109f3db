import type { DrillReport } from './drill-report.js';

const COLORS = { service: '#2e7d32', fallback: '#f9a825', error: '#c62828' } as const;
const BREAKER = { closed: '#a5d6a7', halfOpen: '#ffe082', open: '#ef9a9a' } as const;
const MARKERS: Readonly<Record<string, string>> = {
  fault_injected: '#c62828',
  heal: '#1565c0',
  published: '#6a1b9a',
  reconciled: '#455a64',
};

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * A hand-written SVG of the drill: stacked bars of calls/s by outcome (service, fallback, error) per
 * bucket, a band below with the breaker state, and dashed lines at fault, heal, publish and reconcile.
 */
export function timelineSvg(r: DrillReport): string {
  const W = 860;
  const left = 56;
  const right = 16;
  const top = 40;
  const chartH = 200;
  const bandY = top + chartH + 28;
  const bandH = 18;
  const H = bandY + bandH + 56;
  const plotW = W - left - right;
  const series = r.series;
  const endMs = Math.max(r.bucketMs, series.length * r.bucketMs, ...r.timeline.map((e) => e.atMs));
  const x = (ms: number): number => left + (ms / endMs) * plotW;
  const peak = Math.max(1, ...series.map((b) => b.service + b.fallback + b.error));
  const tick = [1, 2, 5, 10, 15, 20, 25, 50, 100, 200, 250, 500, 1_000, 2_000, 5_000].find((t) => t * 4 >= peak) ?? Math.ceil(peak / 4);
  const yMax = tick * 4;
  const y = (v: number): number => top + chartH - (v / yMax) * chartH;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
  );
  out.push(`<title>tplus drill ${esc(r.scenario)}: calls per second by outcome and breaker state</title>`);
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(
    `<text x="${left}" y="18" font-size="14" font-weight="bold">tplus drill ${esc(r.scenario)} — ${r.passed ? 'PASS' : 'FAIL'}</text>`,
  );
  for (let i = 0; i <= 4; i++) {
    const v = (yMax / 4) * i;
    out.push(`<line x1="${left}" x2="${W - right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e0e0e0"/>`);
    out.push(`<text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${Math.round(v)}</text>`);
  }
  out.push(`<text x="14" y="${top + chartH / 2}" transform="rotate(-90 14 ${top + chartH / 2})" text-anchor="middle">calls/s</text>`);
  const bw = Math.max(1, (r.bucketMs / endMs) * plotW - 1);
  for (const b of series) {
    let base = 0;
    for (const k of ['service', 'fallback', 'error'] as const) {
      const v = b[k];
      if (v <= 0) continue;
      out.push(
        `<rect x="${x(b.fromMs).toFixed(1)}" y="${y(base + v).toFixed(1)}" width="${bw.toFixed(1)}" height="${(y(base) - y(base + v)).toFixed(1)}" fill="${COLORS[k]}"><title>${(b.fromMs / 1000).toFixed(1)} s: ${v} ${k}/s</title></rect>`,
      );
      base += v;
    }
  }
  // The breaker band from the exact state changes (a half-open probe may last only milliseconds).
  const changes = r.timeline.filter((e) => e.kind === 'breaker_open' || e.kind === 'half_open' || e.kind === 'closed');
  let state: keyof typeof BREAKER = 'closed';
  let from = 0;
  const segment = (to: number): void => {
    if (to <= from) return;
    const w = Math.max(2, x(to) - x(from));
    out.push(
      `<rect x="${x(from).toFixed(1)}" y="${bandY}" width="${w.toFixed(1)}" height="${bandH}" fill="${BREAKER[state]}"><title>${(from / 1000).toFixed(2)}–${(to / 1000).toFixed(2)} s: ${state}</title></rect>`,
    );
  };
  for (const e of changes) {
    segment(e.atMs);
    from = Math.max(from, e.atMs);
    state = e.kind === 'breaker_open' ? 'open' : e.kind === 'half_open' ? 'halfOpen' : 'closed';
  }
  segment(endMs);
  out.push(`<text x="${left - 6}" y="${bandY + 13}" text-anchor="end">breaker</text>`);
  const step = endMs > 30_000 ? 5_000 : endMs > 10_000 ? 2_000 : 1_000;
  for (let t = 0; t <= endMs; t += step) {
    out.push(`<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${top + chartH}" y2="${top + chartH + 4}" stroke="#616161"/>`);
    out.push(`<text x="${x(t).toFixed(1)}" y="${top + chartH + 16}" text-anchor="middle">${t / 1000} s</text>`);
  }
  out.push(`<line x1="${left}" x2="${W - right}" y1="${top + chartH}" y2="${top + chartH}" stroke="#616161"/>`);
  let labelRow = 0;
  for (const e of r.timeline) {
    const color = MARKERS[e.kind];
    if (color === undefined) continue;
    const ex = x(e.atMs).toFixed(1);
    out.push(`<line x1="${ex}" x2="${ex}" y1="${top - 6}" y2="${bandY + bandH}" stroke="${color}" stroke-dasharray="4 3"/>`);
    out.push(`<text x="${ex}" y="${top - 8 - (labelRow++ % 2) * 11}" fill="${color}" text-anchor="middle">${esc(e.kind)}</text>`);
  }
  const legend: [string, string][] = [
    ['service', COLORS.service],
    ['fallback', COLORS.fallback],
    ['error', COLORS.error],
    ['breaker closed', BREAKER.closed],
    ['half-open', BREAKER.halfOpen],
    ['open', BREAKER.open],
  ];
  let lx = left;
  const ly = bandY + bandH + 24;
  for (const [name, color] of legend) {
    out.push(`<rect x="${lx}" y="${ly - 9}" width="10" height="10" fill="${color}"/><text x="${lx + 14}" y="${ly}">${esc(name)}</text>`);
    lx += 24 + name.length * 6.5;
  }
  out.push(`<text x="${W - right}" y="${ly}" text-anchor="end" fill="#616161">bucket ${r.bucketMs} ms; time from start of load</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
