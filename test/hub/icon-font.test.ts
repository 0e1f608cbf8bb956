import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { cachedHubBuild } from '../../scripts/build-hub';
import { HubPreview, startHubPreview } from '../../scripts/hub-preview';
import { ICON_FONT } from '../../scripts/subset-icons';
import { launchChromium } from '../../devkit/browser';
import { sampleData } from '../../devkit/ado-host/sample-data';

interface Drawn {
  icon: string;
  codePoint: string;
  family: string;
  inked: boolean;
}

/**
 * Draws a character in a font on a canvas and says whether any pixel got ink. A code point the subset
 * font lacks is drawn with the font's .notdef, which the Fluent fonts leave empty: a blank icon.
 */
const INK = `const inked = async (family, ch) => {
  await document.fonts.load('40px ' + family, ch);
  const c = document.createElement('canvas'); c.width = 60; c.height = 60;
  const g = c.getContext('2d'); g.font = '40px ' + family; g.textBaseline = 'top'; g.fillText(ch, 5, 5);
  return g.getImageData(0, 0, 60, 60).data.some((v, i) => i % 4 === 3 && v > 0);
};`;

/** Every icon on the page: its ::before character, the font it is drawn in, and whether it shows. */
const ICONS = `(async () => { ${INK}
  const out = [];
  for (const el of document.querySelectorAll('.fabric-icon')) {
    const s = getComputedStyle(el, '::before');
    if (!s.content || s.content === 'none' || s.content === 'normal') continue;
    const ch = JSON.parse(s.content);
    out.push({ icon: String(el.className), codePoint: ch.codePointAt(0).toString(16), family: s.fontFamily, inked: await inked(s.fontFamily, ch) });
  }
  return out;
})()`;

describe('Promotions hub: subset icon fonts draw every icon the hub shows (Chromium)', function () {
  this.timeout(120_000);
  let browser: Browser;
  let hubDir: string;
  let preview: HubPreview;

  before(async () => {
    hubDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcdso-hub-icons-'));
    await cachedHubBuild(hubDir);
    const data = sampleData({ runs: 8, waiting: true, forged: true });
    preview = await startHubPreview({ ...data, hubDir: path.join(hubDir, 'hub') });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await preview?.stop();
    fs.rmSync(hubDir, { recursive: true, force: true });
  });

  it('the Fluent fonts are subset: a few kilobytes instead of 1.3 MB', () => {
    const assets = path.join(hubDir, 'hub', 'assets');
    const fonts = fs.readdirSync(assets).filter((f) => ICON_FONT.test(f));
    assert.equal(fonts.length, 2, fonts.join(', '));
    for (const f of fonts) {
      const size = fs.statSync(path.join(assets, f)).size;
      assert.ok(size < 40_000, `${f}: ${size} bytes`);
    }
  });

  it('every icon in the matrix, history and run views is drawn; a glyph left out of the subset would be blank', async () => {
    const page: Page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(preview.url);
    await page.waitForSelector('[data-testid=matrix]');
    const drawn: Drawn[] = [];
    for (const view of ['Matrix', 'History', 'Run']) {
      await page.click(`[role=tab]:has-text("${view}")`);
      if (view === 'Run') await page.waitForSelector('[data-testid=record]');
      drawn.push(...(await page.evaluate<Drawn[]>(ICONS)));
    }
    const fluent = drawn.filter((d) => /Fluent/.test(d.family));
    assert.ok(fluent.length >= 5, `icons found: ${JSON.stringify(drawn)}`);
    assert.deepEqual(
      fluent.filter((d) => !d.inked),
      [],
    );
    // The control: Airplane (U+F068D) is in the full font and never on the hub, so it is not in the
    // subset; drawn in the same way it must come out blank, or the check above could not fail.
    const control = await page.evaluate<boolean>(
      `(async () => { ${INK} return inked('FluentRegular', '\\u{f068d}'); })()`,
    );
    assert.equal(control, false, 'a code point outside the subset draws blank');
    await page.close();
  });
});
