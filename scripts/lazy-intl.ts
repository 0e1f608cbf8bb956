import * as fs from 'node:fs';
import type { Plugin } from 'esbuild';

/**
 * azure-devops-ui's Core/Util/String.js builds two Intl.DateTimeFormat objects at module evaluation, for
 * `format()` with a locale date, which the hub never calls on its way to the first matrix. The first
 * DateTimeFormat of a page loads ICU's locale data: in a CPU profile of a warm hub load it was 151 of the 163
 * samples of the UI chunk's top-level evaluation (~30 ms on the loaded 2-core bench machine), on the path to
 * the first matrix. This rewrites that one declaration so the formatters are made on first use (same objects,
 * same options); anything else in the file is left as it is. A release that changes the declaration fails the
 * build here rather than silently losing the rewrite.
 */
const EAGER = /const localeFormatters = (\("Intl" in window\) \? \{[^;]*?\} : \{\});/;

export function lazyLocaleFormatters(source: string): string {
  const m = EAGER.exec(source);
  if (!m || (m[1].match(/new Intl\.DateTimeFormat\(/g) ?? []).length !== 2)
    throw new Error('azure-devops-ui Core/Util/String.js: the eager localeFormatters declaration was not found');
  const lazy = [
    'let localeFormattersMade;',
    `const makeLocaleFormatters = () => localeFormattersMade || (localeFormattersMade = ${m[1]});`,
    'const localeFormatters = {',
    '    get date() { return makeLocaleFormatters().date; },',
    '    get dateTime() { return makeLocaleFormatters().dateTime; }',
    '};',
  ].join('\n');
  return source.replace(m[0], lazy);
}

/** The esbuild plugin: that file only, rewritten as it is loaded. */
export const lazyIntlPlugin: Plugin = {
  name: 'lazy-intl',
  setup(build) {
    build.onLoad({ filter: /azure-devops-ui[\\/]Core[\\/]Util[\\/]String\.js$/ }, (args) => ({
      contents: lazyLocaleFormatters(fs.readFileSync(args.path, 'utf8')),
      loader: 'js',
    }));
  },
};
