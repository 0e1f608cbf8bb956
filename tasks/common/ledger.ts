import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RunInfo } from './host';

import { ArtifactRef, LEDGER_SCHEMA, LedgerRecord, RecordStatus, TaskName } from './record';

// The record's schema lives in ./record (shared with the hub); re-exported for the tasks' imports.
export { LEDGER_ATTACHMENT_TYPE, LEDGER_BUILD_TAG, LEDGER_SCHEMA } from './record';
export type { ArtifactRef, LedgerRecord, RecordStatus, TaskName } from './record';

/** The part a task fills in while it runs; the runner adds identity, status and timings. */
export interface RecordDraft {
  environment?: string;
  target?: string;
  artifact?: ArtifactRef;
  summary?: string;
  details: Record<string, unknown>;
}

export function newRecordId(): string {
  return randomUUID();
}

export function finishRecord(
  draft: RecordDraft,
  meta: {
    id: string;
    task: TaskName;
    taskVersion: string;
    run: RunInfo;
    startedAt: number;
    finishedAt: number;
    status: RecordStatus;
    error?: string;
  },
): LedgerRecord {
  return {
    schema: LEDGER_SCHEMA,
    id: meta.id,
    task: meta.task,
    taskVersion: meta.taskVersion,
    status: meta.status,
    startedAt: new Date(meta.startedAt).toISOString(),
    finishedAt: new Date(meta.finishedAt).toISOString(),
    durationMs: meta.finishedAt - meta.startedAt,
    run: meta.run,
    environment: draft.environment ?? meta.run.environment ?? meta.run.stage,
    target: draft.target,
    artifact: draft.artifact,
    summary: draft.summary ?? (meta.status === 'failed' ? `${meta.task} failed` : `${meta.task} ${meta.status}`),
    details: draft.details,
    error: meta.error,
  };
}

/** Markdown is rendered by Azure DevOps: pipeline-supplied text must not inject markup or HTML. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_{}[\]()#+!|]/g, (c) => `\\${c}`)
    .replace(/\r?\n/g, ' ');
}

function cell(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return escapeMarkdown(JSON.stringify(value));
  return escapeMarkdown(typeof value === 'string' ? value : JSON.stringify(value));
}

export function renderSummary(record: LedgerRecord): string {
  const icon =
    record.status === 'succeeded'
      ? '✅'
      : record.status === 'succeededWithIssues'
        ? '⚠️'
        : record.status === 'cancelled'
          ? '⏹️'
          : '❌';
  const rows: [string, unknown][] = [
    ['Status', record.status],
    ['Environment', record.environment],
    ['Target', record.target],
    [
      'Artifact',
      record.artifact
        ? `${record.artifact.repository}${record.artifact.digest ? `@${record.artifact.digest}` : ''}`
        : undefined,
    ],
    ['Tags', record.artifact?.tags?.join(', ')],
    ['Duration', `${(record.durationMs / 1000).toFixed(1)} s`],
    ...Object.entries(record.details).filter(([, v]) => v === null || typeof v !== 'object'),
    ['Error', record.error],
  ];
  const table = rows.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `| ${cell(k)} | ${cell(v)} |`);
  return [
    `### ${icon} ${escapeMarkdown(record.task)}: ${escapeMarkdown(record.summary)}`,
    '',
    '| | |',
    '|---|---|',
    ...table,
    '',
  ].join('\n');
}

/** Redacts every string inside a value, keys included, so the JSON structure itself stays intact. */
export function redactDeep<T>(value: T, redact: (text: string) => string): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, redact)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [redact(k), redactDeep(v, redact)])) as T;
  }
  return value;
}

/** Writes the record and summary files; the caller announces them to the agent. */
export function writeRecordFiles(
  dir: string,
  record: LedgerRecord,
  redact: (text: string) => string,
): { recordPath: string; summaryPath: string } {
  fs.mkdirSync(dir, { recursive: true });
  const base = path.join(dir, `${record.task}-${record.id}`);
  const recordPath = `${base}.json`;
  const summaryPath = `${base}.md`;
  const safe = redactDeep(record, redact);
  fs.writeFileSync(recordPath, JSON.stringify(safe, null, 2));
  // Markdown escaping can split a secret with backslashes: redact before and after rendering.
  fs.writeFileSync(summaryPath, redact(renderSummary(safe)));
  return { recordPath, summaryPath };
}
