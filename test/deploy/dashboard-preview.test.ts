import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../integration/sidecar-process.js';
import { ROOT } from './deploy-files.js';

// docs/dashboard-preview.svg is what `npm run preview:dashboard` (deploy/scripts/render-preview.mjs)
// renders from a live run: a real sidecar SIGKILLed at 7 s and restarted at 13 s under SDK load. This
// test runs that generator itself (about 22 s, the script gives up at 30 s) into a temporary directory
// and checks the fresh chart; the committed file only has to have the same structure as the fresh one.
interface Preview {
  events: { t: number; what: string }[];
  samples: { t: number; rate: number | null; fallbacks: number; breaker: number }[];
}

const SCRIPT = resolve(ROOT, 'deploy/scripts/render-preview.mjs');

function previewData(svg: string): Preview {
  const desc = /<desc>(.*)<\/desc>/s.exec(svg)?.[1] ?? '{}';
  return JSON.parse(
    desc
      .replace(/&quot;/g, '"')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&'),
  ) as Preview;
}

/** What does not change from run to run: size, title, panel titles, plotted series and event kinds. */
function structure(svg: string): unknown {
  const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1] ?? '');
  return {
    root: /^<svg [^>]*>/.exec(svg)?.[0],
    title: /<title>(.*)<\/title>/.exec(svg)?.[1],
    panels: texts.filter((t) => /\(.*\)$/.test(t) && !/^\d{4}-/.test(t)),
    paths: svg.match(/<path d="M/g)?.length,
    events: previewData(svg).events.map((e) => e.what),
  };
}

function render(out: string): Promise<string> {
  return new Promise((done, fail) => {
    execFile(process.execPath, [SCRIPT, out], { cwd: ROOT, timeout: 45_000 }, (err, stdout, stderr) =>
      err ? fail(new Error(`${err.message}\n${stdout}\n${stderr}`)) : done(stdout),
    );
  });
}

describe('docs/dashboard-preview.svg, regenerated from a live kill/restart run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tplus-preview-test-'));
  let svg = '';
  let summary: { calls: number; sidecarDownSeconds: number | null } = { calls: 0, sidecarDownSeconds: null };

  beforeAll(async () => {
    buildServer();
    const out = join(dir, 'dashboard-preview.svg');
    summary = JSON.parse((await render(out)).trim().split('\n').at(-1) ?? '{}') as typeof summary;
    svg = readFileSync(out, 'utf8');
  }, 90_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('renders an SVG with three plotted series from the run', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<path d="M/g)?.length).toBe(3);
    expect(summary.calls).toBeGreaterThan(0);
    expect(svg).toContain(`${summary.calls} SDK calls`);
  });

  it('shows the kill and restart: decisions stop (gap) while fallbacks climb, then decisions resume', () => {
    const data = previewData(svg);
    const kill = data.events.find((e) => e.what === 'SIGKILL')?.t as number;
    const serving = data.events.find((e) => e.what === 'serving')?.t as number;
    expect(kill).toBeLessThan(serving);
    const before = data.samples.filter((s) => s.t < kill);
    const during = data.samples.filter((s) => s.t > kill + 0.6 && s.t < serving);
    const after = data.samples.filter((s) => s.t > serving + 3);
    expect(before.filter((s) => (s.rate ?? 0) > 0).length).toBeGreaterThan(5);
    expect(during.length).toBeGreaterThan(3);
    expect(during.every((s) => s.rate === null)).toBe(true);
    expect((during.at(-1)?.fallbacks ?? 0) - (during[0]?.fallbacks ?? 0)).toBeGreaterThan(0);
    expect(after.filter((s) => (s.rate ?? 0) > 0).length).toBeGreaterThan(5);
    expect(after.at(-1)?.breaker).toBe(0);
  });

  it('the committed docs/dashboard-preview.svg has the structure of a fresh one (refresh: npm run preview:dashboard)', () => {
    const committed = readFileSync(resolve(ROOT, 'docs/dashboard-preview.svg'), 'utf8');
    expect(structure(committed)).toEqual(structure(svg));
  });
});
