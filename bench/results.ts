import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../devkit/project';

/** Benchmarks write their figures to bench/results/<name>.json (git-ignored) for the closing notes. */
export function writeResult(name: string, data: unknown): void {
  const dir = path.join(ROOT, 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, `${name}.json`),
    JSON.stringify({ name, at: new Date().toISOString(), node: process.version, ...(data as object) }, null, 2),
  );
}
