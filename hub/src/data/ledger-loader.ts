/**
 * Loads everything the matrix and history need, spending as few requests as possible:
 * cached completed runs come from one document read; only runs completed since the cache's
 * watermark, and runs still in progress (e.g. waiting for a production approval), are read
 * from Build REST. The cache is written after the data is handed back, off the render path.
 */
import {
  ProjectApi,
  getApprovals,
  getBuildTimeline,
  getBuilds,
  getDeploymentRecords,
  getEnvironments,
  getLedgerAttachment,
  getLedgerAttachments,
} from './ado-api';
import { flagUndeployed, withBuildIdentity } from './identity';
import { EnvironmentRef, HubData, LEDGER_BUILD_TAG, LedgerRecord, PendingGate, RunEntry, RunRef } from './model';
import { isRecord, parseLedgerRecord } from './parse-record';
import { CacheDoc, DocumentStore, planPrune, planWrites, readSnapshot } from './run-cache';
import { buildMatrix } from './matrix';
import { stageOrderFromTimeline, timelineToStages } from './timeline-gates';

export interface LoaderDeps {
  api: ProjectApi;
  store: DocumentStore;
}

export interface LoadOptions {
  /** Newest runs to read on a cold load (older ones are not shown). */
  maxRuns?: number;
  /** Overlap when asking for runs completed since the watermark (clock skew, late finishes). */
  overlapMs?: number;
  /** Runs in the first batch (rendered as soon as it is read) and in each later one. */
  firstBatch?: number;
  batch?: number;
  /** Runs read at the same time (their requests still go through the REST client's limit). */
  readers?: number;
  /** Cache bound (runs); default MAX_CACHED_RUNS. */
  maxCachedRuns?: number;
  /** Called after each batch but the last, with everything read so far. */
  onPartial?: (data: HubData, done: number, total: number) => void;
}

