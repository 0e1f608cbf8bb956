import * as fs from 'node:fs';
import * as path from 'node:path';
import { filesUnder as allFilesUnder } from './build-stamp';

/**
 * azure-devops-ui draws every Icon with its Fluent icon fonts (Components/Icon/FluentIcons.css: each
 * `.fluent-icons-enabled .ms-Icon--<Name>:before` rule picks FluentRegular or FluentFilled and a
 * code point). The two fonts are 1.3 MB of the .vsix, over half of it, for the few dozen icons the hub
 * can show. The build keeps the code points of the icons the bundled JavaScript names, and of every
 * rule that is not tied to an icon name, and subsets both fonts to them (harfbuzz through subset-font).
 */

/** The font files azure-devops-ui's Fluent icon CSS loads (hashed by esbuild's file loader). */
export const ICON_FONT = /^fluent-(regular|filled)-.*\.woff2$/;

const RULE = /([^{}]+)\{([^{}]*)\}/g;
const CONTENT = /content:\s*"((?:\\[0-9a-fA-F]{1,6}\s?)+)"/;
const ICON_NAME = /\.ms-Icon--([A-Za-z0-9_-]+)/g;

/** Code points of a CSS `content` string made of escapes (`"\f2a2"`). */
function codePoints(escaped: string): number[] {
  return [...escaped.matchAll(/\\([0-9a-fA-F]{1,6})\s?/g)].map((m) => parseInt(m[1], 16));
}

/**
 * The icon code points the hub can draw: rules naming an icon count when the JavaScript names it (as a
 * string literal, or as a class), every other rule with icon content always counts. Over-inclusion only
 * costs a glyph; a missing one is a blank icon, which test/hub/icon-font.test.ts looks for in the browser.
 */
export function usedIconCodePoints(css: string, js: string): Set<number> {
  const named = (name: string): boolean => new RegExp(`["'\`]${name}["'\`]|ms-Icon--${name}(?![A-Za-z0-9_-])`).test(js);
  const used = new Set<number>();
  for (const [, selector, body] of css.matchAll(RULE)) {
    const content = CONTENT.exec(body);
    if (!content) continue;
    const names = [...selector.matchAll(ICON_NAME)].map((m) => m[1]);
    if (names.length && !names.some(named)) continue;
    for (const cp of codePoints(content[1])) used.add(cp);
  }
  return used;
}

function filesUnder(dir: string, ext: string): string[] {
  return allFilesUnder(dir)
    .filter((f) => f.endsWith(ext))
    .map((f) => path.join(dir, f));
}

/** Subsets the built hub's Fluent icon fonts in place; returns the bytes before and after. */
export async function subsetIconFonts(hubDir: string): Promise<{ before: number; after: number; glyphs: number }> {
  const fonts = filesUnder(hubDir, '.woff2').filter((f) => ICON_FONT.test(path.basename(f)));
  if (!fonts.length) return { before: 0, after: 0, glyphs: 0 };
  const read = (files: string[]): string => files.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
  const used = usedIconCodePoints(read(filesUnder(hubDir, '.css')), read(filesUnder(hubDir, '.js')));
  // A build tool only: loaded here so packaging without the hub never needs harfbuzz.
  const subsetFont = (await import('subset-font')).default;
  const text = String.fromCodePoint(...used);
  let before = 0;
  let after = 0;
  for (const font of fonts) {
    const original = fs.readFileSync(font);
    const subset = await subsetFont(original, text, { targetFormat: 'woff2' });
    fs.writeFileSync(font, subset);
    before += original.length;
    after += subset.length;
  }
  return { before, after, glyphs: used.size };
}
