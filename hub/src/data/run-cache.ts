/**
 * Cache of completed runs' parsed records. A completed run's attachments never change, so once read
 * they are kept in extension data storage, shared by everyone who opens the hub in the project
 * (project-scoped collection: the second user does not start cold), and a warm load reads them back.
 * Runs are packed into chunk documents to keep writes few. Every writer may be another user's hub
 * at the same moment, so a chunk's id names its content (first run, last run, count): two writers
 * never overwrite each other's runs, and readers take the union.
 *
 * The index document carries what the first matrix needs (the records its cells show, the stage
 * order) besides the watermark and the cached run ids: a warm load renders from it alone, a few
 * kilobytes, and reads the chunks afterwards.
 */
import { EnvironmentRef, RunEntry } from './model';
import { RestClient } from './rest-client';

export const CACHE_VERSION = 2;
export const RUNS_PER_CHUNK = 25;
/** Beyond this many cached runs the oldest chunks go (what runs where now is kept, pinned). */
export const MAX_CACHED_RUNS = 1000;
export const INDEX_ID = 'index';

export interface CacheDoc {
  id: string;
  version: number;
  runs?: RunEntry[];
  /** Only on the index document: finish time up to which every completed run is cached. */
  watermark?: string;
  /** Index: the ids of the cached runs (a warm load knows them before reading the chunks). */
  runIds?: number[];
  /** Index: the runs with the records the matrix showed, slim; the first render of a warm load. */
  head?: RunEntry[];
  /** Index: the environments' header (last deployment), shown until the deployment records are read. */
  environments?: EnvironmentRef[];
}

export interface CacheSnapshot {
  watermark?: string;
  runs: Map<number, RunEntry>;
  chunks: CacheDoc[];
  pinned?: CacheDoc;
  index?: CacheDoc;
}

/** Where documents live: extension data storage in Azure DevOps, the preview server locally. */
export interface DocumentStore {
  getAll(): Promise<CacheDoc[]>;
  /** One document, or undefined when there is none. */
  get(id: string): Promise<CacheDoc | undefined>;
  put(docs: CacheDoc[]): Promise<void>;
  delete(ids: string[]): Promise<void>;
}

export function readSnapshot(docs: CacheDoc[]): CacheSnapshot {
  const current = docs.filter((d) => d.version === CACHE_VERSION);
  const runs = new Map<number, RunEntry>();
  const chunks = current.filter((d) => d.id.startsWith('chunk-')).sort((a, b) => firstRun(a) - firstRun(b));
  for (const e of current.find((d) => d.id === 'pinned')?.runs ?? []) runs.set(e.run.id, e);
  for (const c of chunks) for (const e of c.runs ?? []) runs.set(e.run.id, e);
  const index = current.find((d) => d.id === INDEX_ID);
  return { watermark: index?.watermark, runs, chunks, pinned: current.find((d) => d.id === 'pinned'), index };
}

function firstRun(c: CacheDoc): number {
  return Math.min(...(c.runs ?? []).map((e) => e.run.id), Number.MAX_SAFE_INTEGER);
}

/** A chunk's id names its content, so concurrent writers of different runs never collide. */
export function chunkId(runs: RunEntry[]): string {
  const ids = runs.map((e) => e.run.id);
  const pad = (n: number): string => String(n).padStart(10, '0');
  return `chunk-${pad(Math.min(...ids))}-${pad(Math.max(...ids))}-${runs.length}`;
}

/**
 * New runs fill the newest chunk (rewritten under its new id, the old one deleted), then new chunks.
 * Returns only the documents that changed.
 */
export function planWrites(snapshot: CacheSnapshot, added: RunEntry[]): { writes: CacheDoc[]; deletes: string[] } {
  const fresh = added.filter((e) => !snapshot.runs.has(e.run.id));
  if (!fresh.length) return { writes: [], deletes: [] };
  const last = snapshot.chunks[snapshot.chunks.length - 1];
  const deletes: string[] = [];
  let current: RunEntry[] = [];
  if (last && (last.runs?.length ?? 0) < RUNS_PER_CHUNK) {
    current = [...(last.runs ?? [])];
    deletes.push(last.id);
  }
  const groups: RunEntry[][] = [];
  for (const e of fresh) {
    if (current.length >= RUNS_PER_CHUNK) {
      groups.push(current);
      current = [];
    }
    current.push(e);
  }
  groups.push(current);
  return { writes: groups.map((runs) => ({ id: chunkId(runs), version: CACHE_VERSION, runs })), deletes };
}

