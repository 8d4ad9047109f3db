// A small hand-written SVG renderer for deploy/scripts/render-preview.mjs: stacked time-series
// panels sharing one time axis, a shaded band (e.g. "sidecar down") and event markers. No deps.

const W = 960;
const LEFT = 78;
const RIGHT = 24;
const TOP = 70;
const PANEL_H = 130;
const GAP = 52;

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const fmt = (n) => (n >= 10_000 ? `${Math.round(n / 1000)}k` : n >= 1000 ? `${(n / 1000).toFixed(1)}k` : `${Math.round(n * 10) / 10}`);

function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

/**
 * @param {{ title: string, subtitle: string, band: { from: number, to: number, label: string } | null,
 *   panels: { title: string, key: string, unit: string, color: string, kind: 'line' | 'step', max?: number }[],
 *   samples: Record<string, number | null>[], events: { t: number, what: string }[] }} chart
 */
export function renderChart({ title, subtitle, band, panels, samples, events }) {
  const tMax = Math.max(1, ...samples.map((s) => s.t));
  const plotW = W - LEFT - RIGHT;
  const H = TOP + panels.length * (PANEL_H + GAP) + 10;
  const x = (t) => LEFT + (t / tMax) * plotW;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<title>${esc(title)}</title>`,
    `<desc>${esc(JSON.stringify({ events, samples }))}</desc>`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${LEFT}" y="26" font-size="16" font-weight="bold" fill="#222">${esc(title)}</text>`,
    `<text x="${LEFT}" y="46" fill="#666">${esc(subtitle)}</text>`,
  ];
  panels.forEach((panel, i) => {
    const top = TOP + i * (PANEL_H + GAP) + 18;
    const bottom = top + PANEL_H;
    const values = samples.map((s) => s[panel.key]).filter((v) => v !== null && v !== undefined);
    const yMax = panel.max ?? niceMax(Math.max(0, ...values));
    const y = (v) => bottom - (v / yMax) * PANEL_H;
    out.push(`<text x="${LEFT}" y="${top - 8}" font-weight="bold" fill="#333">${esc(panel.title)}</text>`);
    if (band) {
      out.push(
        `<rect x="${x(band.from)}" y="${top}" width="${Math.max(1, x(band.to) - x(band.from))}" height="${PANEL_H}" fill="#fde2e1"/>`,
      );
      if (i === 0)
        out.push(
          `<text x="${(x(band.from) + x(band.to)) / 2}" y="${top + 16}" text-anchor="middle" fill="#b42318">${esc(band.label)}</text>`,
        );
    }
    const ticks = panel.max === 2 ? [0, 1, 2] : [0, 0.25, 0.5, 0.75, 1].map((f) => f * yMax);
    for (const v of ticks) {
      out.push(`<line x1="${LEFT}" x2="${W - RIGHT}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e5e5"/>`);
      out.push(`<text x="${LEFT - 6}" y="${y(v) + 4}" text-anchor="end" fill="#555">${fmt(v)}${esc(panel.unit)}</text>`);
    }
    out.push(`<line x1="${LEFT}" x2="${W - RIGHT}" y1="${bottom}" y2="${bottom}" stroke="#999"/>`);
    for (let t = 0; t <= tMax; t += 2) {
      out.push(`<line x1="${x(t)}" x2="${x(t)}" y1="${bottom}" y2="${bottom + 4}" stroke="#999"/>`);
      out.push(`<text x="${x(t)}" y="${bottom + 16}" text-anchor="middle" fill="#555">${t}s</text>`);
    }
    // Line segments, broken where there is no sample (the target was down: no scrape).
    let d = '';
    let pen = false;
    let last = null;
    for (const s of samples) {
      const v = s[panel.key];
      if (v === null || v === undefined) {
        pen = false;
        continue;
      }
      if (!pen) d += `M${x(s.t).toFixed(1)},${y(v).toFixed(1)}`;
      else if (panel.kind === 'step') d += `H${x(s.t).toFixed(1)}V${y(v).toFixed(1)}`;
      else d += `L${x(s.t).toFixed(1)},${y(v).toFixed(1)}`;
      pen = true;
      last = v;
    }
    out.push(`<path d="${d}" fill="none" stroke="${panel.color}" stroke-width="2" stroke-linejoin="round"/>`);
    if (last !== null)
      out.push(`<text x="${W - RIGHT}" y="${top - 8}" text-anchor="end" fill="${panel.color}">last: ${fmt(last)}${esc(panel.unit)}</text>`);
    events.forEach((e, k) => {
      out.push(`<line x1="${x(e.t)}" x2="${x(e.t)}" y1="${top}" y2="${bottom}" stroke="#555" stroke-dasharray="4 3"/>`);
      if (i === panels.length - 1)
        out.push(`<text x="${x(e.t) + 3}" y="${bottom - 6 - 14 * k}" fill="#555" font-size="11">${esc(e.what)} ${e.t.toFixed(1)}s</text>`);
    });
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
