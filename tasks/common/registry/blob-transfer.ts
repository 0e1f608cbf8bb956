import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { TaskError } from '../errors';
import { networkErrorCode } from '../http';
import { DEFAULT_RETRY_POLICY, RetryPolicy } from '../retry-policy';
import { retrying } from '../retrying';
import { CHUNKED_FROM_BYTES, CHUNK_BYTES, uploadInChunks } from './chunked-upload';
import { RegistryClient, UploadStart } from './client';
import { Descriptor } from './media-types';

export type BlobOutcome = 'present' | 'mounted' | 'copied';

export interface BlobTransferDeps {
  signal: AbortSignal;
  deadline: number;
  policy?: RetryPolicy;
  now?: () => number;
  random?: () => number;
  /** Called with every chunk's size as it passes: bytes moved, for progress and the record. */
  onBytes?: (n: number) => void;
  log?: (message: string) => void;
  /** Bytes sent a second time when a chunk was resumed after a failure. */
  onResent?: (n: number) => void;
  /** Chunk size of resumable uploads, and the blob size from which they are used (tests make them small). */
  chunkBytes?: number;
  chunkedFromBytes?: number;
  /** The target's answer to this blob's HEAD when it was asked earlier (copy-graph.ts planGraph): not asked again. */
  present?: Promise<boolean>;
}

export class DigestMismatchError extends TaskError {}

/**
 * Hashes a blob while it streams from source to target and withholds its last bytes until length and
 * digest match: a corrupt blob's upload never receives the Content-Length it announced, so the registry
 * cannot complete it whatever it checks itself (distribution's PutBlobUploadComplete returns before Commit
 * when copyFullPayload read less than Content-Length from a closed client: registry/handlers/blobupload.go,
 * helpers.go), and the stream's error aborts the request. Nothing is buffered beyond the chunk in flight.
 */
export function verifyingStream(descriptor: Descriptor, onBytes?: (n: number) => void): Transform {
  const [algorithm, expectedHex] = descriptor.digest.split(':');
  const hash = createHash(algorithm === 'sha512' ? 'sha512' : 'sha256');
  let size = 0;
  const corrupt = (actual: string): DigestMismatchError =>
    new DigestMismatchError(
      `Blob ${descriptor.digest} from the source has ${size} bytes with digest ${algorithm}:${actual}: the source served corrupt content.`,
      'Nothing was tagged; check the source registry.',
    );
  // An empty blob has no chunk to withhold: its digest is checked now, and its end passes only if it matched.
  const emptyDigest = descriptor.size === 0 ? hash.digest('hex') : undefined;
  let verified = emptyDigest === expectedHex;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      if (size > descriptor.size) {
        callback(
          new DigestMismatchError(
            `Blob ${descriptor.digest} is longer than the ${descriptor.size} bytes its descriptor declares.`,
          ),
        );
        return;
      }
      hash.update(chunk);
      if (size === descriptor.size) {
        // The chunk that completes the blob passes only once the whole blob is proven.
        const actual = hash.digest('hex');
        if (actual !== expectedHex) {
          callback(corrupt(actual));
          return;
        }
        verified = true;
      }
      onBytes?.(chunk.length);
      callback(null, chunk);
    },
    flush(callback) {
      // Unverified here: a short body (its digest never reached), or an empty blob with the wrong digest.
      callback(verified ? undefined : corrupt(emptyDigest ?? hash.digest('hex')));
    },
  });
}

const PENDING: unique symbol = Symbol('pending');

/** Undoes a transfer started before the target's HEAD answered, once it says "present" (or fails). */
async function dropSpeculation(
  dst: RegistryClient,
  opening: Promise<Readable> | undefined,
  starting: Promise<UploadStart>,
): Promise<void> {
  void opening?.then((b) => b.destroy()).catch(() => undefined);
  const start = await starting.catch(() => undefined);
  if (start && !start.mounted) await dst.cancelUpload(start.location);
}

/** HTTP statuses that only say "not now" or "try again", for which a whole blob transfer is restarted. */
function transientStatus(err: unknown): number | undefined {
  const status = (err as { status?: unknown }).status;
  return typeof status === 'number' && (status === 429 || status >= 500) ? status : undefined;
}

/**
 * Puts one blob into the target: HEAD (present → nothing moves; while it is unanswered, the source GET
 * and the upload POST already go out, a round trip less on a first copy), cross-repository mount inside
 * one registry, else a streamed monolithic upload (small blobs) or a chunked one whose chunks resume from
 * the registry's offset (large blobs, chunked-upload.ts). A failed transfer that cannot be resumed is
 * restarted whole (new upload session, new source GET) under the shared retry policy.
 */
