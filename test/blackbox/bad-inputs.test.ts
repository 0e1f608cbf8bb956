import { strict as assert } from 'node:assert';
import { ACR_ROWS } from './bad-inputs/rows-acr';
import { CANARY_ROWS } from './bad-inputs/rows-canary';
import { DB_ROWS } from './bad-inputs/rows-db';
import { KV_ROWS } from './bad-inputs/rows-kv';
import { SMOKE_ROWS } from './bad-inputs/rows-smoke';

/** The table itself; each task's rows run from bad-inputs-<task>.test.ts (see bad-inputs/suite.ts). */
describe('bad inputs table', () => {
  const tables = {
    AcrPromote: ACR_ROWS,
    CanaryShift: CANARY_ROWS,
    SmokeTest: SMOKE_ROWS,
    KeyVaultToOci: KV_ROWS,
    OracleDbProvision: DB_ROWS,
  };
  const rows = Object.values(tables).flat();

  it(`has at least 150 rows across the five tasks (${rows.length})`, () => {
    assert.ok(rows.length >= 150, `only ${rows.length} rows`);
    assert.equal(new Set(rows.map((r) => r.task)).size, 5);
    assert.equal(new Set(rows.map((r) => `${r.task}: ${r.why}`)).size, rows.length, 'row names are unique');
  });

  it('each task file runs only its own task, so no row runs twice or never', () => {
    for (const [task, table] of Object.entries(tables)) {
      assert.ok(table.length > 0, `${task} has rows`);
      assert.deepEqual([...new Set(table.map((r) => r.task))], [task], `rows in ${task}'s file name another task`);
    }
  });
});
