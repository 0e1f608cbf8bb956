/**
 * Loads everything the matrix and history need, spending as few requests as possible: a warm load
 * renders the first matrix from the cache's small index document, plus only the runs completed since
 * its watermark and the runs still in progress (e.g. waiting for a production approval); then it
 * reads the cached chunks for history. The cache is written after the data is handed back.
 */
import {
  AdoEnvironment,
  ProjectApi,
  getBuildTimeline,
  getBuilds,
  getBuildsPage,
  getDefinitionIds,
  getEnvironments,
} from './ado-api';
import { flagUndeployed } from './identity';
import { EnvironmentRef, HubData, LEDGER_BUILD_TAG, RunEntry, RunRef } from './model';
import {
  CACHE_VERSION,
  CacheDoc,
  DocumentStore,
  INDEX_ID,
  planIndex,
  planPrune,
  planWrites,
  readSnapshot,
} from './run-cache';
import { buildMatrix } from './matrix';
import { readRunGates, runsNeedingGates } from './run-gates';
import { firstRuns, headOf, readRunRecords, readRunning, slim, trusted, withDeployments } from './run-reads';
import { stageOrderFromTimeline } from './timeline-gates';

export { readRunRecords };

/** Completed runs listed with the first requests: on a warm load, usually more than completed since. */
const RECENT_RUNS = 25;

/** The index's environments (header) in the order the project lists them now, or the bare list. */
async function cachedEnvironments(index: CacheDoc, list: Promise<AdoEnvironment[]>): Promise<EnvironmentRef[]> {
  const cached = new Map((index.environments ?? []).map((e) => [e.id, e]));
  return (await list).map((e) => ({ id: e.id, name: e.name, lastDeployment: cached.get(e.id)?.lastDeployment }));
}

function stageOrderOf(api: ProjectApi, runId: number): Promise<string[]> {
  return getBuildTimeline(api, runId)
    .then(stageOrderFromTimeline)
    .catch(() => []);
}

/** What the index keeps of an environment: the header, not the proof (re-read every load). */
function headerOnly(e: EnvironmentRef): EnvironmentRef {
  return { id: e.id, name: e.name, lastDeployment: e.lastDeployment };
}

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
  /**
   * Called after each batch but the last, with everything read so far. A promise it returns holds the
   * next reads until it settles: the view that is not mounted yet renders the first matrix before the
   * rest of the load sends requests (the first render's cost and request count do not depend on timing).
   */
  onPartial?: (data: HubData, done: number, total: number) => void | Promise<void>;
}

export interface LoadResult {
  data: HubData;
  /** Resolves when the cache has been written (the UI does not wait for it). */
  persisted: Promise<void>;
}

