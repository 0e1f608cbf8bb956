#!/usr/bin/env node
'use strict';
/**
 * The one system-dependency step shared by `npm test`, `npm run demo` and `.ci/run` (issue 19).
 * Plain JavaScript, so it runs before anything is compiled: a missing Debian package is reported in
 * one line before minutes of build, never as a spawn ENOENT stack trace later.
 *
 *   node scripts/system-deps.js <test|demo|ci>
 *
 * Checks each package the command needs (the package's binary on PATH, since that is what the
 * devkit spawns); installs the missing ones with apt-get when it runs as root, otherwise exits 1
 * with the exact command to type. With everything present it does nothing and says so.
 *
 * Test hooks (used by test/unit/system-deps.test.ts): MCDSO_SYSDEPS_PRETEND_MISSING (comma list of
 * packages to treat as missing), MCDSO_SYSDEPS_APT (the apt-get to call), MCDSO_SYSDEPS_AS_ROOT (0 or 1: act as a user or as root).
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

/** Debian package → the binary the devkit starts. One list: the commands pick from it. */
const PACKAGES = {
  'docker-registry': 'docker-registry',
  skopeo: 'skopeo',
  openssl: 'openssl',
  chromium: 'chromium',
  prometheus: 'prometheus',
};
const NEEDS = {
  demo: ['docker-registry', 'skopeo', 'openssl'],
  test: ['docker-registry', 'skopeo', 'openssl', 'chromium', 'prometheus'],
};
NEEDS.ci = NEEDS.test;

function onPath(binary) {
  const dirs = (process.env.PATH || '').split(path.delimiter).concat(['/usr/bin', '/usr/sbin']);
  return dirs.some((dir) => {
    try {
      fs.accessSync(path.join(dir, binary), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function missingPackages(names, pretendToo) {
  const pretend = new Set(
    pretendToo ? (process.env.MCDSO_SYSDEPS_PRETEND_MISSING || '').split(',').filter(Boolean) : [],
  );
  return names.filter((name) => pretend.has(name) || !onPath(PACKAGES[name]));
}

function isRoot() {
  if (process.env.MCDSO_SYSDEPS_AS_ROOT === '0') return false;
  if (process.env.MCDSO_SYSDEPS_AS_ROOT === '1') return true;
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function apt(args) {
  const aptGet = process.env.MCDSO_SYSDEPS_APT || 'apt-get';
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const result = spawnSync(aptGet, args, { stdio: ['ignore', 'ignore', 'pipe'], env, encoding: 'utf8' });
  if (result.error) return `${aptGet} could not start (${result.error.code || result.error.message})`;
  if (result.status !== 0) return `${aptGet} ${args[0]} exited with ${result.status}: ${lastLine(result.stderr)}`;
  return undefined;
}

function lastLine(text) {
  const lines = String(text || '')
    .trim()
    .split('\n');
  return lines[lines.length - 1] || 'no message';
}

function main() {
  const command = process.argv[2];
  if (!NEEDS[command]) {
    console.error(`system-deps: say which command needs the packages: ${Object.keys(NEEDS).join(', ')}`);
    return 2;
  }
  const missing = missingPackages(NEEDS[command], true);
  if (missing.length === 0) {
    console.log(`system packages for '${command}': all present (${NEEDS[command].join(', ')})`);
    return 0;
  }
  const install = `apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (!isRoot()) {
    console.error(
      `missing system packages: ${missing.join(' ')}. Install them with: sudo apt-get update && sudo ${install}`,
    );
    return 1;
  }
  const started = Date.now();
  console.log(`installing missing system packages for '${command}': ${missing.join(' ')} (apt-get, a minute or two)`);
  const failure = apt(['update', '-qq']) || apt(['install', '-y', '-qq', '--no-install-recommends', ...missing]);
  const still = failure ? missing : missingPackages(missing, false);
  if (failure || still.length) {
    const why = failure || `still missing after install: ${still.join(' ')}`;
    console.error(`could not install system packages (${why}). Install them with: apt-get update && ${install}`);
    return 1;
  }
  console.log(`installed ${missing.join(' ')} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return 0;
}

process.exitCode = main();