export interface LoadResult {
  data: HubData;
  /** Resolves when the cache has been written (the UI does not wait for it). */
  persisted: Promise<void>;
}

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
async function readRunning(api: ProjectApi, runId: number): Promise<{ pending: PendingGate[]; stageOrder?: string[] }> {
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

async function loadEnvironments(api: ProjectApi): Promise<EnvironmentRef[]> {
  const envs = await getEnvironments(api);
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
function firstRuns(environments: EnvironmentRef[], perEnvironment: number): Set<number> {
  return new Set(environments.flatMap((e) => (e.deployedRuns ?? []).slice(0, perEnvironment)));
}

/**
 * What the cache keeps of a completed run: everything the matrix and history read, without the
 * bulky task details (the Run view reads a cached run's attachments again). Keeps the warm load's
 * one document read small.
 */
function slim(e: RunEntry): RunEntry {
  const keep = (d: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(Object.entries(d).filter(([k]) => k === 'outcome' || k === 'canaryWeight'));
  return { ...e, slim: true, records: e.records.map((r) => ({ ...r, details: keep(r.details) })) };
}

/** A run whose records are not all flagged: its pipeline's stages may order the columns. */
function trusted(e: RunEntry): boolean {
  return e.records.some((r) => !r.flag);
}

export async function loadHubData(deps: LoaderDeps, options: LoadOptions = {}): Promise<LoadResult> {
  const { api, store } = deps;
  // Only runs the tasks tagged are listed, so no number of unrelated runs can push promotions out.
  const maxRuns = options.maxRuns ?? 5000;
  const tagFilters = [LEDGER_BUILD_TAG];
  // Environments are decoration (header, empty columns): read them alongside, not before.
  const environmentsRead = loadEnvironments(api).catch(() => [] as EnvironmentRef[]);
  const docs = await store.getAll().catch(() => [] as CacheDoc[]);
  const snapshot = readSnapshot(docs);

  let listed: RunRef[];
  if (snapshot.watermark) {
    const since = new Date(Date.parse(snapshot.watermark) - (options.overlapMs ?? 5 * 60_000)).toISOString();
    const [completed, running] = await Promise.all([
      getBuilds(
        api,
        { statusFilter: 'completed', queryOrder: 'finishTimeDescending', minTime: since, tagFilters },
        maxRuns,
      ),
      getBuilds(api, { statusFilter: 'inProgress', tagFilters }, maxRuns),
    ]);
    listed = [...running, ...completed];
  } else {
    listed = await getBuilds(
      api,
      { statusFilter: 'all', queryOrder: 'queueTimeDescending', tagFilters, top: 1000 },
      maxRuns,
    );
  }

  const environments = await environmentsRead;
  // Newest first, in batches: the first batch renders quickly, every batch is cached as it
  // lands, so an interrupted cold load resumes where it stopped.
  const first = firstRuns(environments, 1);
  const toRead = listed
    .filter((r) => r.status !== 'completed' || !snapshot.runs.has(r.id))
    .sort((a, b) => rank(b) - rank(a) || b.id - a.id);
  // Runs in progress first too: they know the stage order and what is waiting for approval.
  function rank(r: RunRef): number {
    return r.status !== 'completed' ? 2 : first.has(r.id) ? 1 : 0;
  }
  const firstBatch = options.firstBatch ?? Math.max(1, toRead.filter((r) => rank(r) > 0).length);
  const partial: HubData['partial'] = [];
  /** Runs that could not be read (network, permissions): not cached, and they hold the watermark. */
  const failed = new Set<number>();
  const byId = new Map(snapshot.runs);
  const docsById = new Map(docs.map((d) => [d.id, d]));
  let snap = snapshot;
  let persisting: Promise<void> = Promise.resolve();
  const persist = (writes: CacheDoc[]): void => {
    if (writes.length === 0) return;
    for (const w of writes) docsById.set(w.id, w);
    snap = readSnapshot([...docsById.values()]);
    persisting = persisting.then(() => store.put(writes)).catch(() => undefined);
  };
  const compose = (): HubData => {
    const runs = [...byId.values()].sort((a, b) => b.run.id - a.run.id);
    return {
      runs,
      records: flagUndeployed(
        runs.flatMap((e) => e.records),
        environments,
      ),
      environments,
      stageOrder: runs.find(trusted)?.stageOrder ?? [],
      partial: [...partial],
    };
  };

  // A pool of run readers pulls newest-first (no batch barriers: the request limiter stays
  // busy); at each checkpoint the runs read so far are cached and handed to the view.
  const checkpoints = new Set<number>();
  for (let n = firstBatch; n < toRead.length; n += options.batch ?? 60) checkpoints.add(n);
  let next = 0;
  let done = 0;
  let unsaved: RunEntry[] = [];
  let stageOrderRead = false;
  const checkpoint = async (): Promise<void> => {
    // Column order: the newest run with records knows its pipeline's stages.
    const newest = [...byId.values()].sort((a, b) => b.run.id - a.run.id).find(trusted);
    // A run in progress still being read brings its own stage order (its timeline is read anyway).
    const runningUnread = toRead.some((r) => r.status !== 'completed' && !byId.has(r.id));
    if (newest && !newest.stageOrder && !stageOrderRead && !runningUnread) {
      stageOrderRead = true;
      newest.stageOrder = await (early.get(newest.run.id) ??
        getBuildTimeline(api, newest.run.id)
          .then(stageOrderFromTimeline)
          .catch(() => []));
      const cachedIn = snap.runs.has(newest.run.id)
        ? snap.chunks.find((c) => c.runs?.some((e) => e.run.id === newest.run.id))
        : undefined;
      if (cachedIn)
        persist([{ ...cachedIn, runs: cachedIn.runs!.map((e) => (e.run.id === newest.run.id ? slim(newest) : e)) }]);
    }
    const batch = unsaved.sort((a, b) => b.run.id - a.run.id);
    unsaved = [];
    persist(planWrites(snap, batch.filter((e) => e.run.status === 'completed').map(slim), undefined));
  };
  // The stage order of the run that deployed last is read at once, not behind hundreds of reads.
  const early = new Map<number, Promise<string[]>>();
  const candidate = toRead.find((r) => r.status === 'completed' && rank(r) > 0);
  // (A run in progress, read first, brings its stage order with the timeline read for its gates.)
  if (
    candidate &&
    !toRead.some((r) => r.status !== 'completed') &&
    ![...byId.values()].some((e) => e.stageOrder?.length)
  ) {
    early.set(
      candidate.id,
      getBuildTimeline(api, candidate.id)
        .then(stageOrderFromTimeline)
        .catch(() => []),
    );
  }
  const worker = async (until: number): Promise<void> => {
    while (next < until) {
      const run = toRead[next++];
      try {
        const { records, problems } = await readRunRecords(api, run);
        for (const p of problems) partial.push({ runId: run.id, reason: p });
        const entry: RunEntry = {
          run,
          records,
          ...(run.status === 'completed' || records.length === 0 ? {} : await readRunning(api, run.id)),
        };
        byId.set(run.id, entry);
        unsaved.push(entry);
      } catch (err) {
        failed.add(run.id);
        partial.push({ runId: run.id, reason: err instanceof Error ? err.message : String(err) });
      }
      if (checkpoints.has(++done)) {
        await checkpoint();
        options.onPartial?.(compose(), done, toRead.length);
      }
    }
  };
  // First the runs that show what is deployed now, alone (their reads queue behind nothing); then the rest.
  const readers = options.readers ?? 6;
  const head = Math.min(firstBatch, toRead.length);
  await Promise.all(Array.from({ length: Math.min(readers, Math.max(head, 1)) }, () => worker(head)));
  await Promise.all(
    Array.from({ length: Math.min(readers, Math.max(toRead.length - head, 1)) }, () => worker(toRead.length)),
  );
  await checkpoint();

  // Advance the watermark only when every listed run was read (unparseable records are
  // immutable too, so they are cached with their problem rather than retried forever).
  const finishTimes = listed.filter((r) => r.status === 'completed' && r.finishTime).map((r) => r.finishTime!);
  const watermark =
    failed.size === 0 && finishTimes.length ? finishTimes.reduce((a, b) => (a > b ? a : b)) : snapshot.watermark;
  persist(planWrites(snap, [], watermark));

  const data = compose();
  const matrix = buildMatrix(data.records);
  const keep = new Set(
    matrix.rows.flatMap((row) =>
      Object.values(row.cells)
        .flatMap((c) => [c.current?.id, c.latest?.id])
        .filter((id): id is string => !!id),
    ),
  );
  const prune = planPrune(snap, keep, options.maxCachedRuns);
  if (prune.deletes.length) {
    persist([prune.pinned!]);
    for (const id of prune.deletes) docsById.delete(id);
    snap = readSnapshot([...docsById.values()]);
    persisting = persisting.then(() => store.delete(prune.deletes)).catch(() => undefined);
  }
  return { data, persisted: persisting };
}
