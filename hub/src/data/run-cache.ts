/**
 * Cache of completed runs' parsed records. A completed run's attachments never change, so
 * once read they are kept in extension data storage (user-scoped: a user only ever sees runs
 * their own token could read) and a warm load reads them back in one getDocuments call.
 * Runs are packed into chunk documents to keep writes few and documents small.
 */
import { RunEntry } from './model';
import { RestClient } from './rest-client';

export const CACHE_VERSION = 1;
export const RUNS_PER_CHUNK = 25;
/** Beyond this many cached runs the oldest chunks go (what runs where now is kept, pinned). */
export const MAX_CACHED_RUNS = 1000;

export interface CacheDoc {
  id: string;
  version: number;
  runs?: RunEntry[];
  /** Only on the index document: finish time up to which every completed run is cached. */
  watermark?: string;
}

export interface CacheSnapshot {
  watermark?: string;
  runs: Map<number, RunEntry>;
  chunks: CacheDoc[];
  pinned?: CacheDoc;
}

/** Where documents live: extension data storage in Azure DevOps, the preview server locally. */
export interface DocumentStore {
  getAll(): Promise<CacheDoc[]>;
  put(docs: CacheDoc[]): Promise<void>;
  delete(ids: string[]): Promise<void>;
}

export function readSnapshot(docs: CacheDoc[]): CacheSnapshot {
  const current = docs.filter((d) => d.version === CACHE_VERSION);
  const runs = new Map<number, RunEntry>();
  const chunks = current.filter((d) => d.id.startsWith('chunk-')).sort((a, b) => a.id.localeCompare(b.id));
  for (const e of current.find((d) => d.id === 'pinned')?.runs ?? []) runs.set(e.run.id, e);
  for (const c of chunks) for (const e of c.runs ?? []) runs.set(e.run.id, e);
  return {
    watermark: current.find((d) => d.id === 'index')?.watermark,
    runs,
    chunks,
    pinned: current.find((d) => d.id === 'pinned'),
  };
}

/** New runs fill the last chunk, then new chunks; returns only the documents that changed. */
export function planWrites(snapshot: CacheSnapshot, added: RunEntry[], watermark: string | undefined): CacheDoc[] {
  const writes: CacheDoc[] = [];
  const fresh = added.filter((e) => !snapshot.runs.has(e.run.id));
  const last = snapshot.chunks[snapshot.chunks.length - 1];
  let n = last ? Number(last.id.slice('chunk-'.length)) + 1 : 0;
  let current: CacheDoc | undefined =
    last && (last.runs?.length ?? 0) < RUNS_PER_CHUNK ? { ...last, runs: [...(last.runs ?? [])] } : undefined;
  let dirty = false;
  for (const e of fresh) {
    if (!current || (current.runs?.length ?? 0) >= RUNS_PER_CHUNK) {
      if (current && dirty) writes.push(current);
      current = { id: `chunk-${String(n++).padStart(6, '0')}`, version: CACHE_VERSION, runs: [] };
    }
    current.runs!.push(e);
    dirty = true;
  }
  if (current && dirty) writes.push(current);
  if (watermark !== snapshot.watermark && watermark) writes.push({ id: 'index', version: CACHE_VERSION, watermark });
  return writes;
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
  async getAll(): Promise<CacheDoc[]> {
    return [...this.docs.values()].map((d) => JSON.parse(JSON.stringify(d)) as CacheDoc);
  }
  async put(docs: CacheDoc[]): Promise<void> {
    for (const d of docs) this.docs.set(d.id, JSON.parse(JSON.stringify(d)) as CacheDoc);
  }
  async delete(ids: string[]): Promise<void> {
    for (const id of ids) this.docs.delete(id);
  }
}

/**
 * Extension data storage over REST (ExtensionManagement …/Data/Scopes/User/Me/Collections/…):
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
