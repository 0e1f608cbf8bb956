import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { Metafile } from 'esbuild';
import { licenceAllowed, licenceProblems } from '../../scripts/licences';
import { bundledPackages, bundledSbom } from '../../scripts/sbom';
import { ROOT } from '../../devkit/project';

describe('licence allow-list for the bundled packages', () => {
  const table: [string | undefined, boolean][] = [
    ['MIT', true],
    ['Apache-2.0', true],
    ['(UPL-1.0 OR Apache-2.0)', true],
    ['(AFL-2.1 OR BSD-3-Clause)', true],
    ['GPL-3.0-only', false],
    ['AGPL-3.0-or-later OR SSPL-1.0', false],
    ['MIT AND GPL-2.0-only', false],
    ['(MIT OR GPL-2.0-only) AND Apache-2.0', true],
    ['Apache-2.0 WITH LLVM-exception', true],
    ['GPL-2.0-only WITH Classpath-exception-2.0', false],
    ['SEE LICENSE IN LICENSE.txt', false],
    ['', false],
    [undefined, false],
  ];
  for (const [expression, ok] of table) {
    it(`${expression === undefined ? '(none declared)' : JSON.stringify(expression)} → ${ok ? 'allowed' : 'refused'}`, () => {
      assert.equal(licenceAllowed(expression), ok);
    });
  }

  it('names the package, its licence and the fix for a bundled package with a bad licence', () => {
    const problems = licenceProblems([
      { name: 'oci-common', version: '2.142.1', licence: '(UPL-1.0 OR Apache-2.0)' },
      { name: 'left-pad-gpl', version: '1.0.0', licence: 'GPL-3.0-only' },
      { name: 'mystery', version: '0.0.1', licence: undefined },
    ]);
    assert.equal(problems.length, 2);
    assert.match(
      problems[0],
      /^left-pad-gpl@1\.0\.0 is bundled but its licence \(GPL-3\.0-only\) is not in the allow-list/,
    );
    assert.match(problems[1], /^mystery@0\.0\.1 .*\(none declared\).*replace the package/);
  });

  it('keeps only packages esbuild bundled, read from the metafile, with their installed versions', () => {
    const yamlVersion = (
      JSON.parse(fs.readFileSync(`${ROOT}/node_modules/yaml/package.json`, 'utf8')) as { version: string }
    ).version;
    const meta = {
      inputs: { 'node_modules/yaml/dist/index.js': {}, 'tasks/common/inputs.ts': {} },
      outputs: {},
    } as unknown as Metafile;
    const bundled = bundledPackages([meta]);
    assert.deepEqual([...bundled], [`yaml@${yamlVersion}`]);
    const full = {
      metadata: { component: { name: 'tooling', version: '0.1.0' } },
      components: [
        {
          'bom-ref': `yaml@${yamlVersion}`,
          name: 'yaml',
          version: yamlVersion,
          licenses: [{ license: { id: 'ISC' } }],
        },
        { 'bom-ref': 'mocha@1.0.0', name: 'mocha', version: '1.0.0' },
      ],
      dependencies: [{ ref: 'tooling', dependsOn: [`yaml@${yamlVersion}`, 'mocha@1.0.0'] }],
    };
    const bom = bundledSbom(full, bundled, 'multicloud-devsecops');
    assert.deepEqual(
      bom.components.map((c) => c.name),
      ['yaml'],
    );
    assert.equal(bom.metadata.component.name, 'multicloud-devsecops');
    assert.throws(() => bundledSbom(full, new Set(['ghost@1.0.0']), 'x'), /missing from npm sbom.*ghost@1\.0\.0/);
  });
});
