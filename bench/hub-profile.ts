/**
 * Where a hub page load spends its time in Chromium (resource timing of every request, the
 * navigation's milestones and the first-matrix mark), cold then warm, on the bench's data:
 * `node out/bench/hub-profile.js`. A diagnostic for bench/hub-load.ts, printed, not recorded.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildHub } from '../scripts/build-hub';
import { startHubPreview } from '../scripts/hub-preview';
import { launchChromium } from '../devkit/browser';
import { sampleData } from '../devkit/ado-host/sample-data';

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcdso-hub-prof-'));
  await buildHub(dir);
  const data = sampleData({ runs: Number(process.env.HUB_BENCH_RUNS ?? 500) });
  const preview = await startHubPreview({
    records: data.records,
    timelines: data.timelines,
    latencyMs: 50,
    hubDir: path.join(dir, 'hub'),
    unrelatedRuns: 600,
  });
  const browser = await launchChromium();
  try {
    for (const label of ['cold', 'warm', 'warm']) {
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      const page = await context.newPage();
      await page.goto(preview.url);
      await page.waitForSelector('[data-testid=matrix]', { timeout: 300_000 });
      const report = await page.evaluate<string>(`(() => {
        const mark = performance.getEntriesByName('mcd-matrix-rendered')[0].startTime;
        const nav = performance.getEntriesByType('navigation')[0];
        const lines = [
          'domInteractive ' + Math.round(nav.domInteractive),
          'domContentLoaded ' + Math.round(nav.domContentLoadedEventEnd),
        ];
        for (const e of performance.getEntriesByType('resource')) {
          if (e.startTime > mark) continue;
          const kib = Math.round(e.transferSize / 1024);
          const name = e.name.replace(location.origin, '').slice(0, 110);
          lines.push(Math.round(e.startTime) + '-' + Math.round(e.responseEnd) + ' ms ' + kib + ' KiB ' + name);
        }
        lines.push('first matrix ' + Math.round(mark));
        return lines.join('\\n');
      })()`);
      console.log(`--- ${label}\n${report}`);
      await page.waitForFunction(() => performance.getEntriesByName('mcd-matrix-complete').length > 0, undefined, {
        timeout: 300_000,
        polling: 200,
      });
      await page.waitForTimeout(1500);
      await context.close();
    }
  } finally {
    await browser.close();
    await preview.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
