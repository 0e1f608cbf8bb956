import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { taskJsonProblems } from '../devkit/agent/task-json-rules';
import { BUILD_ROOT, DIST_DIR, ROOT, STAGE_DIR, vsixPath } from '../devkit/project';
import { BUILD_STAMP, isCurrent, readStamp, writeStamp } from './build-stamp';
import { writeSbom } from './sbom';

/**
 * The .vsix and SBOM are a function of the staged build (its stamp digests all of it), the lockfile
 * (the SBOM's versions) and these scripts: when none changed and dist/ is as packaging left it, the
 * ~6 s of `npm sbom` and tfx are skipped (scripts/build-stamp.ts).
 */
const PACKAGE_STAMP = path.join(BUILD_ROOT, 'build', 'package.stamp.json');
const PACKAGE_INPUTS = [
  BUILD_STAMP,
  'package-lock.json',
  ...['package.js', 'sbom.js', 'licences.js'].map((f) => path.join(__dirname, f)),
];

/** Every staged task.json against the rules of the official tasks.schema.json. */
function stagedTaskProblems(): string[] {
  const tasks = path.join(STAGE_DIR, 'tasks');
  if (!fs.existsSync(tasks)) return [];
  return fs.readdirSync(tasks).flatMap((name) => {
    const file = path.join(tasks, name, 'task.json');
    if (!fs.existsSync(file)) return [];
    return taskJsonProblems(JSON.parse(fs.readFileSync(file, 'utf8'))).map((p) => `${name}: ${p}`);
  });
}

/** Packs build/extension into dist/multicloud-devsecops-<version>.vsix with tfx-cli, offline. */
function main(): void {
  if (!fs.existsSync(path.join(STAGE_DIR, 'vss-extension.json')))
    throw new Error('build/extension is missing: run npm run build first.');
  if (process.env.MCDSO_FULL_BUILD !== '1' && isCurrent(readStamp(PACKAGE_STAMP), ROOT, [DIST_DIR])) {
    console.log(`${path.relative(ROOT, vsixPath())} is current: build/extension has not changed since it was packed`);
    return;
  }
  fs.rmSync(PACKAGE_STAMP, { force: true });
  fs.mkdirSync(DIST_DIR, { recursive: true });
  // The licence check comes first: a bundle with a licence outside the allow-list is never packed.
  const sbom = writeSbom();
  const out = vsixPath();
  fs.rmSync(out, { force: true });
  const tfx = path.join(ROOT, 'node_modules', 'tfx-cli', '_build', 'tfx-cli.js');
  const problems = stagedTaskProblems();
  if (problems.length) throw new Error(`task.json breaks tasks.schema.json:\n${problems.join('\n')}`);
  const tfxRun = spawnSync(
    process.execPath,
    [
      tfx,
      'extension',
      'create',
      '--root',
      STAGE_DIR,
      '--manifest-globs',
      'vss-extension.json',
      '--output-path',
      out,
      '--no-prompt',
      '--no-color',
    ],
    // tfx checks npm for a newer version of itself unless told not to.
    { encoding: 'utf8', env: { ...process.env, TFX_TRACE: '', NO_UPDATE_NOTIFIER: '1' } },
  );
  const said = `${tfxRun.stdout ?? ''}\n${tfxRun.stderr ?? ''}`;
  if (tfxRun.status !== 0) throw new Error(`tfx extension create failed (exit ${tfxRun.status}):\n${said}`);
  // tfx only warns about what the Marketplace or the server refuses later ("will be treated as an error").
  const warnings = said.split(/\r?\n/).filter((l) => /warn/i.test(l));
  if (warnings.length) {
    fs.rmSync(out, { force: true });
    throw new Error(`tfx warned; fix these before packaging:\n${warnings.join('\n')}`);
  }
  writeStamp(PACKAGE_STAMP, ROOT, PACKAGE_INPUTS, [DIST_DIR]);
  const bytes = fs.statSync(out).size;
  console.log(
    `packaged ${path.relative(ROOT, out)} (${(bytes / 1024 / 1024).toFixed(2)} MB), SBOM ${path.relative(ROOT, sbom)}`,
  );
}

main();
