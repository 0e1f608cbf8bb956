/**
 * The ledger records the packaged tasks wrote in scripts/hub-fixtures.ts (checked in): the only
 * records the hub's tests, preview and bench start from. Regenerate with
 * `npm run package && node out/scripts/hub-fixtures.js`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LedgerRecord } from '../../tasks/common/ledger';
import { ROOT } from '../project';

export const RECORDS_DIR = path.join(ROOT, 'devkit', 'ado-host', 'fixtures', 'records');

export type Scenario = 'success' | 'abort' | 'failure' | 'partial';

export interface GeneratedRecord {
  file: string;
  scenario: Scenario;
  record: LedgerRecord;
}

export function generatedRecords(): GeneratedRecord[] {
  if (!fs.existsSync(RECORDS_DIR))
    throw new Error(`No generated records in ${RECORDS_DIR}: run node out/scripts/hub-fixtures.js`);
  return fs
    .readdirSync(RECORDS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({
      file,
      scenario: file.split('-')[1] as Scenario,
      record: JSON.parse(fs.readFileSync(path.join(RECORDS_DIR, file), 'utf8')) as LedgerRecord,
    }));
}
