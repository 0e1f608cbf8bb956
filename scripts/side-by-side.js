#!/usr/bin/env node
'use strict';
/**
 * Runs npm scripts at the same time and fails if any fails: `npm test`'s pretest lints while it
 * packages (each is single-threaded, and the machine has two cores). The first script's output is
 * shown live; the others' is held and shown when they end, so the log never interleaves.
 *
 *   node scripts/side-by-side.js <script> [<script> ...]
 *
 * Plain JavaScript, like system-deps.js: it runs before anything is compiled.
 */
const { spawn } = require('node:child_process');

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(script, live) {
  return new Promise((resolve) => {
    const child = spawn(npm, ['run', '--silent', script], { stdio: live ? 'inherit' : ['ignore', 'pipe', 'pipe'] });
    const held = [];
    if (!live) {
      child.stdout.on('data', (c) => held.push(c));
      child.stderr.on('data', (c) => held.push(c));
    }
    child.on('error', (err) => resolve({ script, code: 1, held: [Buffer.from(`${err.message}\n`)] }));
    child.on('close', (code, signal) => resolve({ script, code: code ?? (signal ? 1 : 0), held }));
  });
}

async function main(scripts) {
  if (!scripts.length) {
    process.stderr.write('usage: node scripts/side-by-side.js <npm script> [<npm script> ...]\n');
    return 2;
  }
  const results = await Promise.all(scripts.map((s, i) => run(s, i === 0)));
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
