/**
 * The HTML report: its structure (a snapshot), and in a real headless Chromium (Debian's chromium package) the
 * filters a fragment presets, and a screenshot of the rendered page.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scan } from '../src/scan';
import { htmlReport } from '../src/report/html';
import { summaryStatus } from '../src/model';
import { requireSystem } from './support/system-python';

const FIXTURES = path.join(__dirname, '..', 'fixtures');
const CHROMIUM = '/usr/bin/chromium';
const browserTest = requireSystem(existsSync(CHROMIUM), `these tests need ${CHROMIUM} (apt-get install chromium)`);

test('the route map: app, prefixes, routes with their verdicts, nothing from the network', async () => {
  const result = await scan({ paths: [path.join(FIXTURES, 'flask', 'shop')] });
  const html = htmlReport(result, { displayRoot: 'fixtures/flask/shop' });
  expect(html).toMatchSnapshot();
  expect(html).not.toMatch(/(src|href)="https?:/);
  expect(html.match(/<li class="route"/g)).toHaveLength(result.routes.length);
  expect(htmlReport(result, { displayRoot: 'fixtures/flask/shop' })).toBe(html);
});

browserTest('in Chromium: the fragment presets the filters, empty groups hide, and the page renders', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'apiposture-html-'));
  try {
    const result = await scan({ paths: [path.join(FIXTURES, 'flask', 'factory')] });
    const file = path.join(dir, 'report.html');
    writeFileSync(file, htmlReport(result));
    const chromium = (...args: string[]): string => {
      const r = spawnSync(CHROMIUM, ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', ...args], { encoding: 'utf8', timeout: 60_000 });
      if (r.status !== 0) throw new Error(`chromium failed: ${r.stderr}`);
      return r.stdout;
    };
    const routesIn = (dom: string): { status: string; rules: string; hidden: boolean }[] =>
      [...dom.matchAll(/<li class="route( hidden)?" data-status="(\w+)" data-framework="\w+" data-rules="([^"]*)">/g)].map((m) => ({ hidden: !!m[1], status: m[2], rules: m[3] }));

    const all = routesIn(chromium('--dump-dom', `file://${file}`));
    expect(all).toHaveLength(result.routes.length);
    expect(all.every((r) => !r.hidden)).toBe(true);

    const unlimited = routesIn(chromium('--dump-dom', `file://${file}#status=unlimited`));
    const expected = result.routes.filter((r) => summaryStatus(r) === 'unlimited').length;
    expect(expected).toBeGreaterThan(0);
    expect(unlimited.filter((r) => !r.hidden).map((r) => r.status)).toEqual(Array(expected).fill('unlimited'));
    const byRule = chromium('--dump-dom', `file://${file}#rule=AP003`);
    expect(routesIn(byRule).filter((r) => !r.hidden).every((r) => r.rules.split(' ').includes('AP003'))).toBe(true);
    expect(byRule).toContain('<li class="group hidden">'); // a blueprint with no AP003 route folds away
    expect(byRule).toMatch(/<span id="shown">[1-9]\d* shown<\/span>/);

    const shot = path.join(dir, 'report.png');
    chromium(`--screenshot=${shot}`, '--window-size=1000,700', `file://${file}`);
    const png = readFileSync(shot);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1000, 700]);
    // A page with the map on it: far more than a blank page's few hundred bytes of compressed white.
    expect(png.length).toBeGreaterThan(20_000);
    if (process.env.APIPOSTURE_KEEP_SCREENSHOT) writeFileSync(process.env.APIPOSTURE_KEEP_SCREENSHOT, png);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
