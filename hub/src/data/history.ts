/** History view's filter: pure, so the same predicate is tested here and used by the UI. */
import { LedgerRecord, RecordStatus, TaskName } from './model';
import { envOf, rowKey } from './matrix';

export interface HistoryFilter {
  /** Row key from the matrix (artifact or task·target). */
  artifact?: string;
  environment?: string;
  task?: TaskName;
  status?: RecordStatus;
  /** Case-insensitive; matched against summary, target, digest, tags, run number, error. */
  text?: string;
}

export function searchableText(r: LedgerRecord): string {
  return [
    r.summary,
    r.target,
    r.artifact?.repository,
    r.artifact?.digest,
    ...(r.artifact?.tags ?? []),
    r.run.buildNumber,
    r.run.pipeline,
    r.run.requestedFor,
    r.error,
    envOf(r),
    r.task,
  ]
    .filter(Boolean)
    .join('\n')
    .toLowerCase();
}

export function filterHistory(records: LedgerRecord[], f: HistoryFilter): LedgerRecord[] {
  const text = f.text?.trim().toLowerCase();
  return records
    .filter(
      (r) =>
        (!f.artifact || rowKey(r).key === f.artifact) &&
        (!f.environment || envOf(r) === f.environment) &&
        (!f.task || r.task === f.task) &&
        (!f.status || r.status === f.status) &&
        (!text || searchableText(r).includes(text)),
    )
    .sort((a, b) => b.finishedAt.localeCompare(a.finishedAt) || b.id.localeCompare(a.id));
}

export function distinct(records: LedgerRecord[]): {
  artifacts: { key: string; label: string }[];
  environments: string[];
} {
  const artifacts = new Map<string, string>();
  const envs = new Set<string>();
  for (const r of records) {
    const k = rowKey(r);
    artifacts.set(k.key, k.label);
    envs.add(envOf(r));
  }
  return {
    artifacts: [...artifacts.entries()]
      .map(([key, label]) => ({ key, label }))
      .sort((a, b) => a.label.localeCompare(b.label)),
    environments: [...envs].sort(),
  };
}
