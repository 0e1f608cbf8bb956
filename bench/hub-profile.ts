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

interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  ts: number;
  dur?: number;
  tid: number;
  pid: number;
  /** `name` on thread_name metadata events (CrRendererMain: a renderer's main thread). */
  args?: { name?: string };
}

/** Trace event names → the breakdown's buckets (main thread, top-level slices only). */
const BUCKETS: [RegExp, string][] = [
  [/^(v8\.compile|v8\.compileModule|CompileScript|CompileCode|v8\.parseOnBackground)/, 'JS parse/compile'],
  [
    /^(EvaluateScript|v8\.evaluateModule|FunctionCall|TimerFire|EventDispatch|RunMicrotasks|FireAnimationFrame|v8\.run)/,
    'JS run',
  ],
  [/^(UpdateLayoutTree|RecalculateStyles|ParseAuthorStyleSheet|InvalidateLayout|ScheduleStyleRecalculation)/, 'style'],
  [/^(Layout|UpdateLayerTree|PrePaint)/, 'layout'],
  [/^(Paint|CompositeLayers|Commit|RasterTask)/, 'paint'],
  [/^(ParseHTML)/, 'HTML parse'],
  [/^(MinorGC|MajorGC|V8\.GC)/, 'GC'],
];

/**
 * Main-thread time of the renderer between navigation start and the first-matrix mark, by kind
 * (HUB_PROFILE_TRACE=1, last load): nested slices are attributed to the innermost bucketed kind.
 */
function printTrace(events: TraceEvent[]): void {
  const mark = events.find((e) => e.name === 'mcd-matrix-rendered');
  const nav = events
    .filter((e) => e.name === 'navigationStart' && e.pid === mark?.pid && e.ts < mark.ts)
    .sort((a, b) => b.ts - a.ts)[0];
  const main = events.find(
    (e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain' && e.pid === mark?.pid,
  );
  if (!mark || !nav || !main) {
    console.log('trace: marks or main thread not found');
    return;
  }
  const slices = events
    .filter((e) => e.ph === 'X' && e.pid === main.pid && e.tid === main.tid && e.ts >= nav.ts && e.ts < mark.ts)
    .sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
  const kind = (name: string): string | undefined => BUCKETS.find(([re]) => re.test(name))?.[1];
  // Self time of each slice (its duration less its children's), to its innermost bucketed ancestor-or-self.
  const totals = new Map<string, number>();
  const stack: { end: number; bucket: string }[] = [];
  for (const s of slices) {
    while (stack.length && stack[stack.length - 1].end <= s.ts) stack.pop();
    const end = Math.min(s.ts + (s.dur ?? 0), mark.ts);
    const parent = stack[stack.length - 1];
    const bucket = kind(s.name) ?? parent?.bucket ?? `other: ${s.name}`;
    totals.set(bucket, (totals.get(bucket) ?? 0) + (end - s.ts));
    if (parent) totals.set(parent.bucket, (totals.get(parent.bucket) ?? 0) - (end - s.ts));
    stack.push({ end, bucket });
  }
  const busy = [...totals.values()].reduce((a, b) => a + b, 0);
  console.log(
    `main thread to the first matrix (${Math.round((mark.ts - nav.ts) / 1000)} ms): busy ` +
      `${Math.round(busy / 1000)} ms, idle ${Math.round((mark.ts - nav.ts - busy) / 1000)} ms`,
  );
  for (const [k, us] of [...totals.entries()].sort((a, b) => b[1] - a[1]).slice(0, 16))
    console.log(`${(us / 1000).toFixed(1).padStart(8)} ms  ${k}`);
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
    const labels = (process.env.HUB_PROFILE_LOADS ?? 'cold,warm,warm,warm').split(',');
    for (const [i, label] of labels.entries()) {
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      const page = await context.newPage();
      // HUB_PROFILE_CPU=1: where the main thread's time goes in the last load (JS functions by self time).
      const profiled = process.env.HUB_PROFILE_CPU === '1' && i === labels.length - 1;
      const traced = process.env.HUB_PROFILE_TRACE === '1' && i === labels.length - 1;
      if (traced)
        await browser.startTracing(page, {
          categories: [
            'devtools.timeline',
            'blink.user_timing',
            'v8',
            'disabled-by-default-devtools.timeline',
            '__metadata',
            'loading',
            'v8.execute',
            'disabled-by-default-v8.compile',
            'blink',
            'blink.resource',
          ],
        });
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
      // HUB_PROFILE_SAVE=<file.cpuprofile>: the whole profile, for DevTools or an inclusive-time read.
      if (cpu && process.env.HUB_PROFILE_SAVE) fs.writeFileSync(process.env.HUB_PROFILE_SAVE, JSON.stringify(cpu));
      if (traced) {
        const trace = (await browser.stopTracing()).toString();
        if (process.env.HUB_PROFILE_SAVE) fs.writeFileSync(`${process.env.HUB_PROFILE_SAVE}.trace.json`, trace);
        printTrace((JSON.parse(trace) as { traceEvents: TraceEvent[] }).traceEvents);
      }
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
