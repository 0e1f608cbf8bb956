import type * as WorkerThreads from 'node:worker_threads';

/**
 * SHA-256/512 of large blobs on a worker thread. On the main thread, hashing is a quarter of a copy's
 * CPU (measured with --cpu-prof on AcrPromote at 200 MB), and that thread also parses and writes every
 * byte: on a busy agent, where each runnable thread gets a slice of a core, a second thread for the
 * hashes keeps the copy moving as skopeo's goroutines do. Each piece is copied once into a buffer that
 * is transferred (not cloned) to the worker.
 */
export interface RemoteHash {
  /** Queues a piece; resolves at once unless the worker is more than BACKLOG_BYTES behind. */
  update(piece: Buffer): Promise<void> | undefined;
  /** The hex digest of everything queued. */
  digest(): Promise<string>;
  /** Forgets this hash (the blob failed). */
  drop(): void;
}

export interface DigestWorker {
  hash(algorithm: 'sha256' | 'sha512'): RemoteHash;
  close(): Promise<void>;
}

/** Bytes a hash may run ahead of the worker before the stream waits for it. */
const BACKLOG_BYTES = 8 << 20;

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const hashes = new Map();
parentPort.on('message', (m) => {
  if (m.data) {
    let h = hashes.get(m.id);
    if (!h) hashes.set(m.id, (h = createHash(m.algorithm)));
    h.update(m.data);
    parentPort.postMessage({ id: m.id, done: m.data.length });
  } else if (m.end) {
    const h = hashes.get(m.id) || createHash(m.algorithm);
    hashes.delete(m.id);
    parentPort.postMessage({ id: m.id, hex: h.digest('hex') });
  } else if (m.drop) hashes.delete(m.id);
});
`;

interface Pending {
  backlog: number;
  resumed?: () => void;
  digested?: (hex: string) => void;
  failed?: (err: Error) => void;
}

/** A worker started on the first hash, unref'd: it never keeps the task's process alive. */
export function lazyDigestWorker(): DigestWorker {
  let worker: WorkerThreads.Worker | undefined;
  let failure: Error | undefined;
  let nextId = 0;
  const pending = new Map<number, Pending>();
  const start = (): WorkerThreads.Worker => {
    if (worker) return worker;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: small copies never start a thread
    const { Worker: WorkerClass } = require('node:worker_threads') as typeof WorkerThreads;
    const w = new WorkerClass(WORKER_SOURCE, { eval: true });
    w.unref();
    w.on('message', (m: { id: number; done?: number; hex?: string }) => {
      const p = pending.get(m.id);
      if (!p) return;
      if (m.done !== undefined) {
        p.backlog -= m.done;
        if (p.backlog <= BACKLOG_BYTES / 2 && p.resumed) {
          const resume = p.resumed;
          p.resumed = undefined;
          resume();
        }
      } else if (m.hex !== undefined) {
        pending.delete(m.id);
        p.digested?.(m.hex);
      }
    });
    w.on('error', (err) => {
      failure = err;
      for (const p of pending.values()) p.failed?.(err);
    });
    return (worker = w);
  };
  return {
    hash(algorithm) {
      const w = start();
      const id = nextId++;
      const p: Pending = { backlog: 0 };
      pending.set(id, p);
      return {
        update(piece) {
          if (failure) return Promise.reject(failure);
          const data = new Uint8Array(piece);
          w.postMessage({ id, algorithm, data }, [data.buffer]);
          p.backlog += data.length;
          if (p.backlog <= BACKLOG_BYTES) return undefined;
          return new Promise<void>((resolve, reject) => {
            p.resumed = resolve;
            p.failed = reject;
          });
        },
        digest() {
          if (failure) return Promise.reject(failure);
          return new Promise<string>((resolve, reject) => {
            p.digested = resolve;
            p.failed = reject;
            w.postMessage({ id, algorithm, end: true });
          });
        },
        drop() {
          pending.delete(id);
          w.postMessage({ id, drop: true });
        },
      };
    },
    async close() {
      const w = worker;
      worker = undefined;
      if (w) await w.terminate();
    },
  };
}
