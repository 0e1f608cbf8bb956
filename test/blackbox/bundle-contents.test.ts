import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Metafile } from 'esbuild';
import { BUILD_ROOT, ROOT } from '../../devkit/project';

/**
 * What esbuild put into each task bundle (the metafiles scripts/build.ts writes next to the staged
 * extension): every task run parses and initialises all of it, so code the run can never use is start-up
 * CPU on every pipeline (issue 12).
 */
describe('task bundles: no module a run cannot use', function () {
  const dir = path.join(BUILD_ROOT, 'build', 'metafiles');
  const bundles = (): [string, Metafile][] =>
    fs
      .readdirSync(dir)
      .filter((f) => f !== 'hub.json')
      .map((f) => [f, JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as Metafile]);
  /** The package folders (real paths) a bundle took files from whose folder name is `name`. */
  const packageDirs = (meta: Metafile, name: string): Set<string> => {
    const dirs = new Set<string>();
    for (const input of Object.keys(meta.inputs)) {
      const m = new RegExp(`^(.*node_modules/${name})/`).exec(input.replace(/\\/g, '/'));
      if (m) dirs.add(fs.realpathSync(path.resolve(ROOT, m[1])));
    }
    return dirs;
  };

  it('reads the metafiles of every task bundle', () => {
    assert.ok(bundles().length >= 5, `metafiles in ${dir}: run node out/scripts/build.js first`);
  });

  it('one oci-common per bundle, the version package.json names (not one nested under each OCI service)', () => {
    const ours = fs.realpathSync(path.join(ROOT, 'node_modules', 'oci-common'));
    const withOci = bundles().filter(([, meta]) => packageDirs(meta, 'oci-common').size > 0);
    assert.ok(withOci.length >= 3, 'KeyVaultToOci, OracleDbProvision and CanaryShift bundle the OCI SDK');
    for (const [name, meta] of withOci) assert.deepEqual([...packageDirs(meta, 'oci-common')], [ours], name);
  });

  it('the lockfile installs one oci-common (package.json overrides the exact older one each OCI service pins)', () => {
    const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string }>;
    };
    const copies = Object.keys(lock.packages).filter((p) => /(^|\/)node_modules\/oci-common$/.test(p));
    assert.deepEqual(copies, ['node_modules/oci-common']);
  });

  it("node-fetch takes Node's own URL: whatwg-url and tr46 are in no bundle", () => {
    const withNodeFetch = bundles().filter(([, meta]) => packageDirs(meta, 'node-fetch').size > 0);
    assert.ok(withNodeFetch.length >= 3, 'the OCI and Kubernetes SDKs bundle node-fetch');
    for (const [name, meta] of bundles()) {
      assert.deepEqual([...packageDirs(meta, 'whatwg-url'), ...packageDirs(meta, 'tr46')], [], name);
    }
  });
});
