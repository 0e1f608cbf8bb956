import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ESLint } from 'eslint';
import { ROOT } from '../../devkit/project';

/**
 * The import arrows of ARCHITECTURE.md are enforced by eslint.config.mjs (no-restricted-imports per part).
 * These lint source text as if it lived at the given path, with the project's own config; type-aware
 * parsing is switched off here only because the boundary rule needs no types (and a program costs seconds).
 */
const BOUNDARY_RULES = ['no-restricted-imports', 'no-restricted-syntax'];

describe('lint: import boundaries', function () {
  this.timeout(60_000);
  let eslint: ESLint;
  before(() => {
    eslint = new ESLint({
      cwd: ROOT,
      overrideConfig: { languageOptions: { parserOptions: { projectService: false, project: null } } },
      ruleFilter: ({ ruleId }) => BOUNDARY_RULES.includes(ruleId),
    });
  });

  async function boundaryErrors(file: string, code: string): Promise<string[]> {
    const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
    assert.deepEqual(
      result.messages.filter((m) => m.fatal),
      [],
      'the probe must parse',
    );
    return result.messages.filter((m) => BOUNDARY_RULES.includes(m.ruleId ?? '')).map((m) => m.message);
  }

  const violations: [string, string, string][] = [
    ['tasks/common/probe.ts', "import { ROOT } from '../../devkit/project';", 'devkit'],
    ['tasks/SmokeTest/probe.ts', "import { startPrometheus } from '../../devkit/emulators/prometheus';", 'devkit'],
    ['tasks/CanaryShift/plan/probe.ts', "import { x } from '../../../test/unit/fixtures';", 'test'],
    ['tasks/AcrPromote/probe.ts', "import { main } from '../../scripts/build';", 'scripts'],
    ['tasks/KeyVaultToOci/probe.ts', "const r = require('../../bench/results');", 'bench'],
    ['tasks/CanaryShift/analysis/probe.ts', "import { parseChecks } from '../../SmokeTest/options';", 'SmokeTest'],
    ['tasks/common/probe.ts', "import { definition } from '../AcrPromote/definition';", 'AcrPromote'],
    ['hub/src/ui/probe.tsx', "import { sampleData } from '../../../devkit/ado-host/sample-data';", 'devkit'],
    ['hub/src/probe.ts', "export { something } from '../../test/hub/support';", 'test'],
    ['scripts/probe.ts', "import { fixtures } from '../test/blackbox/fixtures';", 'test'],
    ['bench/probe.ts', "import('../test/smoke/helpers').then(() => undefined);", 'test'],
    ['devkit/agent/probe.ts', "import { shapes } from '../../test/security/shapes';", 'test'],
  ];
  for (const [file, code, part] of violations) {
    it(`reports ${file} importing ${part}/`, async () => {
      const errors = await boundaryErrors(file, code);
      assert.equal(errors.length, 1, `expected one boundary error for: ${code}`);
      assert.match(errors[0], new RegExp(`may not import (\\w+/, )*${part}/`));
    });
  }

  const allowed: [string, string][] = [
    ['tasks/SmokeTest/probe.ts', "import { runChecks } from '../common/checks/run-checks';"],
    ['tasks/common/probe.ts', "import { test } from 'node:test';"],
    ['hub/src/probe.ts', "import { TaskName } from '../../tasks/common/ledger';"],
    ['scripts/probe.ts', "import { ROOT } from '../devkit/project';"],
    ['bench/probe.ts', "import { startPrometheus } from '../devkit/emulators/prometheus';"],
    ['test/unit/probe.ts', "import { ROOT } from '../../devkit/project';\nimport { main } from '../../scripts/build';"],
  ];
  for (const [file, code] of allowed) {
    it(`allows ${file}: ${code.split('\n')[0]}`, async () => {
      assert.deepEqual(await boundaryErrors(file, code), []);
    });
  }

  it('is run by npm test (npm run lint beside packaging and the suite: hub type check, eslint over the tree)', () => {
    const scripts = (
      JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    // The system packages are checked first (issue 19), then lint runs beside the packaging and the suite
    // (side-by-side.js fails if either fails); the suite's script packages before mocha starts: the steps of
    // `npm run package` but the hub's type check, which emits nothing the suite needs and runs in lint.
    assert.equal(scripts.pretest, 'node scripts/system-deps.js test');
    assert.equal(scripts.test, 'node scripts/side-by-side.js test:suite lint --');
    assert.equal(scripts.package, 'npm run build && node out/scripts/package.js');
    assert.equal(scripts.build, 'npm run compile && node out/scripts/build.js');
    // `tsc -b`: a tree already built is checked by timestamps (~1.5 s of CPU) instead of re-read (~10 s).
    assert.match(scripts.compile, /^tsc -b tsconfig\.json && tsc -b hub\/tsconfig\.json( |$)/);
    const packaging = 'tsc -b tsconfig.json && node out/scripts/build.js && node out/scripts/package.js && ';
    assert.ok(scripts['test:suite'].startsWith(packaging), scripts['test:suite']);
    assert.match(scripts['test:suite'], /node out\/scripts\/run-tests\.js$/);
    assert.match(
      scripts.lint,
      /^tsc -b hub\/tsconfig\.json .*&& eslint .* \. && prettier --check (--cache --cache-location \S+ )?\.$/,
    );
  });
});
