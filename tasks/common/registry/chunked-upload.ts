import { Readable } from 'node:stream';
import { TaskError } from '../errors';
import { networkErrorCode } from '../http';
import { DEFAULT_RETRY_POLICY } from '../retry-policy';
import { retrying } from '../retrying';
import { RegistryClient } from './client';
import { Descriptor } from './media-types';
import type { BlobTransferDeps } from './blob-transfer';

/** Chunk size of resumable uploads: at most this much is sent twice after a dropped connection. */
export const CHUNK_BYTES = 16 << 20;
/** Blobs below this go in one monolithic PUT (one request, fastest); larger ones in resumable chunks. */
export const CHUNKED_FROM_BYTES = 2 * CHUNK_BYTES;

/** The upload session cannot be resumed (404 or an offset outside the chunk): the blob is restarted whole. */
export class UploadSessionGone extends TaskError {}

/** Cuts a stream into buffers of `size` bytes (the last one shorter); copies only when a chunk spans reads. */
export async function* chunksOf(stream: Readable, size: number): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let held = 0;
  for await (const piece of stream as AsyncIterable<Buffer>) {
    let rest = piece;
    while (held + rest.length >= size) {
      const take = size - held;
      parts.push(rest.subarray(0, take));
      yield parts.length === 1 ? parts[0] : Buffer.concat(parts, size);
      rest = rest.subarray(take);
      parts = [];
      held = 0;
    }
    if (rest.length) {
      parts.push(rest);
      held += rest.length;
    }
  }
  if (held) yield Buffer.concat(parts, held);
}

function transient(err: unknown): { status: number } | { errorCode: string } | undefined {
  if (err instanceof UploadSessionGone) return undefined;
  const status = (err as { status?: unknown }).status;
  if (typeof status === 'number' && (status === 429 || status >= 500)) return { status };
  const code = networkErrorCode(err);
  return code !== undefined ? { errorCode: code } : undefined;
}

/**
 * One chunk, resumed after a failure from the offset the registry reports (GET on the upload's Location →
 * 204 `Range: 0-<end>`, distribution-spec spec.md "Pushing a blob in chunks"): only what it lacks is sent
 * again. Only reported offsets are trusted: docker-registry 2.8 answers 404 to the status request once a
 * broken PATCH left bytes its signed `_state` does not account for, and the blob is then restarted whole.
 */
async function sendChunk(
  dst: RegistryClient,
  location: string,
  start: number,
  chunk: Buffer,
  deps: BlobTransferDeps,
  what: string,
): Promise<string> {
  let loc = location;
  let offset = start;
  let failure: unknown;
  return retrying(
    async (attempt) => {
      if (attempt > 1) {
        const status = await dst.uploadStatus(loc);
        if (!status || status.offset < start || status.offset > start + chunk.length) {
          const said = status
            ? `resume at byte ${status.offset}, outside the chunk ${start}-${start + chunk.length - 1}`
            : 'the upload session is gone';
          deps.log?.(`${what}: ${said}; the blob is sent again from its start`);
          // The failure that broke the chunk stays the cause: the blob's restart is decided on it.
          throw Object.assign(new UploadSessionGone(`${what}: ${said}.`), { cause: failure });
        }
        loc = status.location;
        deps.log?.(`${what}: the registry holds ${status.offset} bytes; resuming there`);
        offset = status.offset;
        if (offset === start + chunk.length) return loc;
        deps.onResent?.(start + chunk.length - offset);
      }
      return dst.patchUpload(loc, offset, offset === start ? chunk : chunk.subarray(offset - start));
    },
    {
      what,
      // Safe to repeat: every attempt after the first re-reads the registry's offset before sending.
      idempotent: true,
      errorOutcome: (err) => {
        failure = err;
        return transient(err);
      },
      describe: (d, n) =>
        `${what}: ${d.reason}; asking the registry how far it got in ${d.delayMs} ms (attempt ${n + 1})`,
    },
    { ...deps, policy: deps.policy ?? DEFAULT_RETRY_POLICY },
  );
}

/**
 * Chunked upload of a verified stream into an open session: PATCH per chunk, the next chunk read while the
 * previous one is sent (two chunks in memory per blob), then PUT ?digest= — only once the stream ended,
 * i.e. once the verifier passed the content.
 */
export async function uploadInChunks(
  dst: RegistryClient,
  location: string,
  descriptor: Descriptor,
  body: Readable,
  deps: BlobTransferDeps,
  chunkBytes = CHUNK_BYTES,
): Promise<void> {
  const chunks = chunksOf(body, chunkBytes);
  let loc = location;
  let start = 0;
  let next = chunks.next();
  for (;;) {
    const current = await next;
    if (current.done) break;
    next = chunks.next();
    // Read ahead while the PATCH is in flight; its failure is taken when it is awaited.
    next.catch(() => undefined);
    loc = await sendChunk(dst, loc, start, current.value, deps, `blob ${descriptor.digest} chunk at ${start}`);
    start += current.value.length;
  }
  await dst.closeUpload(loc, descriptor);
}
