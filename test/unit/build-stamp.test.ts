import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Metafile } from 'esbuild';
import { isCurrent, metafileInputs, readStamp, writeStamp } from '../../scripts/build-stamp';

/**
 * scripts/build-stamp.ts lets `npm test` skip a build whose inputs and outputs are unchanged. A stale
 * "current" would test yesterday's bundles, so every way a build can go stale is a row here.
 */
describe('build stamp: a build is skipped only when nothing it read or wrote changed', () => {
  let root: string;
  let out: string;
  let stampFile: string;
  const write = (file: string, text: string): void => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  };

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'stamp-'));
    out = path.join(root, 'build', 'extension');
    stampFile = path.join(root, 'build', 'stamp.json');
    write(path.join(root, 'tasks', 'A', 'index.ts'), 'export const a = 1;');
    write(path.join(root, 'node_modules', 'lib', 'index.js'), 'module.exports = 2;');
    write(path.join(out, 'tasks', 'A', 'index.js'), 'bundle');
    writeStamp(stampFile, root, ['tasks/A/index.ts', 'node_modules/lib/index.js'], [out], 'env=1');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const current = (extra = 'env=1'): boolean => isCurrent(readStamp(stampFile), root, [out], extra);

  it('is current right after the build that wrote it', () => assert.equal(current(), true));

  const stale: Array<[string, () => void]> = [
    ['a source file edited', () => write(path.join(root, 'tasks', 'A', 'index.ts'), 'export const a = 2;')],
    [
      'a dependency file reinstalled with other content',
      () => write(path.join(root, 'node_modules', 'lib', 'index.js'), 'x'),
    ],
    ['an input removed', () => fs.rmSync(path.join(root, 'node_modules', 'lib', 'index.js'))],
    ['an output edited (a test writing into the stage)', () => write(path.join(out, 'tasks', 'A', 'index.js'), 'b')],
    ['an output added', () => write(path.join(out, 'tasks', 'A', 'stray.js'), '')],
    ['an output removed', () => fs.rmSync(path.join(out, 'tasks', 'A', 'index.js'))],
    ['the stamp unreadable', () => write(stampFile, '{')],
    ['no stamp (a build that crashed removed it first)', () => fs.rmSync(stampFile)],
  ];
  for (const [what, change] of stale) {
    it(`is stale after ${what}`, () => {
      change();
      assert.equal(current(), false);
    });
  }

  it('is stale when what is not a file changed (environment, folder listings)', () => {
    assert.equal(current('env=2'), false);
  });

  it('compares contents, not times: a file rewritten with the same bytes keeps the build', () => {
    const file = path.join(root, 'tasks', 'A', 'index.ts');
    fs.writeFileSync(file, fs.readFileSync(file));
    fs.utimesSync(file, new Date(Date.now() + 60_000), new Date(Date.now() + 60_000));
    assert.equal(current(), true);
  });

  it("names esbuild's metafile inputs relative to the root, without plugin namespaces", () => {
    const meta = {
      inputs: {
        'tasks/A/index.ts': { bytes: 1, imports: [] },
        '../elsewhere/node_modules/lib/index.js': { bytes: 1, imports: [] },
        'lazy-require:./execute.js': { bytes: 1, imports: [] },
      },
      outputs: {},
    } as unknown as Metafile;
    assert.deepEqual(metafileInputs([meta], root, path.join(root, 'sub')), [
      'elsewhere/node_modules/lib/index.js',
      'sub/tasks/A/index.ts',
    ]);
  });
});
