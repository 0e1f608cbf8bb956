import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { TaskError } from '../errors';
import { networkErrorCode } from '../http';
import { DEFAULT_RETRY_POLICY, RetryPolicy } from '../retry-policy';
import { retrying } from '../retrying';
import { CHUNKED_FROM_BYTES, CHUNK_BYTES, uploadInChunks } from './chunked-upload';
import { RegistryClient } from './client';
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

/** HTTP statuses that only say "not now" or "try again", for which a whole blob transfer is restarted. */
function transientStatus(err: unknown): number | undefined {
  const status = (err as { status?: unknown }).status;
  return typeof status === 'number' && (status === 429 || status >= 500) ? status : undefined;
}

/**
 * Puts one blob into the target: HEAD first (present → nothing moves), cross-repository mount
 * inside one registry, else a streamed monolithic upload (small blobs) or a chunked one whose chunks
 * resume from the registry's offset (large blobs, chunked-upload.ts). A failed transfer that cannot be
 * resumed is restarted whole (new upload session) under the shared retry policy.
 */
export async function transferBlob(
  src: RegistryClient,
  srcRepo: string,
  dst: RegistryClient,
  dstRepo: string,
  descriptor: Descriptor,
  deps: BlobTransferDeps,
): Promise<BlobOutcome> {
  if (await (deps.present ?? dst.hasBlob(dstRepo, descriptor.digest))) return 'present';
  const sameRegistry = src.host === dst.host;
  // Only a failed transfer is restarted; a failure to open the upload session was already retried by the client.
  let transferring = false;
  const attempt = async (): Promise<BlobOutcome> => {
    transferring = false;
    const mount = sameRegistry && srcRepo !== dstRepo;
    // Between two registries the source GET goes out with the upload POST (one round trip less per blob;
    // the response waits, paused, until the upload starts); a mount needs no bytes, so it goes alone.
    const opening = mount ? undefined : src.openBlob(srcRepo, descriptor);
    opening?.catch(() => undefined);
    let start: Awaited<ReturnType<RegistryClient['startUpload']>>;
    try {
      start = await dst.startUpload(dstRepo, mount ? { repository: srcRepo, digest: descriptor.digest } : undefined);
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
