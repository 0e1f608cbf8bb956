/**
 * Promotions hub load time: the preview with 500 release runs (replayed from the records the
 * packaged tasks wrote) and 600 newer unrelated CI runs, 50 ms simulated latency per API request,
 * in headless Chromium. Measures time from navigation to the first committed matrix (performance
 * mark set by the hub) and API requests made, cold (empty cache) and warm (cache written by the
 * cold load). Goals: cold ≤ 1.0 s and ≤ 20 requests, warm ≤ 0.5 s and ≤ 10 requests.
 * Cold and warm figures are medians (HUB_BENCH_COLD_REPEATS cold loads, HUB_BENCH_WARM_REPEATS warm, default 5),
 * the request counts the maximum.
 * HUB_BENCH_BASELINE=<another checkout> also builds that checkout's hub (with its own compiled build script, when
 * it has one) and measures both side by side, alternating warm loads, so a loaded machine slows both alike (the
 * ratio, and the median of the paired differences of warm loads measured one after the other, are the figures to
 * trust).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { buildHub } from '../scripts/build-hub';
import { HubPreview, startHubPreview } from '../scripts/hub-preview';
import { launchChromium } from '../devkit/browser';
import { sampleData } from '../devkit/ado-host/sample-data';
import { writeResult } from './results';

const RUNS = Number(process.env.HUB_BENCH_RUNS ?? 500);
const LATENCY_MS = Number(process.env.HUB_BENCH_LATENCY_MS ?? 50);
const WARM_REPEATS = Number(process.env.HUB_BENCH_WARM_REPEATS ?? 5);
const COLD_REPEATS = Number(process.env.HUB_BENCH_COLD_REPEATS ?? 3);
const UNRELATED = Number(process.env.HUB_BENCH_UNRELATED ?? 600);
const GOAL = { coldMs: 1000, coldRequests: 20, warmMs: 500, warmRequests: 10 };

/** Resolves once the hub has marked its first committed matrix (a timer poll: nothing else runs in the page). */
const FIRST_MATRIX_MARK = `new Promise((resolve) => {
  const poll = () =>
    performance.getEntriesByName('mcd-matrix-rendered').length > 0 ? resolve(true) : setTimeout(poll, 20);
  poll();
})`;

interface Sample {
  ms: number;
  completeMs: number;
  requests: number;
  totalRequests: number;
}

/** `firstOnly`: close once the first matrix is there (a cold repeat; the cache it leaves is dropped). */
async function measure(browser: Browser, preview: HubPreview, firstOnly = false): Promise<Sample> {
  preview.resetCount();
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await page.goto(preview.url);
  // The first matrix is awaited through the DevTools protocol, in the page's own world: Playwright's
  // waitForSelector first evaluates its injected script in the page (~20 ms of main-thread CPU, measured in
  // a trace), which then runs while the hub loads and lands on the path being measured. The selector is
  // checked once the mark is there.
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      cdp.send('Runtime.evaluate', { expression: FIRST_MATRIX_MARK, awaitPromise: true, returnByValue: true }),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('no first matrix in 300 s')), 300_000))),
    ]);
  } finally {
    clearTimeout(timer);
  }
  await cdp.detach();
  await page.waitForSelector('[data-testid=matrix]', { timeout: 300_000 });
  const ms = await page.evaluate<number>("performance.getEntriesByName('mcd-matrix-rendered')[0].startTime");
  // API requests the page had started when the matrix first rendered (later ones are the rest of a cold load).
  const requests = await page.evaluate<number>(
    `performance.getEntriesByType('resource').filter((e) => e.name.includes('/_apis/') && e.startTime <= ${ms}).length`,
  );
  if (firstOnly) {
    await context.close();
    return { ms: Math.round(ms), completeMs: NaN, requests, totalRequests: preview.requestCount() };
  }
  // A function, not a string: the hub's CSP forbids eval, which string predicates need.
  await page.waitForFunction(() => performance.getEntriesByName('mcd-matrix-complete').length > 0, undefined, {
    timeout: 300_000,
    polling: 100,
  });
  const completeMs = await page.evaluate<number>("performance.getEntriesByName('mcd-matrix-complete')[0].startTime");
  // Cache writes happen after the render; wait for them so the next load is warm. A hub that marks the
  // moment its writes are done is waited for exactly; an older one (a baseline) until requests stop.
  if (await page.evaluate<boolean>("performance.getEntriesByName('mcd-boot').length > 0")) {
    await page.waitForFunction(() => performance.getEntriesByName('mcd-cache-written').length > 0, undefined, {
      timeout: 300_000,
      polling: 100,
    });
  } else {
    let last = -1;
    while (preview.requestCount() !== last) {
      last = preview.requestCount();
      await page.waitForTimeout(300);
    }
  }
  await context.close();
  return { ms: Math.round(ms), completeMs: Math.round(completeMs), requests, totalRequests: preview.requestCount() };
}

