import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** `npm run bench`: every benchmark in bench/ (each also runs alone: node out/bench/<name>.js). */
const skip = new Set(['run.js', 'results.js']);
const benches = fs
  .readdirSync(__dirname)
  .filter((f) => f.endsWith('.js') && !skip.has(f))
  .sort();
let failed = 0;
for (const bench of benches) {
  console.log(`\n== ${bench.replace(/\.js$/, '')}`);
  const result = spawnSync(process.execPath, [path.join(__dirname, bench)], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
