import * as assert from 'node:assert/strict';
import { usedIconCodePoints } from '../../scripts/subset-icons';

/** The rules as esbuild's minified CSS bundle carries them (azure-devops-ui Components/Icon/FluentIcons.css). */
const CSS = [
  '@font-face{font-family:"FluentRegular";src:url(./assets/fluent-regular-v1.1.293-UBGXJHTK.woff2)format("woff2")}',
  '.fluent-icons-enabled .ms-Icon--Refresh:before{font-family:"FluentRegular";content:"\\f13c"}',
  '.fluent-icons-enabled .ms-Icon--Airplane:before{font-family:"FluentRegular";content:"\\f068d"}',
  '.fluent-icons-enabled .ms-Icon--CheckMark:before,.fluent-icons-enabled .ms-Icon--Accept:before{content:"\\f295"}',
  '.fluent-icons-enabled .ms-Icon--ChevronDownMed:before{content:"\\f2a2"}',
  '.bolt-checkmark .fabric-icon:before{content:"\\e73e"}',
  '@media (forced-colors:active){.fluent-icons-enabled .ms-Icon--Cancel:before{content:"\\f36b"}}',
  '.mcd-cell:before{content:""}',
].join('');

describe('hub icon font subset: which code points the bundle can draw', () => {
  const rows: [string, string, number[]][] = [
    ['nothing named: only rules tied to no icon name', 'x=1', [0xe73e]],
    ['a string literal', 'iconProps:{iconName:"Refresh"}', [0xe73e, 0xf13c]],
    ['single quotes and backticks', "n='Refresh',m=`Airplane`", [0xe73e, 0xf13c, 0xf068d]],
    ["one of a rule's names is enough", 'i="Accept"', [0xe73e, 0xf295]],
    ['a class name in markup', 'c="fabric-icon ms-Icon--Cancel"', [0xe73e, 0xf36b]],
    ['a longer name does not count for a prefix', 'i="ChevronDownMedium"', [0xe73e]],
    ['a prefix of a class does not count either', 'c="ms-Icon--RefreshAll"', [0xe73e]],
    ['an identifier is not a name', 'Refresh(1)', [0xe73e]],
  ];
  for (const [name, js, want] of rows)
    it(name, () =>
      assert.deepEqual(
        [...usedIconCodePoints(CSS, js)].sort((a, b) => a - b),
        want.sort((a, b) => a - b),
      ),
    );
});
