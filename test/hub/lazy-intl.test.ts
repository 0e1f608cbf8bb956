import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vm from 'node:vm';
import { lazyLocaleFormatters } from '../../scripts/lazy-intl';

/** The declaration as it ships (or as rewritten), run alone with a counting Intl.DateTimeFormat. */
function run(declaration: string): { made: () => number; formatters: Record<string, Intl.DateTimeFormat | undefined> } {
  let made = 0;
  const Counting = new Proxy(Intl.DateTimeFormat, {
    construct(target, args: ConstructorParameters<typeof Intl.DateTimeFormat>) {
      made++;
      return new target(...args);
    },
  });
  const Intl2 = { ...Intl, DateTimeFormat: Counting };
  const sandbox = { window: { Intl: Intl2 }, Intl: Intl2 };
  const formatters = vm.runInNewContext(`${declaration}\nlocaleFormatters;`, sandbox) as Record<
    string,
    Intl.DateTimeFormat | undefined
  >;
  return { made: () => made, formatters };
}

describe('hub build: azure-devops-ui locale date formatters made on first use', () => {
  const source = fs.readFileSync(require.resolve('azure-devops-ui/Core/Util/String.js'), 'utf8');
  const declaration = (text: string, from: string): string => {
    const start = text.indexOf(from);
    const end = text.indexOf('\n/**', start);
    assert.ok(start >= 0 && end > start, from);
    return text.slice(start, end);
  };

  it('the shipped module makes two when it is evaluated; the rewritten one none until one is used', () => {
    const eager = run(declaration(source, 'const localeFormatters ='));
    assert.equal(eager.made(), 2);
    const lazy = run(declaration(lazyLocaleFormatters(source), 'let localeFormattersMade'));
    assert.equal(lazy.made(), 0);
    const date = new Date(Date.UTC(2026, 10, 30, 11, 5, 7));
    // The same formats as the shipped ones, made once (both at once, as before).
    assert.equal(lazy.formatters.dateTime!.format(date), eager.formatters.dateTime!.format(date));
    assert.equal(lazy.formatters.date!.format(date), eager.formatters.date!.format(date));
    assert.equal(lazy.made(), 2);
    assert.equal(lazy.formatters.other, undefined, 'an unknown key falls back in dateToString, as before');
  });

  it('fails the build when a release changes the declaration, instead of shipping it eager unnoticed', () => {
    assert.throws(() => lazyLocaleFormatters(source.replace('const localeFormatters =', 'var localeFormatters =')));
  });
});
