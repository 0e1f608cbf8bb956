/**
 * Reads a ledger record from untrusted JSON (attachments are written by pipeline jobs): keeps only
 * well-typed fields and caps string lengths, so views can rely on strings being strings, and lists
 * every place where the record departs from the schema. `strict` also reports fields the schema does
 * not know: the contract test runs it over records the packaged tasks wrote.
 */
import { DETAIL_SPECS, FieldSpec, ObjectSpec } from './spec';
import { LEDGER_SCHEMA, LedgerRecord, RECORD_STATUSES, RecordStatus, TASK_NAMES, TaskName } from './schema';

export const MAX_TEXT = 2000;

export type Validated = { ok: true; record: LedgerRecord; problems: string[] } | { ok: false; error: string };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v.slice(0, MAX_TEXT) : undefined);
const strings = (v: unknown): string[] | undefined =>
  Array.isArray(v) ? v.filter((t): t is string => typeof t === 'string').map((t) => t.slice(0, MAX_TEXT)) : undefined;

const RUN_FIELDS = [
  'collectionUri',
  'project',
  'pipeline',
  'definitionId',
  'buildId',
  'buildNumber',
  'stage',
  'stageAttempt',
  'job',
  'environment',
  'requestedFor',
  'sourceBranch',
  'sourceVersion',
];
const TOP_FIELDS = [
  'schema',
  'id',
  'task',
  'taskVersion',
  'status',
  'startedAt',
  'finishedAt',
  'durationMs',
  'run',
  'environment',
  'target',
  'artifact',
  'summary',
  'details',
  'error',
];
const ARTIFACT_FIELDS = ['repository', 'registry', 'digest', 'tags'];

/** Drops values of the wrong type (noting each) and, in strict mode, notes unknown fields. */
function clean(value: unknown, spec: FieldSpec, path: string, problems: string[], strict: boolean): unknown {
  if (value === undefined || value === null) return undefined;
  const wrong = (): undefined =>
    void problems.push(
      `${path}: expected ${typeof spec === 'string' ? spec : 'list' in spec ? 'a list' : 'an object'}`,
    );
  if (spec === 'string') return typeof value === 'string' ? value.slice(0, MAX_TEXT) : wrong();
  if (spec === 'number') return typeof value === 'number' && Number.isFinite(value) ? value : wrong();
  if (spec === 'boolean') return typeof value === 'boolean' ? value : wrong();
  if (spec === 'string|boolean')
    return typeof value === 'boolean' ? value : typeof value === 'string' ? value.slice(0, MAX_TEXT) : wrong();
  if (spec === 'string[]') return Array.isArray(value) ? strings(value) : wrong();
  if ('list' in spec) {
    if (!Array.isArray(value)) return wrong();
    return value
      .map((v, i) =>
        clean(v, spec.list === 'string' ? 'string' : { obj: spec.list }, `${path}[${i}]`, problems, strict),
      )
      .filter((v) => v !== undefined);
  }
  return isObj(value) ? cleanObject(value, spec.obj, `${path}.`, problems, strict) : wrong();
}

function cleanObject(value: Obj, spec: ObjectSpec, prefix: string, problems: string[], strict: boolean): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(value)) {
    const field = Object.prototype.hasOwnProperty.call(spec, k) ? spec[k] : undefined;
    if (!field) {
      if (strict) problems.push(`${prefix}${k}: not in the record schema`);
      continue;
    }
    const c = clean(v, field, `${prefix}${k}`, problems, strict);
    if (c !== undefined) out[k] = c;
  }
  return out;
}

export function validateRecord(raw: unknown, options: { strict?: boolean } = {}): Validated {
  const strict = options.strict ?? false;
  const r = raw;
  if (!isObj(r)) return { ok: false, error: 'not an object' };
  if (r.schema !== LEDGER_SCHEMA)
    return { ok: false, error: `unknown schema ${JSON.stringify(String(r.schema)).slice(0, 80)}` };
  const task = str(r.task) as TaskName | undefined;
  if (!task || !TASK_NAMES.includes(task)) return { ok: false, error: 'unknown task' };
  const status = str(r.status) as RecordStatus | undefined;
  if (!status || !RECORD_STATUSES.includes(status)) return { ok: false, error: 'unknown status' };
  const id = str(r.id);
  const startedAt = str(r.startedAt);
  const finishedAt = str(r.finishedAt);
  if (!id || !startedAt || !finishedAt || Number.isNaN(Date.parse(startedAt)) || Number.isNaN(Date.parse(finishedAt))) {
    return { ok: false, error: 'missing id or times' };
  }
  const problems: string[] = [];
  if (strict)
    for (const k of Object.keys(r)) if (!TOP_FIELDS.includes(k)) problems.push(`${k}: not in the record schema`);
  const run = isObj(r.run) ? r.run : {};
  if (strict)
    for (const k of Object.keys(run)) if (!RUN_FIELDS.includes(k)) problems.push(`run.${k}: not in the record schema`);
  const artifact = isObj(r.artifact) ? r.artifact : undefined;
  if (strict && artifact)
    for (const k of Object.keys(artifact))
      if (!ARTIFACT_FIELDS.includes(k)) problems.push(`artifact.${k}: not in the record schema`);
  const repository = artifact ? str(artifact.repository) : undefined;
  const details = isObj(r.details) ? cleanObject(r.details, DETAIL_SPECS[task], 'details.', problems, strict) : {};
  const record: LedgerRecord = {
    schema: LEDGER_SCHEMA,
    id,
    task,
    taskVersion: str(r.taskVersion) ?? '',
    status,
    startedAt,
    finishedAt,
    durationMs:
      typeof r.durationMs === 'number' && Number.isFinite(r.durationMs)
        ? r.durationMs
        : Date.parse(finishedAt) - Date.parse(startedAt),
    run: Object.fromEntries(
      RUN_FIELDS.filter((k) => typeof run[k] === 'string').map((k) => [k, (run[k] as string).slice(0, MAX_TEXT)]),
    ),
    environment: str(r.environment),
    target: str(r.target),
    artifact: repository
      ? { repository, registry: str(artifact?.registry), digest: str(artifact?.digest), tags: strings(artifact?.tags) }
      : undefined,
    summary: str(r.summary) ?? '',
    details,
    error: str(r.error),
  };
  return { ok: true, record, problems };
}

/** The same, from the attachment's text. */
export function parseRecordText(text: string, options: { strict?: boolean } = {}): Validated {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, error: 'not JSON' };
  }
  return validateRecord(raw, options);
}
