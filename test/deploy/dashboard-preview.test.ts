import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './deploy-files.js';

// docs/dashboard-preview.svg is produced by `node deploy/scripts/render-preview.mjs` from a live run
// (sidecar SIGKILLed and restarted under SDK load); its <desc> holds the samples it plots.
interface Preview {
  events: { t: number; what: string }[];
  samples: { t: number; rate: number | null; fallbacks: number; breaker: number }[];
}

describe('docs/dashboard-preview.svg', () => {
  const svg = readFileSync(resolve(ROOT, 'docs/dashboard-preview.svg'), 'utf8');
  const desc = /<desc>(.*)<\/desc>/s.exec(svg)?.[1] ?? '{}';
  const data = JSON.parse(desc.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')) as Preview;

  it('is an SVG with three plotted series', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<path d="M/g)?.length).toBe(3);
  });

  it('shows the kill and restart: decisions stop (gap) while fallbacks climb, then decisions resume', () => {
    const kill = data.events.find((e) => e.what === 'SIGKILL')?.t as number;
    const serving = data.events.find((e) => e.what === 'serving')?.t as number;
    expect(kill).toBeLessThan(serving);
    const before = data.samples.filter((s) => s.t < kill);
    const during = data.samples.filter((s) => s.t > kill + 0.6 && s.t < serving);
    const after = data.samples.filter((s) => s.t > serving + 3);
    expect(before.filter((s) => (s.rate ?? 0) > 0).length).toBeGreaterThan(5);
    expect(during.every((s) => s.rate === null)).toBe(true);
    expect((during.at(-1)?.fallbacks ?? 0) - (during[0]?.fallbacks ?? 0)).toBeGreaterThan(0);
    expect(after.filter((s) => (s.rate ?? 0) > 0).length).toBeGreaterThan(5);
    expect(after.at(-1)?.breaker).toBe(0);
  });
});
