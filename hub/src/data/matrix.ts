/**
 * Records → "which version is where": one row per artifact (or, for tasks without an
 * artifact, per task and target), one column per environment in pipeline stage order, each cell
 * the latest record that placed a version there, plus the latest attempt if it is newer and
 * did not succeed (a failed canary leaves the previous version in place, and says so).
 */
import { LedgerRecord } from './model';
import { verificationMark } from './promote-details';

export interface MatrixCellView {
  /** What runs there now: the newest record that put a version in place. */
  current?: LedgerRecord;
  /** A newer record for this cell that did not put its version in place (failed, aborted, canary left short of 100%). */
  latest?: LedgerRecord;
  /** The newest smoke test of this environment after `current` was placed: the cell's verdict. */
  verdict?: LedgerRecord;
  count: number;
}

export interface MatrixRow {
  key: string;
  label: string;
  kind: 'artifact' | 'platform';
  cells: Record<string, MatrixCellView>;
}

export interface MatrixView {
  environments: string[];
  rows: MatrixRow[];
  /** Digest → tags, from every record that named both (a canary by digest still reads "1.4.2"). */
  tagsByDigest: Map<string, string[]>;
  /** Digest → the newest supply-chain gate verdict on it (AcrPromote's verification): the cell's mark. */
  verifiedByDigest: Map<string, { passed: boolean; signer?: string }>;
}

const PLACING = new Set(['AcrPromote', 'CanaryShift']);

/**
 * The matrix row a record belongs to. Artifacts by repository; KeyVaultToOci and OracleDbProvision by
 * task and target; a SmokeTest without an artifact verifies what runs in its environment (undefined).
 */
export function rowKey(r: LedgerRecord): { key: string; label: string; kind: 'artifact' | 'platform' } {
  if (r.artifact?.repository)
    return { key: `a:${r.artifact.repository}`, label: r.artifact.repository, kind: 'artifact' };
  if (r.task === 'SmokeTest')
    return { key: `v:${r.target ?? ''}`, label: `SmokeTest · ${r.target ?? ''}`, kind: 'platform' };
  const target = r.target ? ` · ${r.target}` : '';
  return { key: `p:${r.task}:${r.target ?? ''}`, label: `${r.task}${target}`, kind: 'platform' };
}

export function envOf(r: LedgerRecord): string {
  return r.environment || r.run.stage || '(no environment)';
}

/** Did this record put a version in place? Failures, aborted canaries and canaries short of promotion did not. */
export function placesVersion(r: LedgerRecord): boolean {
  if (r.status !== 'succeeded' && r.status !== 'succeededWithIssues') return false;
  if (r.task === 'CanaryShift') return r.details.outcome === 'promoted';
  return true;
}

function newer(a: LedgerRecord, b?: LedgerRecord): boolean {
  return !b || a.finishedAt > b.finishedAt || (a.finishedAt === b.finishedAt && a.id > b.id);
}

/**
 * Column order: environments whose stage appears in `stageOrder` follow it; the rest follow
 * their average position within runs (dev before prod in every run ⇒ dev first).
 */
export function orderEnvironments(records: LedgerRecord[], stageOrder: string[], extra: string[] = []): string[] {
  const stageIndex = new Map(stageOrder.map((s, i) => [s.toLowerCase(), i]));
  const stats = new Map<string, { stage: number; rankSum: number; n: number; first: string }>();
  const byRun = new Map<string, LedgerRecord[]>();
  for (const r of records) {
    const list = byRun.get(r.run.buildId ?? r.id) ?? [];
    list.push(r);
    byRun.set(r.run.buildId ?? r.id, list);
  }
  for (const list of byRun.values()) {
    const envs: string[] = [];
    for (const r of [...list].sort((a, b) => a.startedAt.localeCompare(b.startedAt)))
      if (!envs.includes(envOf(r))) envs.push(envOf(r));
    envs.forEach((env, i) => {
      const s = stats.get(env) ?? { stage: Infinity, rankSum: 0, n: 0, first: '9' };
      s.rankSum += envs.length > 1 ? i / (envs.length - 1) : 0.5;
      s.n++;
      stats.set(env, s);
    });
    for (const r of list) {
      const s = stats.get(envOf(r))!;
      const idx = Math.min(
        stageIndex.get((r.run.stage ?? '').toLowerCase()) ?? Infinity,
        stageIndex.get(envOf(r).toLowerCase()) ?? Infinity,
      );
      s.stage = Math.min(s.stage, idx);
      if (r.startedAt < s.first) s.first = r.startedAt;
    }
  }
  for (const env of extra)
    if (!stats.has(env))
      stats.set(env, { stage: stageIndex.get(env.toLowerCase()) ?? Infinity, rankSum: 1, n: 1, first: '9' });
  return [...stats.entries()]
    .sort(
      ([an, a], [bn, b]) =>
        a.stage - b.stage ||
        a.rankSum / a.n - b.rankSum / b.n ||
        a.first.localeCompare(b.first) ||
        an.localeCompare(bn),
    )
    .map(([env]) => env);
}

