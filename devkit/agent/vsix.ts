import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { vsixPath } from '../project';
import { extractZip } from './unzip';

let extracted: string | undefined;

/** The packaged extension, extracted once per test run: black-box tests run what users install. */
export function extractedVsix(): string {
  if (extracted) return extracted;
  const vsix = vsixPath();
  if (!fs.existsSync(vsix)) throw new Error(`${vsix} is missing: npm test packages it first (npm run package).`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcdso-vsix-'));
  extractZip(vsix, dir);
  extracted = dir;
  return dir;
}

export function packagedTaskDir(task: string): string {
  return path.join(extractedVsix(), 'tasks', task);
}
