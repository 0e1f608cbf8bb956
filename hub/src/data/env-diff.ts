/**
 * Two environments side by side (what would change if B got what A has), and the rollback hint of a
 * cell: the last version that was in place there before the current one, and the run that put it
 * there. Pure functions of the matrix and the records (a flagged record never counts).
 */
import { MatrixView, cellHistory, envOf, placesVersion, tagOrDigest } from './matrix';
import { LedgerRecord } from './model';

export interface VersionAt {
  version: string;
  digest?: string;
  record: LedgerRecord;
}

export interface DiffRow {
  key: string;
  label: string;
  a?: VersionAt;
  b?: VersionAt;
  same: boolean;
}

/** The label a person reads for what a record placed: its tag (or a tag another record gave the digest). */
export function versionOf(r: LedgerRecord, tagsByDigest: Map<string, string[]>): string {
  const a = r.artifact;
  if (!a) return r.summary || r.task;
  const tags = a.tags?.length ? a.tags : a.digest ? tagsByDigest.get(a.digest) : undefined;
  return tags?.find((t) => t !== 'latest' && t !== 'production') ?? tagOrDigest(tags, a.digest);
}

function at(r: LedgerRecord | undefined, tags: Map<string, string[]>): VersionAt | undefined {
  return r ? { version: versionOf(r, tags), digest: r.artifact?.digest, record: r } : undefined;
}

/** Every row of the matrix with what runs in A and in B; `same` when both run the same digest (or summary). */
export function environmentDiff(matrix: MatrixView, a: string, b: string): DiffRow[] {
  return matrix.rows
    .map((row) => {
      const x = at(row.cells[a]?.current, matrix.tagsByDigest);
      const y = at(row.cells[b]?.current, matrix.tagsByDigest);
      const same = !!x && !!y && (x.digest && y.digest ? x.digest === y.digest : x.version === y.version);
      return { key: row.key, label: row.label, a: x, b: y, same };
    })
    .filter((r) => r.a || r.b);
}

/**
 * What to roll back to in a cell: the newest record before the current one that put a different
 * version in place there (an aborted or failed attempt never counts), with the run that promoted it.
 */
export function rollbackHint(
  records: LedgerRecord[],
  matrix: MatrixView,
  key: string,
  environment: string,
): VersionAt | undefined {
  const current = matrix.rows.find((r) => r.key === key)?.cells[environment]?.current;
  if (!current?.artifact?.digest) return undefined;
  const previous = cellHistory(
    records.filter((r) => !r.flag),
    key,
    environment,
  ).find(
    (r) =>
      r.finishedAt < current.finishedAt &&
      envOf(r) === environment &&
      placesVersion(r) &&
      // Where a canary runs, only a promoted canary served traffic (a promotion alone did not).
      r.task === current.task &&
      !!r.artifact?.digest &&
      r.artifact.digest !== current.artifact!.digest,
  );
  return at(previous, matrix.tagsByDigest);
}