export function buildMatrix(
  all: LedgerRecord[],
  stageOrder: string[] = [],
  extraEnvironments: string[] = [],
): MatrixView {
  // Flagged records (forged identity, no deployment) never decide what a cell shows.
  const records = all.filter((r) => !r.flag);
  const rows = new Map<string, MatrixRow>();
  const smoke: LedgerRecord[] = [];
  const tagsByDigest = new Map<string, string[]>();
  const verifiedByDigest = new Map<string, { passed: boolean; signer?: string }>();
  const gates = records
    .filter((r) => r.task === 'AcrPromote' && r.artifact?.digest)
    .sort((a, b) => a.finishedAt.localeCompare(b.finishedAt));
  for (const r of gates) {
    const mark = verificationMark(r);
    if (mark) verifiedByDigest.set(r.artifact!.digest!, mark);
  }
  // Where a canary runs, it decides what serves traffic: a promotion into that environment's
  // registry only makes the image available (its tags still name the canary's digest).
  const canaried = new Set(records.filter((r) => r.task === 'CanaryShift').map((r) => `${rowKey(r).key}|${envOf(r)}`));
  for (const r of records) {
    if (r.artifact?.digest && r.artifact.tags?.length && r.status !== 'failed')
      tagsByDigest.set(r.artifact.digest, r.artifact.tags);
    if (r.task === 'SmokeTest' && !r.artifact) {
      smoke.push(r);
      continue;
    }
    if (r.task === 'AcrPromote' && canaried.has(`${rowKey(r).key}|${envOf(r)}`)) {
      const row = rows.get(rowKey(r).key);
      if (row?.cells[envOf(r)]) row.cells[envOf(r)].count++;
      continue;
    }
    const { key, label, kind } = rowKey(r);
    const row = rows.get(key) ?? { key, label, kind, cells: {} };
    rows.set(key, row);
    const cell = (row.cells[envOf(r)] ??= { count: 0 });
    cell.count++;
    const placing = PLACING.has(r.task) || kind === 'platform';
    if (placing && placesVersion(r)) {
      if (newer(r, cell.current)) cell.current = r;
    } else if (newer(r, cell.latest)) {
      cell.latest = r;
    }
  }
  // A newer attempt only matters if it came after what is in place.
  for (const row of rows.values()) {
    for (const cell of Object.values(row.cells)) {
      if (cell.latest && cell.current && !newer(cell.latest, cell.current)) cell.latest = undefined;
    }
  }
  // Smoke tests verify what ran in their environment when they ran: the artifact cells the same run
  // placed there, else every artifact cell of that environment placed before the test.
  for (const s of smoke) {
    const env = envOf(s);
    const cells = [...rows.values()]
      .filter((row) => row.kind === 'artifact')
      .map((row) => row.cells[env])
      .filter((c): c is MatrixCellView => !!c?.current);
    const sameRun = cells.filter((c) => c.current!.run.buildId === s.run.buildId);
    for (const c of sameRun.length ? sameRun : cells.filter((c) => c.current!.finishedAt <= s.startedAt)) {
      c.count++;
      if (s.finishedAt >= c.current!.finishedAt && newer(s, c.verdict)) c.verdict = s;
    }
  }
  const sorted = [...rows.values()].sort((a, b) =>
    a.kind === b.kind ? a.label.localeCompare(b.label) : a.kind === 'artifact' ? -1 : 1,
  );
  return {
    environments: orderEnvironments(records, stageOrder, extraEnvironments),
    rows: sorted,
    tagsByDigest,
    verifiedByDigest,
  };
}

/** Records of one cell, newest first: what the matrix opens on click. */
export function cellHistory(records: LedgerRecord[], key: string, environment: string): LedgerRecord[] {
  return records
    .filter((r) => (rowKey(r).key === key || (r.task === 'SmokeTest' && !r.artifact)) && envOf(r) === environment)
    .sort((a, b) => b.finishedAt.localeCompare(a.finishedAt));
}

/** The label a person reads for a version: its first meaningful tag, else a short digest. */
export function tagOrDigest(tags?: string[], digest?: string): string {
  const tag = tags?.find((t) => t !== 'latest') ?? tags?.[0];
  if (tag) return tag;
  if (!digest) return '';
  const [algo, hex] = digest.includes(':') ? digest.split(':', 2) : ['', digest];
  return `${algo ? `${algo}:` : ''}${hex.slice(0, 12)}`;
}
