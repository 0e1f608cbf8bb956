import type { Metafile } from 'esbuild';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BUILD_ROOT } from '../devkit/project';

/**
 * Whether a build's output still matches its inputs, so that a repeated `npm test` (or `npm run build`,
 * `npm run package`) skips what would only write the same bytes again: esbuild over the five tasks and the
 * hub is ~20 s of CPU, the SBOM and tfx ~6 s, all before the first test can start.
 *
 * A stamp lists every file the build read — each bundle's esbuild metafile inputs (sources and the
 * node_modules files they pulled in) plus the files the build copies or is made of — with one digest of
 * their contents, and one digest of everything the build wrote. The build is current only when both
 * digests are unchanged: an edit, a dependency reinstalled, a test writing into the stage, a new
 * tasks/<Name>/lazy-*.ts (the folder listings are inputs too) all make it stale. Contents, not mtimes:
 * a checkout that rewrites identical files keeps the build.
 */
export interface Stamp {
  inputs: string[];
  inputDigest: string;
  outputDigest: string;
}

/** The stamp of build/extension (scripts/build.ts); `npm run package` writes its own beside the .vsix. */
export const BUILD_STAMP = path.join(BUILD_ROOT, 'build', 'extension.stamp.json');

/** Every file under `dir` (relative, '/'-separated, sorted); none if it does not exist. */
export function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.relative(dir, path.join(d.parentPath, d.name)).split(path.sep).join('/'))
    .sort();
}

/** One digest of the named files' paths and contents (a missing file counts, as missing). */
export function digestFiles(root: string, files: readonly string[], extra = ''): string {
  const hash = createHash('sha256').update(`${extra}\0`);
  for (const file of [...files].sort()) {
    hash.update(`${file}\0`);
    try {
      hash.update(fs.readFileSync(path.resolve(root, file)));
    } catch {
      hash.update('\0missing');
    }
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** The input files of esbuild metafiles, relative to `root` (esbuild names them relative to its working dir). */
export function metafileInputs(metafiles: readonly Metafile[], root: string, cwd = process.cwd()): string[] {
  const out = new Set<string>();
  for (const meta of metafiles) {
    for (const input of Object.keys(meta.inputs)) {
      // Virtual modules (a plugin's namespace, e.g. "lazy-require:./execute.js") are not files.
      if (/^[a-z-]+:/.test(input)) continue;
      out.add(path.relative(root, path.resolve(cwd, input)).split(path.sep).join('/'));
    }
  }
  return [...out].sort();
}

/** The digest of what a build wrote: every file under the given output folders (absolute paths). */
export function outputDigest(outputDirs: readonly string[]): string {
  return digestFiles(
    '/',
    outputDirs.flatMap((dir) => filesUnder(dir).map((f) => path.join(dir, f))),
  );
}

export function readStamp(file: string): Stamp | undefined {
  try {
    const stamp = JSON.parse(fs.readFileSync(file, 'utf8')) as Stamp;
    return Array.isArray(stamp.inputs) ? stamp : undefined;
  } catch {
    return undefined;
  }
}

/**
 * True when the stamp's inputs (relative to `root`) and the outputs (absolute folders) hash as they did after
 * that build. `extra` is what else the build depends on that is not a file's content (environment variables
 * it reads, folder listings).
 */
export function isCurrent(stamp: Stamp | undefined, root: string, outputDirs: readonly string[], extra = ''): boolean {
  if (!stamp) return false;
  return (
    digestFiles(root, stamp.inputs, extra) === stamp.inputDigest && outputDigest(outputDirs) === stamp.outputDigest
  );
}

export function writeStamp(
  file: string,
  root: string,
  inputs: readonly string[],
  outputDirs: readonly string[],
  extra = '',
): void {
  const sorted = [...new Set(inputs)].sort();
  const stamp: Stamp = {
    inputs: sorted,
    inputDigest: digestFiles(root, sorted, extra),
    outputDigest: outputDigest(outputDirs),
  };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(stamp, null, 1));
}
