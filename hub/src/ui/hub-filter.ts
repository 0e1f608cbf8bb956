/**
 * The hub's filter (pipeline, environment, artifact, result, task, keyword): one state shared by the
 * Matrix and History tabs, kept in the page URL so a link reopens the same view. Pure: the FilterBar
 * reads and writes it through an azure-devops-ui Filter, the URL through these string forms.
 */
import { searchableText } from '../data/history';
import { MatrixCellView, MatrixView, envOf, rowKey } from '../data/matrix';
import { LedgerRecord } from '../data/model';

export interface HubFilter {
  pipeline: string[];
  environment: string[];
  /** Matrix row keys (`a:repo`, `p:Task:target`, `v:url`). */
  artifact: string[];
  /** Record status: succeeded, succeededWithIssues, failed, cancelled. */
  result: string[];
  task: string[];
  /** Case-insensitive, over tag, digest, run number and id, summary, target, requester… */
  keyword: string;
}

export type ListKey = Exclude<keyof HubFilter, 'keyword'>;
export const LIST_KEYS: ListKey[] = ['pipeline', 'environment', 'artifact', 'result', 'task'];

/** URL parameter of each filter (short, and apart from the hub's `tab` and `runId`). */
export const URL_PARAM: Record<keyof HubFilter, string> = {
  pipeline: 'pipeline',
  environment: 'env',
  artifact: 'artifact',
  result: 'result',
  task: 'task',
  keyword: 'q',
};

export function emptyFilter(): HubFilter {
  return { pipeline: [], environment: [], artifact: [], result: [], task: [], keyword: '' };
}

export function isEmpty(f: HubFilter): boolean {
  return !f.keyword.trim() && LIST_KEYS.every((k) => f[k].length === 0);
}

/** Lists as comma-separated components, each URI-encoded (an environment name may hold a comma). */
export function toParams(f: HubFilter): Record<string, string> {
  const out: Record<string, string> = { [URL_PARAM.keyword]: f.keyword };
  for (const k of LIST_KEYS) out[URL_PARAM[k]] = f[k].map(encodeURIComponent).join(',');
  return out;
}

export function fromParams(q: Record<string, string | undefined>): HubFilter {
  const f = emptyFilter();
  const decode = (s: string): string | undefined => {
    try {
      return decodeURIComponent(s);
    } catch {
      return undefined; // a hand-edited link with a stray %: that value is dropped, the rest kept
    }
  };
  for (const k of LIST_KEYS)
    f[k] = (q[URL_PARAM[k]] ?? '')
      .split(',')
      .filter(Boolean)
      .map(decode)
      .filter((v): v is string => !!v);
  f.keyword = q[URL_PARAM.keyword] ?? '';
  return f;
}

function text(r: LedgerRecord): string {
  return `${searchableText(r)}\n${r.run.buildId ?? ''}`;
}

function has(list: string[], value: string | undefined): boolean {
  return list.length === 0 || (value !== undefined && list.includes(value));
}

/** Records the filter keeps, newest first (History). */
export function filterRecords(records: LedgerRecord[], f: HubFilter): LedgerRecord[] {
  const kw = f.keyword.trim().toLowerCase();
  return records
    .filter(
      (r) =>
        has(f.pipeline, r.run.pipeline) &&
        has(f.environment, envOf(r)) &&
        has(f.artifact, rowKey(r).key) &&
        has(f.result, r.status) &&
        has(f.task, r.task) &&
        (!kw || text(r).includes(kw)),
    )
    .sort((a, b) => b.finishedAt.localeCompare(a.finishedAt) || b.id.localeCompare(a.id));
}

/** Records the matrix is built from: only the pipeline narrows them (the rest narrows the built matrix). */
export function matrixRecords(records: LedgerRecord[], f: HubFilter): LedgerRecord[] {
  return f.pipeline.length ? records.filter((r) => has(f.pipeline, r.run.pipeline)) : records;
}

function cellRecords(c: MatrixCellView | undefined): LedgerRecord[] {
  return c ? [c.current, c.latest, c.verdict].filter((r): r is LedgerRecord => !!r) : [];
}

/**
 * The matrix narrowed: the chosen environments as columns (stage order kept), the chosen artifacts as
 * rows, and of those the rows with something in a shown column whose label or shown records match the
 * keyword. Results do not narrow it: every cell already says how its newest attempt ended.
 */
export function filterMatrix(m: MatrixView, f: HubFilter): MatrixView {
  const environments = f.environment.length ? m.environments.filter((e) => f.environment.includes(e)) : m.environments;
  const kw = f.keyword.trim().toLowerCase();
  const rows = m.rows.filter((row) => {
    if (!has(f.artifact, row.key)) return false;
    const shown = environments.flatMap((e) => cellRecords(row.cells[e]));
    if (f.environment.length && shown.length === 0) return false;
    if (!kw) return true;
    if (row.label.toLowerCase().includes(kw)) return true;
    return shown.some((r) => {
      const tags = r.artifact?.digest ? (m.tagsByDigest.get(r.artifact.digest) ?? []) : [];
      return `${text(r)}\n${tags.join('\n')}`.toLowerCase().includes(kw);
    });
  });
  return { ...m, environments, rows };
}

/** The choices each dropdown offers, from all records (a choice never disappears because another filter hides it). */
export function filterChoices(records: LedgerRecord[]): Record<ListKey, { id: string; text: string }[]> {
  const pipelines = new Set<string>();
  const envs = new Set<string>();
  const artifacts = new Map<string, string>();
  const tasks = new Set<string>();
  for (const r of records) {
    if (r.run.pipeline) pipelines.add(r.run.pipeline);
    envs.add(envOf(r));
    const k = rowKey(r);
    artifacts.set(k.key, k.label);
    tasks.add(r.task);
  }
  const plain = (s: Set<string>): { id: string; text: string }[] => [...s].sort().map((v) => ({ id: v, text: v }));
  return {
    pipeline: plain(pipelines),
    environment: plain(envs),
    artifact: [...artifacts.entries()].map(([id, text]) => ({ id, text })).sort((a, b) => a.text.localeCompare(b.text)),
    result: [
      { id: 'succeeded', text: 'Succeeded' },
      { id: 'succeededWithIssues', text: 'Succeeded with issues' },
      { id: 'failed', text: 'Failed' },
      { id: 'cancelled', text: 'Cancelled' },
    ],
    task: plain(tasks),
  };
}
