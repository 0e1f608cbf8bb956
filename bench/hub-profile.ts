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

interface CpuNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

function printProfile(profile: { nodes: CpuNode[]; samples?: number[]; timeDeltas?: number[] }): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const f = byId.get(samples[i])!.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\//, '')}:${f.lineNumber}`;
    self.set(key, (self.get(key) ?? 0) + (deltas[i] ?? 0) / 1000);
  }
  const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 30);
  console.log(top.map(([k, ms]) => `${ms.toFixed(1).padStart(8)} ms  ${k}`).join('\n'));
}

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
    const labels = ['cold', 'warm', 'warm', 'warm'];
    for (const [i, label] of labels.entries()) {
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      const page = await context.newPage();
      // HUB_PROFILE_CPU=1: where the main thread's time goes in the last load (JS functions by self time).
      const profiled = process.env.HUB_PROFILE_CPU === '1' && i === labels.length - 1;
      const cdp = profiled ? await context.newCDPSession(page) : undefined;
      if (cdp) {
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
        await cdp.send('Profiler.start');
      }
      // Long tasks (script compile/evaluate, render) are only observable from before they happen.
      await page.addInitScript({
        content:
          'window.__longTasks = []; new PerformanceObserver((list) => { for (const e of list.getEntries()) ' +
          "window.__longTasks.push([e.startTime, e.duration]); }).observe({ type: 'longtask', buffered: true });",
      });
      await page.goto(preview.url);
      await page.waitForSelector('[data-testid=matrix]', { timeout: 300_000 });
      const cpu = cdp ? (await cdp.send('Profiler.stop')).profile : undefined;
      const report = await page.evaluate<string>(`(() => {
        const mark = performance.getEntriesByName('mcd-matrix-rendered')[0].startTime;
        const nav = performance.getEntriesByType('navigation')[0];
        const rows = [
          [nav.responseEnd, 'html received'],
          [nav.domInteractive, 'domInteractive'],
          [nav.domContentLoadedEventEnd, 'domContentLoaded'],
        ];
        for (const e of performance.getEntriesByType('mark'))
          if (e.name.startsWith('mcd-')) rows.push([e.startTime, 'mark ' + e.name]);
        for (const [start, d] of window.__longTasks)
          rows.push([start, 'long task ' + Math.round(d) + ' ms (to ' + Math.round(start + d) + ')']);
        let api = 0;
        for (const e of performance.getEntriesByType('resource')) {
          if (e.startTime > mark) continue;
          if (e.name.includes('/_apis/')) api++;
          const kib = Math.round(e.transferSize / 1024);
          const name = e.name.replace(location.origin, '').replace(/^.*\\/_apis\\//, '_apis/').slice(0, 100);
          const span = Math.round(e.startTime) + '-' + Math.round(e.responseEnd);
          rows.push([e.startTime, 'req ' + span + ' ' + kib + ' KiB ' + name]);
        }
        rows.sort((a, b) => a[0] - b[0]);
        return rows.map(([t, l]) => String(Math.round(t)).padStart(5) + '  ' + l).join('\\n') +
          '\\nAPI requests before the first matrix: ' + api;
      })()`);
      console.log(`--- ${label}\n${report}`);
      if (cpu) printProfile(cpu);
      await page.waitForFunction(() => performance.getEntriesByName('mcd-matrix-complete').length > 0, undefined, {
        timeout: 300_000,
        polling: 200,
      });
      // The next load is warm only once this one's cache writes are done (the index last).
      await page.waitForFunction(() => performance.getEntriesByName('mcd-cache-written').length > 0, undefined, {
        timeout: 300_000,
        polling: 100,
      });
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
