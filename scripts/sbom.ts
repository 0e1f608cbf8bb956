import type { Metafile } from 'esbuild';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BUILD_ROOT, ROOT, packageVersion, vsixPath } from '../devkit/project';
import { LicencedComponent, licenceProblems } from './licences';

/**
 * The CycloneDX SBOM of what the .vsix bundles: npm's own `npm sbom` (offline, from the lockfile and
 * node_modules) filtered to the packages esbuild actually put into a bundle (its metafiles, written by
 * scripts/build.ts), so the SBOM lists what a user installs and not our whole dependency tree.
 */
export const METAFILE_DIR = path.join(BUILD_ROOT, 'build', 'metafiles');

export function sbomPath(): string {
  return vsixPath().replace(/\.vsix$/, '.cdx.json');
}

export function writeMetafiles(metafiles: Record<string, Metafile>): void {
  fs.rmSync(METAFILE_DIR, { recursive: true, force: true });
  fs.mkdirSync(METAFILE_DIR, { recursive: true });
  for (const [name, meta] of Object.entries(metafiles)) {
    fs.writeFileSync(path.join(METAFILE_DIR, `${name}.json`), JSON.stringify(meta));
  }
}

/** `name@version` of every npm package with at least one input file in the bundles. */
export function bundledPackages(metafiles: Metafile[], root = ROOT): Set<string> {
  const dirs = new Set<string>();
  for (const meta of metafiles) {
    for (const input of Object.keys(meta.inputs)) {
      const m = /^(.*node_modules\/)((?:@[^/]+\/)?[^/]+)\//.exec(input.replace(/\\/g, '/'));
      if (m) dirs.add(m[1] + m[2]);
    }
  }
  const ids = new Set<string>();
  for (const dir of dirs) {
    const pkg = JSON.parse(fs.readFileSync(path.resolve(root, dir, 'package.json'), 'utf8')) as {
      name: string;
      version: string;
    };
    ids.add(`${pkg.name}@${pkg.version}`);
  }
  return ids;
}

interface CdxComponent {
  'bom-ref': string;
  name: string;
  version: string;
  licenses?: { license?: { id?: string; name?: string }; expression?: string }[];
}
interface CdxBom {
  metadata: { component: { name: string; version: string } };
  components: CdxComponent[];
  dependencies?: { ref: string; dependsOn?: string[] }[];
}

function licenceOf(c: CdxComponent): string | undefined {
  const parts = (c.licenses ?? []).map((l) => l.expression ?? l.license?.id ?? l.license?.name).filter(Boolean);
  return parts.length ? parts.join(' AND ') : undefined;
}

/** npm's SBOM reduced to the bundled packages; throws naming any bundled package npm does not know. */
export function bundledSbom(full: CdxBom, bundled: Set<string>, name: string): CdxBom {
  const components = full.components.filter((c) => bundled.has(`${c.name}@${c.version}`));
  const found = new Set(components.map((c) => `${c.name}@${c.version}`));
  const unknown = [...bundled].filter((id) => !found.has(id));
  if (unknown.length) throw new Error(`bundled but missing from npm sbom (run npm install): ${unknown.join(', ')}`);
  const refs = new Set([full.metadata.component.name, ...components.map((c) => c['bom-ref'])]);
  return {
    ...full,
    metadata: { ...full.metadata, component: { ...full.metadata.component, name } },
    components,
    dependencies: full.dependencies
      ?.filter((d) => refs.has(d.ref))
      .map((d) => ({ ...d, dependsOn: d.dependsOn?.filter((r) => refs.has(r)) })),
  };
}

export function componentsOf(bom: CdxBom): LicencedComponent[] {
  return bom.components.map((c) => ({ name: c.name, version: c.version, licence: licenceOf(c) }));
}

/** Writes dist/<vsix name>.cdx.json; throws if a bundled package's licence is outside the allow-list. */
export function writeSbom(): string {
  if (!fs.existsSync(METAFILE_DIR)) throw new Error('build/metafiles is missing: run npm run build first.');
  const metafiles = fs
    .readdirSync(METAFILE_DIR)
    .map((f) => JSON.parse(fs.readFileSync(path.join(METAFILE_DIR, f), 'utf8')) as Metafile);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  // Dev dependencies included on purpose: a few (azure-pipelines-task-lib) can be bundled; the filter decides.
  const full = JSON.parse(
    execFileSync(npm, ['sbom', '--sbom-format', 'cyclonedx', '--sbom-type', 'application'], {
      cwd: ROOT,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    }),
  ) as CdxBom;
  const pkgName = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string }).name;
  const bom = bundledSbom(full, bundledPackages(metafiles), pkgName);
  bom.metadata.component.version = packageVersion();
  const problems = licenceProblems(componentsOf(bom));
  if (problems.length) throw new Error(`licence check failed:\n  ${problems.join('\n  ')}`);
  const out = sbomPath();
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(bom, null, 2) + '\n');
  return out;
}

if (require.main === module) {
  try {
    const out = writeSbom();
    const n = (JSON.parse(fs.readFileSync(out, 'utf8')) as CdxBom).components.length;
    console.log(`SBOM: ${path.relative(ROOT, out)} (${n} bundled packages, licences allowed)`);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}