export async function transferBlob(
  src: RegistryClient,
  srcRepo: string,
  dst: RegistryClient,
  dstRepo: string,
  descriptor: Descriptor,
  deps: BlobTransferDeps,
): Promise<BlobOutcome> {
  const sameRegistry = src.host === dst.host;
  const mount = sameRegistry && srcRepo !== dstRepo;
  const check = deps.present ?? dst.hasBlob(dstRepo, descriptor.digest);
  // Settled already: decided at once. Still pending (the usual first copy): the transfer's source GET and
  // upload POST go out now, beside the HEAD, and wait for its answer before a byte moves (see attempt).
  const early = await Promise.race([check, Promise.resolve(PENDING)]);
  if (early === true || (early === PENDING && mount && (await check))) return 'present';
  let unanswered = early === PENDING && !mount ? check : undefined;
  // Only a failed transfer is restarted; a failure to open the upload session was already retried by the client.
  let transferring = false;
  const attempt = async (): Promise<BlobOutcome> => {
    transferring = false;
    // Between two registries the source GET goes out with the upload POST (one round trip less per blob;
    // the response waits, paused, until the upload starts); a mount needs no bytes, so it goes alone.
    const opening = mount ? undefined : src.openBlob(srcRepo, descriptor);
    opening?.catch(() => undefined);
    const starting = dst.startUpload(dstRepo, mount ? { repository: srcRepo, digest: descriptor.digest } : undefined);
    starting.catch(() => undefined);
    const gate = unanswered;
    unanswered = undefined;
    // The HEAD's "present" drops both requests unread: the source answer's socket is closed before more
    // than its buffers' worth moved, and the empty session is deleted (DELETE on its Location: distribution's
    // CancelBlobUpload, registry/handlers/blobupload.go). A source or target that fails them does not fail a
    // blob the target already has (as when they were never sent).
    if (gate) {
      let present: boolean;
      try {
        present = await gate;
      } catch (err) {
        await dropSpeculation(dst, opening, starting);
        throw err;
      }
      if (present) {
        await dropSpeculation(dst, opening, starting);
        return 'present';
      }
    }
    let start: Awaited<ReturnType<RegistryClient['startUpload']>>;
    try {
      start = await starting;
    } catch (err) {
      void opening?.then((b) => b.destroy()).catch(() => undefined);
      throw err;
    }
    if (start.mounted) return 'mounted';
    transferring = true;
    let moved = 0;
    let streams: NodeJS.ReadableStream[] = [];
    try {
      const body = await (opening ?? src.openBlob(srcRepo, descriptor));
      const verifier = verifyingStream(descriptor, (n) => {
        moved += n;
        deps.onBytes?.(n);
      });
      streams = [body, verifier];
      // The upload's rejection reports a verifier error; one that comes after the upload already failed
      // (another blob's failure, a closed target) must not surface as an uncaught exception.
      verifier.on('error', () => undefined);
      // A source that fails mid-stream fails the verifier, which aborts the upload.
      body.once('error', (e) => verifier.destroy(e));
      if (descriptor.size >= (deps.chunkedFromBytes ?? CHUNKED_FROM_BYTES)) {
        await uploadInChunks(
          dst,
          start.location,
          descriptor,
          body.pipe(verifier),
          deps,
          deps.chunkBytes ?? CHUNK_BYTES,
        );
      } else await dst.completeUpload(start.location, descriptor, body.pipe(verifier));
      return 'copied';
    } catch (err) {
      // Stop downloading what will not be uploaded.
      for (const stream of streams) (stream as unknown as { destroy(): void }).destroy();
      deps.onBytes?.(-moved);
      await dst.cancelUpload(start.location);
      throw err;
    }
  };
  const mismatch = (err: unknown): DigestMismatchError | undefined => {
    const cause = (err as { cause?: unknown }).cause;
    return err instanceof DigestMismatchError ? err : cause instanceof DigestMismatchError ? cause : undefined;
  };
  return retrying(
    attempt,
    {
      what: `blob ${descriptor.digest}`,
      // Restarting a blob upload from scratch is safe: the target commits nothing without the digest.
      idempotent: true,
      errorOutcome: (err) => {
        if (!transferring || mismatch(err)) return undefined;
        const status = transientStatus(err);
        const code = networkErrorCode(err);
        return status !== undefined ? { status } : code !== undefined ? { errorCode: code } : undefined;
      },
      giveUp: (err) => mismatch(err) ?? err,
      describe: (d, n) =>
        `blob ${descriptor.digest}: ${d.reason}; restarting the transfer in ${d.delayMs} ms (attempt ${n + 1})`,
    },
    { ...deps, policy: deps.policy ?? DEFAULT_RETRY_POLICY },
  );
}