/**
 * The baseline's hub, built by the baseline's own build script when that checkout has it compiled (its
 * out/scripts/build-hub.js): a change to how the hub is built is then measured too, not applied to both.
 */
async function buildBaseline(stageDir: string, root: string): Promise<void> {
  const own = path.join(root, 'out', 'scripts', 'build-hub.js');
  const build = fs.existsSync(own) ? ((await import(own)) as { buildHub: typeof buildHub }).buildHub : buildHub;
  await build(stageDir, root);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcdso-hub-bench-'));
  await buildHub(dir);
  const data = sampleData({ runs: RUNS });
  const start = (hubDir: string): Promise<HubPreview> =>
    startHubPreview({
      records: data.records,
      timelines: data.timelines,
      latencyMs: LATENCY_MS,
      hubDir,
      unrelatedRuns: UNRELATED,
    });
  const preview = await start(path.join(dir, 'hub'));
  const baselineRoot = process.env.HUB_BENCH_BASELINE;
  let baseline: HubPreview | undefined;
  if (baselineRoot) {
    await buildBaseline(path.join(dir, 'baseline'), path.resolve(baselineRoot));
    baseline = await start(path.join(dir, 'baseline', 'hub'));
  }
  const browser = await launchChromium();
  try {
    // Cold loads alternate too, each on a fresh server (empty cache); the last one fills the cache.
    const colds: Sample[] = [];
    const baseColds: Sample[] = [];
    for (let i = 0; i < COLD_REPEATS; i++) {
      const last = i === COLD_REPEATS - 1;
      preview.publish(data);
      colds.push(await measure(browser, preview, !last));
      if (baseline) {
        baseline.publish(data);
        baseColds.push(await measure(browser, baseline, !last));
      }
    }
    const cold = { ...colds[colds.length - 1], ms: median(colds.map((c) => c.ms)) };
    cold.requests = Math.max(...colds.map((c) => c.requests));
    const baseCold = baseline
      ? { ms: median(baseColds.map((c) => c.ms)), requests: Math.max(...baseColds.map((c) => c.requests)) }
      : undefined;
    const warm: Sample[] = [];
    const baseWarm: Sample[] = [];
    for (let i = 0; i < WARM_REPEATS; i++) {
      warm.push(await measure(browser, preview));
      if (baseline) baseWarm.push(await measure(browser, baseline));
    }
    const warmMs = median(warm.map((w) => w.ms));
    const warmRequests = Math.max(...warm.map((w) => w.requests));
    const ok =
      cold.ms <= GOAL.coldMs &&
      cold.requests <= GOAL.coldRequests &&
      warmMs <= GOAL.warmMs &&
      warmRequests <= GOAL.warmRequests;
    const result = {
      runs: RUNS,
      unrelatedRuns: UNRELATED,
      records: data.records.length,
      latencyMs: LATENCY_MS,
      cold: {
        firstMatrixMs: cold.ms,
        firstMatrixMsEach: colds.map((c) => c.ms),
        completeMatrixMs: cold.completeMs,
        requestsBeforeFirstRender: cold.requests,
        requestsTotal: cold.totalRequests,
      },
      warm: {
        firstMatrixMsMedian: warmMs,
        completeMatrixMsMedian: median(warm.map((w) => w.completeMs)),
        firstMatrixMs: warm.map((w) => w.ms),
        requests: warmRequests,
      },
      coldOverWarm: Number((cold.ms / warmMs).toFixed(1)),
      ...(baseCold
        ? {
            baseline: {
              checkout: baselineRoot,
              coldFirstMatrixMs: baseCold.ms,
              coldFirstMatrixMsEach: baseColds.map((c) => c.ms),
              coldRequestsBeforeFirstRender: baseCold.requests,
              warmFirstMatrixMsMedian: median(baseWarm.map((w) => w.ms)),
              warmFirstMatrixMs: baseWarm.map((w) => w.ms),
              warmRequests: Math.max(...baseWarm.map((w) => w.requests)),
            },
            warmOverBaseline: Number((warmMs / median(baseWarm.map((w) => w.ms))).toFixed(2)),
            // Each warm load less the baseline's load right after it: negative is faster.
            warmPairedDiffMsMedian: median(warm.map((w, i) => w.ms - baseWarm[i].ms)),
            coldOverBaseline: Number((cold.ms / baseCold.ms).toFixed(2)),
          }
        : {}),
      goal: GOAL,
      met: ok,
    };
    console.log(JSON.stringify(result, null, 2));
    writeResult('hub-load', result);
    if (!ok) process.exitCode = 1;
  } finally {
    await browser.close();
    await preview.stop();
    await baseline?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
