import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The Debian tools the devkit starts (docker-registry, skopeo, openssl, prometheus). A missing one
 * is reported in one line naming the package and the command that installs it, instead of a
 * spawn ENOENT stack trace minutes into a run (issue 19). scripts/system-deps.js installs them up front.
 */
export class MissingToolError extends Error {
  constructor(
    readonly binary: string,
    readonly debianPackage: string,
  ) {
    super(
      `${binary} is not installed (Debian package '${debianPackage}'): run 'node scripts/system-deps.js test' as root, or 'apt-get install -y ${debianPackage}'`,
    );
    this.name = 'MissingToolError';
  }
}

/** The absolute path of `binary` on PATH (or /usr/bin, /usr/sbin), or a MissingToolError. */
export function requireTool(binary: string, debianPackage = binary): string {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).concat(['/usr/bin', '/usr/sbin']);
  for (const dir of dirs) {
    const candidate = path.join(dir, binary);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  throw new MissingToolError(binary, debianPackage);
}
