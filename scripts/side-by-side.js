#!/usr/bin/env node
'use strict';
/**
 * Runs npm scripts at the same time and fails if any fails: `npm test` lints while it packages and
 * then runs mocha (test:suite). Lint (with the hub's type check, which nothing in the suite needs first)
 * is one single-threaded process of ~100 s of CPU from cold; packaging takes about half of that (a
 * quarter once tsc's incremental state is in out/), so lint run beside packaging alone left one of two
 * cores idle for the rest, while beside the suite it fills the time the suite's workers wait on servers
 * and real clocks. The first script's output is shown live; the others' is held and shown when they end,
 * so the log never interleaves. Arguments after `--` go to the first script
 * (`npm test -- out/test/unit/*.test.js`).
 *
 *   node scripts/side-by-side.js <script> [<script> ...] [-- <arguments of the first script>]
 *
 * Plain JavaScript, like system-deps.js: it runs before anything is compiled.
 */
const { spawn } = require('node:child_process');

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(script, live, args) {
  return new Promise((resolve) => {
    const argv = ['run', '--silent', script, ...(args.length ? ['--', ...args] : [])];
    const child = spawn(npm, argv, { stdio: live ? 'inherit' : ['ignore', 'pipe', 'pipe'] });
    const held = [];
    if (!live) {
      child.stdout.on('data', (c) => held.push(c));
      child.stderr.on('data', (c) => held.push(c));
    }
    child.on('error', (err) => resolve({ script, code: 1, held: [Buffer.from(`${err.message}\n`)] }));
    child.on('close', (code, signal) => resolve({ script, code: code ?? (signal ? 1 : 0), held }));
  });
}

async function main(argv) {
  const dash = argv.indexOf('--');
  const scripts = dash < 0 ? argv : argv.slice(0, dash);
  const args = dash < 0 ? [] : argv.slice(dash + 1);
  if (!scripts.length) {
    process.stderr.write('usage: node scripts/side-by-side.js <npm script> [<npm script> ...] [-- <arguments>]\n');
    return 2;
  }
  const results = await Promise.all(scripts.map((s, i) => run(s, i === 0, i === 0 ? args : [])));
  let failed = 0;
  for (const r of results) {
    if (r.held.length) process.stdout.write(Buffer.concat(r.held));
    if (r.code !== 0) {
      failed += 1;
      process.stderr.write(`npm run ${r.script} failed (exit code ${r.code})\n`);
    }
  }
  return failed ? 1 : 0;
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
