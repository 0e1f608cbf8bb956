import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DIST_DIR, ROOT, STAGE_DIR, vsixPath } from '../devkit/project';
import { writeSbom } from './sbom';

/** Packs build/extension into dist/multicloud-devsecops-<version>.vsix with tfx-cli, offline. */
function main(): void {
  if (!fs.existsSync(path.join(STAGE_DIR, 'vss-extension.json'))) throw new Error('build/extension is missing: run npm run build first.');
  fs.mkdirSync(DIST_DIR, { recursive: true });
  // The licence check comes first: a bundle with a licence outside the allow-list is never packed.
  const sbom = writeSbom();
  const out = vsixPath();
  fs.rmSync(out, { force: true });
  const tfx = path.join(ROOT, 'node_modules', 'tfx-cli', '_build', 'tfx-cli.js');
  execFileSync(process.execPath, [tfx, 'extension', 'create', '--root', STAGE_DIR, '--manifest-globs', 'vss-extension.json', '--output-path', out, '--no-prompt', '--no-color'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    // tfx checks npm for a newer version of itself unless told not to.
    env: { ...process.env, TFX_TRACE: '', NO_UPDATE_NOTIFIER: '1' },
  });
  const bytes = fs.statSync(out).size;
  console.log(`packaged ${path.relative(ROOT, out)} (${(bytes / 1024 / 1024).toFixed(2)} MB), SBOM ${path.relative(ROOT, sbom)}`);
}

main();
