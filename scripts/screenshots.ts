/**
 * README screenshots: runs the demo series (scripts/demo/session.ts), then shoots the Promotions hub
 * inside the fake Azure DevOps host in Chromium, light and dark, into docs/:
 *   hub-matrix-<theme>.png  the matrix after the three releases
 *   hub-run-<theme>.png     release 1.4.2's run: approvals, and the canary aborted on OKE
 * `npm run package && node out/scripts/screenshots.js` (the tasks run from the packaged .vsix).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { launchChromium } from '../devkit/browser';
import { ROOT } from '../devkit/project';
import { TOKEN, runDemoSession } from './demo/session';

const DOCS = path.join(ROOT, 'docs');
const THEMES = ['light', 'dark'] as const;

async function main(): Promise<void> {
  const t0 = Date.now();
  const log = (line: string): void => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${line}`);
  const live: { stop?: () => Promise<void> } = {};
  const abort = new AbortController();
  process.on('SIGINT', () => {
    abort.abort();
    void live.stop?.().then(() => process.exit(130));
  });
  const session = await runDemoSession(log, abort.signal, (s) => (live.stop = s));
  try {
    if (session.result.surprises.length) throw new Error('the series did not end as its table expects: no screenshots');
    const host = await session.serveHost();
    const browser = await launchChromium();
    fs.mkdirSync(DOCS, { recursive: true });
    try {
      for (const theme of THEMES) {
        const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
        await page.goto(host.url({ frameOrigin: session.hub.origin, token: TOKEN, theme }));
        const hub = page.frameLocator('iframe');
        for (const env of ['aks-staging', 'aks-production', 'oke-production'])
          await hub.getByRole('button', { name: `History of shop/web in ${env}: 1.4.3` }).waitFor({ timeout: 30_000 });
        const matrix = await hub.locator('[data-testid=matrix]').boundingBox();
        const height = Math.ceil((matrix?.y ?? 0) + (matrix?.height ?? 400) + 24);
        const file = path.join(DOCS, `hub-matrix-${theme}.png`);
        await page.screenshot({ path: file, clip: { x: 0, y: 0, width: 1380, height } });
        log(`  ${path.relative(ROOT, file)}`);
        await page.goto(
          host.url({ frameOrigin: session.hub.origin, token: TOKEN, theme, kind: 'run-tab', buildId: 3102 }),
        );
        await page.frameLocator('iframe').locator('[data-testid=approver]').first().waitFor({ timeout: 30_000 });
        await page.waitForTimeout(300);
        const run = path.join(DOCS, `hub-run-${theme}.png`);
        await page.screenshot({ path: run, clip: { x: 0, y: 0, width: 1380, height: 900 } });
        log(`  ${path.relative(ROOT, run)}`);
        await page.close();
      }
    } finally {
      await browser.close();
    }
  } finally {
    await session.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
