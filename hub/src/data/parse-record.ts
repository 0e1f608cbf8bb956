/**
 * Ledger attachments are written by pipeline jobs: untrusted JSON. This checks the shape and
 * keeps only well-typed fields, so views can rely on strings being strings. (Rendering is
 * always as text; this is about not crashing on, or being misled by, odd input.)
 */
import { LedgerRecord, RecordStatus, TASK_NAMES, TaskName } from './model';

const STATUSES: RecordStatus[] = ['succeeded', 'succeededWithIssues', 'failed', 'cancelled'];
const MAX_TEXT = 2000;

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v.slice(0, MAX_TEXT) : undefined;
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function strings(v: unknown): string[] | undefined {
  return Array.isArray(v) ? v.filter((t): t is string => typeof t === 'string').map((t) => t.slice(0, MAX_TEXT)) : undefined;
}

export function parseLedgerRecord(text: string): LedgerRecord | { error: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { error: 'not JSON' };
  }
  const r = obj(raw);
  if (!r) return { error: 'not an object' };
  if (r.schema !== 'multicloud-devsecops.ledger/v1') return { error: `unknown schema ${JSON.stringify(String(r.schema)).slice(0, 80)}` };
  const task = str(r.task) as TaskName | undefined;
  if (!task || !TASK_NAMES.includes(task)) return { error: 'unknown task' };
  const status = str(r.status) as RecordStatus | undefined;
  if (!status || !STATUSES.includes(status)) return { error: 'unknown status' };
  const id = str(r.id);
  const startedAt = str(r.startedAt);
  const finishedAt = str(r.finishedAt);
  if (!id || !startedAt || !finishedAt || Number.isNaN(Date.parse(startedAt)) || Number.isNaN(Date.parse(finishedAt))) return { error: 'missing id or times' };
  const run = obj(r.run) ?? {};
  const artifact = obj(r.artifact);
  const repository = artifact ? str(artifact.repository) : undefined;
  return {
    schema: 'multicloud-devsecops.ledger/v1',
    id,
    task,
    taskVersion: str(r.taskVersion) ?? '',
    status,
    startedAt,
    finishedAt,
    durationMs: typeof r.durationMs === 'number' && Number.isFinite(r.durationMs) ? r.durationMs : Date.parse(finishedAt) - Date.parse(startedAt),
    run: Object.fromEntries(Object.entries(run).filter(([, v]) => typeof v === 'string').map(([k, v]) => [k, (v as string).slice(0, MAX_TEXT)])),
    environment: str(r.environment),
    target: str(r.target),
    artifact: repository ? { repository, digest: str(artifact?.digest), tags: strings(artifact?.tags) } : undefined,
    summary: str(r.summary) ?? '',
    details: obj(r.details) ?? {},
    error: str(r.error),
  };
}

export function isRecord(v: LedgerRecord | { error: string }): v is LedgerRecord {
  return !('error' in v && !('schema' in v));
}