export async function loadHubData(deps: LoaderDeps, options: LoadOptions = {}): Promise<LoadResult> {
  const { api, store } = deps;
  // Only runs the tasks tagged are listed, so no number of unrelated runs can push promotions out.
  const maxRuns = options.maxRuns ?? 5000;
  const tagFilters = [LEDGER_BUILD_TAG];
  // Everything that does not depend on the index is asked for at once (one round trip, before the UI's
  // code is even evaluated): the environments, the readable pipelines, the runs in progress and the newest
  // completed runs (which cover "completed since the watermark" on a warm load, the usual case).
  const environmentList = getEnvironments(api).catch(() => [] as AdoEnvironment[]);
  // Deployment records (hundreds of kilobytes per environment) are the header's decoration and the proof of
  // deployment: a second round. A cold load, or a warm one with new runs, needs the proof for its first
  // matrix and asks as soon as it knows; a warm load with nothing new renders from the index and asks after.
  let deploymentsRead: Promise<EnvironmentRef[]> | undefined;
  const environmentsRead = (): Promise<EnvironmentRef[]> =>
    (deploymentsRead ??= environmentList.then((envs) => withDeployments(api, envs)).catch(() => []));
  // The shared cache (warm index, or the chunks a cold load resumes from) shows only readable pipelines.
  const visibleRead = getDefinitionIds(api).catch(() => undefined);
  const runningRead = getBuilds(api, { statusFilter: 'inProgress', tagFilters }, maxRuns);
  const recentRead = getBuildsPage(api, {
    statusFilter: 'completed',
    queryOrder: 'finishTimeDescending',
    tagFilters,
    top: RECENT_RUNS,
  });
  // A failed listing fails the load where it is awaited; meanwhile it is no unhandled rejection.
  runningRead.catch(() => undefined);
  recentRead.catch(() => undefined);
  // The index alone (a few kilobytes) says what is cached and what the matrix showed.
  const index = await store.get(INDEX_ID).catch(() => undefined);
  const warm = index?.version === CACHE_VERSION && index.watermark ? index : undefined;
  if (!warm) void environmentsRead();

  let listed: RunRef[];
  let docs: CacheDoc[] = [];
  /** Reads started before the run readers (a cold load's head start), by run id. */
  const prefetched = new Map<number, ReturnType<typeof readRunRecords>>();
  // The stage order of the run that deployed last is read at once, not behind hundreds of reads.
  const early = new Map<number, Promise<string[]>>();
  if (warm) {
    const since = new Date(Date.parse(warm.watermark!) - (options.overlapMs ?? 5 * 60_000)).toISOString();
    const [recent, running] = await Promise.all([recentRead, runningRead]);
    // The newest page reaches back past `since` (or holds every run): nothing else completed since.
    const covered =
      !recent.continuationToken || recent.runs.some((r) => r.finishTime !== undefined && r.finishTime < since);
    const completed = covered
      ? recent.runs.filter((r) => r.finishTime === undefined || r.finishTime >= since)
      : await getBuilds(
          api,
          { statusFilter: 'completed', queryOrder: 'finishTimeDescending', minTime: since, tagFilters },
          maxRuns,
        );
    listed = [...running, ...completed];
  } else {
    // No index: a first load, or one that was interrupted (its chunks are kept: it resumes). Every
    // completed run: the newest page is already here, the rest follows from its continuation token.
    const recent = await recentRead;
    const older = recent.continuationToken
      ? getBuilds(
          api,
          {
            statusFilter: 'completed',
            queryOrder: 'finishTimeDescending',
            tagFilters,
            top: 1000,
            continuationToken: recent.continuationToken,
          },
          maxRuns - recent.runs.length,
        )
      : Promise.resolve([]);
    older.catch(() => undefined);
    const cachedDocs = store.getAll().catch(() => [] as CacheDoc[]);
    // A head start while the rest is listed and the deployment records say which runs are current:
    // the newest completed run (usually the one that deployed last) is read now, with its stage order.
    // (Not when an interrupted load left an index: its chunks may hold that run already.)
    const newestRun = index ? undefined : recent.runs[0];
    if (newestRun) {
      const read = readRunRecords(api, newestRun);
      read.catch(() => undefined);
      prefetched.set(newestRun.id, read);
      // (A run in progress, read first, brings its stage order with the timeline read for its gates.)
      if ((await runningRead).length === 0) early.set(newestRun.id, stageOrderOf(api, newestRun.id));
    }
    let running: RunRef[];
    let rest: RunRef[];
    [running, rest, docs] = await Promise.all([runningRead, older, cachedDocs]);
    listed = [...running, ...recent.runs, ...rest];
  }
  const visible = await visibleRead;
  const canRead = (e: RunEntry): boolean =>
    !visible || e.run.definitionId === undefined || visible.has(e.run.definitionId);
  let snapshot = readSnapshot(docs);
  const cachedIds = new Set<number>([...(warm?.runIds ?? []), ...snapshot.runs.keys()]);

  const fresh = (r: RunRef): boolean => r.status !== 'completed' || !cachedIds.has(r.id);
  // A warm load with nothing new to read renders from the index alone: its records were verified
  // against the deployment records when it was written, and they are checked again when those come
  // (a round trip later), like the environments the header shows, which the index keeps meanwhile.
  const fromIndex = !!warm && !listed.some(fresh);
  let environments: EnvironmentRef[] = fromIndex ? await cachedEnvironments(warm, environmentList) : [];
  if (!fromIndex) environments = await environmentsRead();
  // Newest first, in batches: the first batch renders quickly, every batch is cached as it
  // lands, so an interrupted cold load resumes where it stopped.
  const first = firstRuns(environments, 1);
  const toRead = listed.filter(fresh).sort((a, b) => rank(b) - rank(a) || b.id - a.id);
  // Runs in progress first too: they know the stage order and what is waiting for approval.
  function rank(r: RunRef): number {
    return r.status !== 'completed' ? 2 : first.has(r.id) ? 1 : 0;
  }
  // Warm: the few new runs are the first batch (the rest of the cache comes from the chunks).
  const firstBatch = warm
    ? toRead.length
    : (options.firstBatch ?? Math.max(1, toRead.filter((r) => rank(r) > 0).length));
  const partial: HubData['partial'] = [];
  /** Runs that could not be read (network, permissions): not cached, and they hold the watermark. */
  const failed = new Set<number>();
  const byId = new Map<number, RunEntry>(
    [...(warm?.head ?? []), ...snapshot.runs.values()].filter(canRead).map((e) => [e.run.id, e]),
  );
  const docsById = new Map(docs.map((d) => [d.id, d]));
  let snap = snapshot;
  let persisting: Promise<void> = Promise.resolve();
  /** Cache writes queued at a checkpoint wait for the view to have rendered what it was handed (below). */
  let viewGate: Promise<void> = Promise.resolve();
  // Warm loads write only once the chunks are read (new runs fill the newest chunk).
  let canWrite = !warm;
  const persist = (plan: { writes: CacheDoc[]; deletes: string[] }): void => {
    if (!canWrite || (plan.writes.length === 0 && plan.deletes.length === 0)) return;
    for (const w of plan.writes) docsById.set(w.id, w);
    for (const id of plan.deletes) docsById.delete(id);
    snap = readSnapshot([...docsById.values()]);
    persisting = persisting
      .then(() => viewGate)
      .then(() => store.put(plan.writes))
      .then(() => (plan.deletes.length ? store.delete(plan.deletes) : undefined))
      .catch(() => undefined);
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
    if (newest && !newest.stageOrder?.length && !stageOrderRead && !runningUnread) {
      stageOrderRead = true;
      newest.stageOrder = await (early.get(newest.run.id) ??
        getBuildTimeline(api, newest.run.id)
          .then(stageOrderFromTimeline)
          .catch(() => []));
      const cachedIn = snap.runs.has(newest.run.id)
        ? snap.chunks.find((c) => c.runs?.some((e) => e.run.id === newest.run.id))
        : undefined;
      if (cachedIn)
        persist({
          writes: [{ ...cachedIn, runs: cachedIn.runs!.map((e) => (e.run.id === newest.run.id ? slim(newest) : e)) }],
          deletes: [],
        });
    }
    if (!canWrite) return;
    const batch = unsaved.sort((a, b) => b.run.id - a.run.id);
    unsaved = [];
    persist(planWrites(snap, batch.filter((e) => e.run.status === 'completed').map(slim)));
  };
  /**
   * A checkpoint handed to the view: its cache writes, like every later request, go out only once the
   * view has rendered it (when onPartial's promise settles): the first render's request count is fixed.
   */
  const handOver = async (): Promise<void> => {
    let open: () => void = () => undefined;
    viewGate = new Promise<void>((resolve) => (open = resolve));
    try {
      await checkpoint();
      await options.onPartial?.(compose(), done, toRead.length);
    } finally {
      open();
    }
  };
  const candidate = toRead.find((r) => r.status === 'completed' && rank(r) > 0);
  // (A run in progress, read first, brings its stage order with the timeline read for its gates.)
  if (
    candidate &&
    !toRead.some((r) => r.status !== 'completed') &&
    ![...byId.values()].some((e) => e.stageOrder?.length) &&
    !early.has(candidate.id)
  ) {
    early.set(candidate.id, stageOrderOf(api, candidate.id));
  }
  const worker = async (until: number): Promise<void> => {
    while (next < until) {
      const run = toRead[next++];
      try {
        const { records, problems } = await (prefetched.get(run.id) ?? readRunRecords(api, run));
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
        await handOver();
      }
    }
  };
  // First the runs that show what is deployed now, alone (their reads queue behind nothing); then the rest.
  const readers = options.readers ?? 6;
  const head = Math.min(firstBatch, toRead.length);
  await Promise.all(Array.from({ length: Math.min(readers, Math.max(head, 1)) }, () => worker(head)));
  if (warm) {
    // The first matrix: the index's records plus the new runs. Then the proof of deployment and the
    // chunks, for history.
    await handOver();
    const proof = fromIndex ? environmentsRead() : undefined;
    docs = await store.getAll().catch(() => [] as CacheDoc[]);
    if (proof) environments = await proof;
    for (const d of docs) docsById.set(d.id, d);
    snapshot = snap = readSnapshot(docs);
    // Chunk entries replace the index's (which hold only the records the matrix showed).
    const fresh = new Set(toRead.map((r) => r.id));
    for (const e of snapshot.runs.values()) {
      if (!canRead(e) || fresh.has(e.run.id)) continue;
      const had = byId.get(e.run.id);
      byId.set(e.run.id, { ...e, gates: e.gates ?? had?.gates, stageOrder: e.stageOrder ?? had?.stageOrder });
    }
    // Only writers that read every chunk may pack new runs (the newest chunk is rewritten).
    canWrite = docs.length > 0 || !warm.runIds?.length;
  }
  await Promise.all(
    Array.from({ length: Math.min(readers, Math.max(toRead.length - head, 1)) }, () => worker(toRead.length)),
  );
  await checkpoint();

  // Advance the watermark only when every listed run was read (unparseable records are
  // immutable too, so they are cached with their problem rather than retried forever).
  const finishTimes = listed.filter((r) => r.status === 'completed' && r.finishTime).map((r) => r.finishTime!);
  const before = snapshot.watermark ?? warm?.watermark;
  const newest = finishTimes.reduce((a, b) => (a > b ? a : b), before ?? '');
  const watermark = failed.size === 0 && newest ? newest : before;

  let data = compose();
  // Who approved each version the matrix shows: read once per run (2 requests), then cached in the index.
  const shown = buildMatrix(data.records).rows.flatMap((row) =>
    Object.values(row.cells).flatMap((c) => (c.current ? [c.current] : [])),
  );
  const need = runsNeedingGates(byId, shown);
  if (need.length) {
    await Promise.all(
      need.map(async (id) => {
        const gates = await readRunGates(api, id).catch(() => undefined);
        const e = byId.get(id);
        if (gates && e) byId.set(id, { ...e, gates });
      }),
    );
    data = compose();
  }
  const matrix = buildMatrix(data.records);
  const keep = new Set(
    matrix.rows.flatMap((row) =>
      Object.values(row.cells)
        .flatMap((c) => [c.current?.id, c.latest?.id])
        .filter((id): id is string => !!id),
    ),
  );
  const prune = planPrune(snap, keep, options.maxCachedRuns);
  if (prune.deletes.length) persist({ writes: [prune.pinned!], deletes: prune.deletes });
  // The index goes last: it only names runs whose chunks were written before it.
  const indexDoc = canWrite
    ? planIndex(snap, watermark, headOf(data.runs, data.records), environments.map(headerOnly))
    : undefined;
  if (indexDoc) persist({ writes: [indexDoc], deletes: [] });
  return { data, persisted: persisting };
}
