import { PassThrough, Readable, Writable } from 'node:stream';
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

/**
 * Reads a stream in pieces of at most `max` bytes: a read that spans a chunk boundary is cut with
 * subarray (no copy) and its rest handed out first on the next call. One caller at a time.
 */
export class PieceReader {
  private rest?: Buffer;
  private readonly reads: AsyncIterator<Buffer>;

  constructor(stream: Readable) {
    this.reads = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  }

  /** The next piece, at most `max` bytes long; undefined once the stream ended. */
  async next(max: number): Promise<Buffer | undefined> {
    let piece = this.rest;
    this.rest = undefined;
    if (!piece?.length) {
      const r = await this.reads.next();
      if (r.done) return undefined;
      piece = r.value;
    }
    if (piece.length > max) {
      this.rest = piece.subarray(max);
      piece = piece.subarray(0, max);
    }
    return piece;
  }
}

function transient(err: unknown): { status: number } | { errorCode: string } | undefined {
  if (err instanceof UploadSessionGone) return undefined;
  const status = (err as { status?: unknown }).status;
  if (typeof status === 'number' && (status === 429 || status >= 500)) return { status };
  const code = networkErrorCode(err);
  return code !== undefined ? { errorCode: code } : undefined;
}

/** Resolves once `out` drains or `settled` settles (a failed request never drains its body). */
function drained(out: Writable, settled: Promise<unknown>): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      out.off('drain', done);
      resolve();
    };
    out.on('drain', done);
    settled.then(done, done);
  });
}

/**
 * One chunk of `length` bytes at `start`. The first attempt streams it: the PATCH goes out with the
 * chunk's first byte and every piece is written as it is read, nothing copied; the pieces are kept
 * (references, not copies) so that a failed PATCH can be resumed. After a failure the rest of the chunk
 * is read, and the chunk resumed from the offset the registry reports (GET on the upload's Location →
 * 204 `Range: 0-<end>`, distribution-spec spec.md "Pushing a blob in chunks"): only what it lacks is
 * sent again. Only reported offsets are trusted: docker-registry 2.8 answers 404 to the status request
 * once a broken PATCH left bytes its signed `_state` does not account for, and the blob is then
 * restarted whole.
 */
async function sendChunk(
  dst: RegistryClient,
  location: string,
  start: number,
  length: number,
  reader: PieceReader,
  deps: BlobTransferDeps,
  what: string,
): Promise<string> {
  const held: Buffer[] = [];
  let read = 0;
  // A failing source is the blob's failure (the verifier's or the source's), never a reason to resume the chunk.
  let sourceFailed = false;
  const readPiece = async (): Promise<Buffer> => {
    let piece: Buffer | undefined;
    try {
      piece = await reader.next(length - read);
    } catch (err) {
      sourceFailed = true;
      throw err;
    }
    if (!piece) {
      sourceFailed = true;
      throw new TaskError(`${what}: the source ended ${length - read} bytes before the chunk's end.`);
    }
    held.push(piece);
    read += piece.length;
    return piece;
  };
  const streamed = async (): Promise<string> => {
    const body = new PassThrough({ highWaterMark: 1 << 20 });
    const sending = dst.patchUpload(location, start, body, length);
    const settled = sending.then(
      () => undefined,
      () => undefined,
    );
    let answered = false;
    void settled.then(() => (answered = true));
    try {
      while (read < length) {
        const piece = await readPiece();
        // Once the PATCH failed (or was refused early), the rest of the chunk is only collected, for the resume.
        if (!answered && !body.write(piece)) await drained(body, settled);
      }
    } catch (err) {
      // The source failed: the PATCH is aborted, never left waiting for bytes.
      body.destroy(err as Error);
      throw err;
    }
    body.end();
    return sending;
  };
  let loc = location;
  let whole: Buffer | undefined;
  let failure: unknown;
  return retrying(
    async (attempt) => {
      if (attempt === 1) return streamed();
      while (read < length) await readPiece();
      whole ??= held.length === 1 ? held[0] : Buffer.concat(held, length);
      const status = await dst.uploadStatus(loc);
      if (!status || status.offset < start || status.offset > start + length) {
        const said = status
          ? `resume at byte ${status.offset}, outside the chunk ${start}-${start + length - 1}`
          : 'the upload session is gone';
        deps.log?.(`${what}: ${said}; the blob is sent again from its start`);
        // The failure that broke the chunk stays the cause: the blob's restart is decided on it.
        throw Object.assign(new UploadSessionGone(`${what}: ${said}.`), { cause: failure });
      }
      loc = status.location;
      deps.log?.(`${what}: the registry holds ${status.offset} bytes; resuming there`);
      if (status.offset === start + length) return loc;
      deps.onResent?.(start + length - status.offset);
      const rest = whole.subarray(status.offset - start);
      return dst.patchUpload(loc, status.offset, Readable.from([rest]), rest.length);
    },
    {
      what,
      // Safe to repeat: every attempt after the first re-reads the registry's offset before sending.
      idempotent: true,
      errorOutcome: (err) => {
        failure = err;
        return sourceFailed ? undefined : transient(err);
      },
      describe: (d, n) =>
        `${what}: ${d.reason}; asking the registry how far it got in ${d.delayMs} ms (attempt ${n + 1})`,
    },
    { ...deps, policy: deps.policy ?? DEFAULT_RETRY_POLICY },
  );
}

/**
 * Chunked upload of a verified stream into an open session: one streamed PATCH per chunk (at most one
 * chunk held in memory, as references to the pieces read), then PUT ?digest= — only once the stream
 * ended, i.e. once the verifier passed the content.
 */
export async function uploadInChunks(
  dst: RegistryClient,
  location: string,
  descriptor: Descriptor,
  body: Readable,
  deps: BlobTransferDeps,
  chunkBytes = CHUNK_BYTES,
): Promise<void> {
  const reader = new PieceReader(body);
  let loc = location;
  for (let start = 0; start < descriptor.size; start += chunkBytes) {
    const length = Math.min(chunkBytes, descriptor.size - start);
    loc = await sendChunk(dst, loc, start, length, reader, deps, `blob ${descriptor.digest} chunk at ${start}`);
  }
  // The verifier checks length and digest in its flush: the stream's end must be read before the commit.
  if (await reader.next(1))
    throw new TaskError(
      `Blob ${descriptor.digest} is longer than the ${descriptor.size} bytes its descriptor declares.`,
    );
  await dst.closeUpload(loc, descriptor);
}