/** The index document, when it differs from the stored one. */
export function planIndex(
  snapshot: CacheSnapshot,
  watermark: string | undefined,
  head: RunEntry[],
  environments?: EnvironmentRef[],
): CacheDoc | undefined {
  const doc: CacheDoc = {
    id: INDEX_ID,
    version: CACHE_VERSION,
    watermark,
    runIds: [...snapshot.runs.keys()].sort((a, b) => a - b),
    head,
    ...(environments ? { environments } : {}),
  };
  const old = snapshot.index;
  const same =
    old &&
    old.watermark === doc.watermark &&
    stable(old.runIds) === stable(doc.runIds) &&
    stable(old.head) === stable(doc.head) &&
    stable(old.environments) === stable(doc.environments);
  return same ? undefined : doc;
}

/** JSON with sorted keys: the same content compares equal whatever order its fields were set in. */
function stable(v: unknown): string {
  return JSON.stringify(v, (_, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : x,
  );
}

/**
 * Keeps the cache bounded: the chunks holding the oldest runs are deleted until at most `max`
 * runs remain, except the records in `keep` (what each matrix cell shows now), which move to
 * the 'pinned' document so an old but still deployed version does not vanish from the matrix.
 */
export function planPrune(
  snapshot: CacheSnapshot,
  keep: Set<string>,
  max = MAX_CACHED_RUNS,
): { deletes: string[]; pinned?: CacheDoc } {
  const inChunks = snapshot.chunks.reduce((n, c) => n + (c.runs?.length ?? 0), 0);
  if (inChunks <= max) return { deletes: [] };
  const newestId = (c: CacheDoc): number => Math.max(...(c.runs ?? []).map((e) => e.run.id), 0);
  const oldestFirst = [...snapshot.chunks].sort((a, b) => newestId(a) - newestId(b));
  const deletes: string[] = [];
  const pinned = new Map((snapshot.pinned?.runs ?? []).map((e) => [e.run.id, e]));
  let left = inChunks;
  for (const chunk of oldestFirst) {
    if (left <= max) break;
    deletes.push(chunk.id);
    left -= chunk.runs?.length ?? 0;
    for (const e of chunk.runs ?? []) {
      const kept = e.records.filter((r) => keep.has(r.id));
      if (kept.length) pinned.set(e.run.id, { run: e.run, records: kept });
    }
  }
  return { deletes, pinned: { id: 'pinned', version: CACHE_VERSION, runs: [...pinned.values()] } };
}

export class MemoryDocumentStore implements DocumentStore {
  readonly docs = new Map<string, CacheDoc>();
  reads = 0;
  async getAll(): Promise<CacheDoc[]> {
    this.reads++;
    return [...this.docs.values()].map((d) => JSON.parse(JSON.stringify(d)) as CacheDoc);
  }
  async get(id: string): Promise<CacheDoc | undefined> {
    this.reads++;
    const d = this.docs.get(id);
    return d ? (JSON.parse(JSON.stringify(d)) as CacheDoc) : undefined;
  }
  async put(docs: CacheDoc[]): Promise<void> {
    for (const d of docs) this.docs.set(d.id, JSON.parse(JSON.stringify(d)) as CacheDoc);
  }
  async delete(ids: string[]): Promise<void> {
    for (const id of ids) this.docs.delete(id);
  }
}

/**
 * Extension data storage over REST (ExtensionManagement …/Data/Scopes/Default/Current/Collections/…):
 * the preview server serves the same routes, so preview and bench count the same requests.
 */
export class RestDocumentStore implements DocumentStore {
  constructor(
    private readonly rest: RestClient,
    private readonly collectionUrl: string,
  ) {}

  async getAll(): Promise<CacheDoc[]> {
    const res = await this.rest.getJson<CacheDoc[] | { value?: CacheDoc[] }>(
      `${this.collectionUrl}Documents?api-version=7.1-preview.1`,
    );
    const body = res.body;
    return Array.isArray(body) ? body : (body?.value ?? []);
  }

  async get(id: string): Promise<CacheDoc | undefined> {
    try {
      return (
        await this.rest.getJson<CacheDoc>(
          `${this.collectionUrl}Documents/${encodeURIComponent(id)}?api-version=7.1-preview.1`,
        )
      ).body;
    } catch {
      // 404: no such document yet (a first load); anything else also means "no cache" here.
      return undefined;
    }
  }

  async put(docs: CacheDoc[]): Promise<void> {
    await Promise.all(
      docs.map((d) =>
        this.rest.putJson(`${this.collectionUrl}Documents?api-version=7.1-preview.1`, { ...d, __etag: -1 }),
      ),
    );
  }

  async delete(ids: string[]): Promise<void> {
    await Promise.all(
      ids.map((id) =>
        this.rest.send('DELETE', `${this.collectionUrl}Documents/${encodeURIComponent(id)}?api-version=7.1-preview.1`),
      ),
    );
  }
}
