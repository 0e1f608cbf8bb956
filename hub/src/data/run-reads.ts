/**
 * What the loader reads per run and per environment, and what the cache keeps of a run
 * (ledger-loader.ts decides when; these say how).
 */
import {
  AdoEnvironment,
  ProjectApi,
  getApprovals,
  getBuildTimeline,
  getDeploymentRecords,
  getLedgerAttachment,
  getLedgerAttachments,
} from './ado-api';
import { withBuildIdentity } from './identity';
import { EnvironmentRef, LedgerRecord, PendingGate, RunEntry, RunRef } from './model';
import { isRecord, parseLedgerRecord } from './parse-record';
import { buildMatrix } from './matrix';
import { verificationMark } from './promote-details';
import { stageOrderFromTimeline, timelineToStages } from './timeline-gates';

/** Reads one run's ledger attachments; failures are per record, never the whole run. */
export async function readRunRecords(
  api: ProjectApi,
  run: RunRef,
): Promise<{ records: LedgerRecord[]; problems: string[] }> {
  const refs = await getLedgerAttachments(api, run.id);
  const problems: string[] = [];
  const records: LedgerRecord[] = [];
  await Promise.all(
    refs.map(async (ref) => {
      const parsed = parseLedgerRecord(await getLedgerAttachment(api, run.id, ref));
      if (isRecord(parsed)) records.push(withBuildIdentity(parsed, run));
      else problems.push(`${ref.name}: ${parsed.error}`);
    }),
  );
  records.sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.id.localeCompare(b.id));
  return { records, problems };
}

/**
 * Best effort, for runs in progress: the stage order and the checks and approvals the run is
 * waiting on ("awaiting approval" in the matrix), from one timeline read.
 */
export async function readRunning(
  api: ProjectApi,
  runId: number,
): Promise<{ pending: PendingGate[]; stageOrder?: string[] }> {
  try {
    const timeline = await getBuildTimeline(api, runId);
    const stageOrder = stageOrderFromTimeline(timeline);
    const open = timeline.filter((r) => r.type.startsWith('Checkpoint.') && r.state !== 'completed');
    if (open.length === 0) return { pending: [], stageOrder };
    const ids = open.filter((r) => r.type === 'Checkpoint.Approval').map((r) => r.id);
    const approvals = ids.length ? await getApprovals(api, ids).catch(() => []) : [];
    const pending = timelineToStages(timeline, approvals).flatMap((s) =>
      s.gates
        .filter((g) => g.state !== 'completed')
        .map((g) => ({
          stage: s.identifier ?? s.name,
          stageName: s.name,
          gate: g.name,
          kind: g.kind,
          since: g.startTime,
          waitingOn: g.approvers.filter((a) => a.status === 'pending').map((a) => a.name),
        })),
    );
    return { pending, stageOrder };
  } catch {
    return { pending: [] };
  }
}

/** Deployment records per environment: the last one for the header, all of them as proof of deployment. */
const DEPLOYMENTS_READ = 5000;

/** The environments with their deployment records (one list per environment, read at once). */
export function withDeployments(api: ProjectApi, envs: AdoEnvironment[]): Promise<EnvironmentRef[]> {
  return Promise.all(
    envs.map(async (e): Promise<EnvironmentRef> => {
      const rows = await getDeploymentRecords(api, e.id, DEPLOYMENTS_READ).catch(() => undefined);
      const last = rows?.[0];
      return {
        id: e.id,
        name: e.name,
        lastDeployment: last?.owner
          ? {
              runId: last.owner.id,
              stageName: last.stageName,
              result: last.result,
              finishTime: last.finishTime,
              definitionName: last.definition?.name,
            }
          : undefined,
        deployedRuns: rows
          ? [...new Set(rows.map((r) => r.owner?.id).filter((id): id is number => id !== undefined))]
          : undefined,
      };
    }),
  );
}

/** The newest runs that deployed to each environment: read first, so the first matrix shows what is there now. */
export function firstRuns(environments: EnvironmentRef[], perEnvironment: number): Set<number> {
  return new Set(environments.flatMap((e) => (e.deployedRuns ?? []).slice(0, perEnvironment)));
}

/**
 * What the cache keeps of a completed run: everything the matrix and history read, without the
 * bulky task details (the Run view reads a cached run's attachments again). Keeps the warm load's
 * one document read small.
 */
export function slim(e: RunEntry): RunEntry {
  const keep = (d: Record<string, unknown>): Record<string, unknown> => {
    const out = Object.fromEntries(Object.entries(d).filter(([k]) => k === 'outcome' || k === 'canaryWeight'));
    // The matrix cell's verified mark: the gate's verdict and the signer only.
    const v = verificationMark({ details: d } as LedgerRecord);
    if (v) out.verification = { passed: v.passed, ...(v.signer ? { signature: { signer: v.signer } } : {}) };
    return out;
  };
  return { ...e, slim: true, records: e.records.map((r) => ({ ...r, details: keep(r.details) })) };
}

/** A run whose records are not all flagged: its pipeline's stages may order the columns. */
export function trusted(e: RunEntry): boolean {
  return e.records.some((r) => !r.flag);
}

/**
 * What the index keeps for the first matrix of a warm load: the records the cells show (current,
 * newer attempt, smoke verdict) and the newest promotion of each digest shown (its tags and verified
 * mark), slim, with the stage order of the newest trusted run.
 */
export function headOf(runs: RunEntry[], records: LedgerRecord[]): RunEntry[] {
  const matrix = buildMatrix(records.filter((r) => !r.flag));
  const keep = new Set<string>();
  const digests = new Set<string>();
  for (const row of matrix.rows)
    for (const c of Object.values(row.cells))
      for (const r of [c.current, c.latest, c.verdict]) {
        if (!r) continue;
        keep.add(r.id);
        if (r.artifact?.digest) digests.add(r.artifact.digest);
      }
  const promotions = new Map<string, LedgerRecord>();
  for (const r of records)
    if (r.task === 'AcrPromote' && !r.flag && r.artifact?.digest && digests.has(r.artifact.digest)) {
      const seen = promotions.get(r.artifact.digest);
      if (!seen || r.finishedAt > seen.finishedAt) promotions.set(r.artifact.digest, r);
    }
  for (const r of promotions.values()) keep.add(r.id);
  const newestTrusted = runs.find(trusted)?.run.id;
  return runs
    .filter((e) => e.run.status === 'completed')
    .map((e) => ({ ...slim(e), records: slim(e).records.filter((r) => keep.has(r.id)) }))
    .filter((e) => e.records.length > 0 || e.run.id === newestTrusted)
    .map((e) => (e.run.id === newestTrusted ? e : { ...e, stageOrder: undefined }));
}
