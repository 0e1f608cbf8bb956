/**
 * Ledger attachments are written by pipeline jobs: untrusted JSON. The shared validator
 * (tasks/common/record) keeps only well-typed fields of the schema and caps string lengths.
 */
import { parseRecordText } from '../../../tasks/common/record';
import { LedgerRecord } from './model';

export function parseLedgerRecord(text: string): LedgerRecord | { error: string } {
  const v = parseRecordText(text);
  return v.ok ? v.record : { error: v.error };
}

export function isRecord(v: LedgerRecord | { error: string }): v is LedgerRecord {
  return !('error' in v && !('schema' in v));
}
