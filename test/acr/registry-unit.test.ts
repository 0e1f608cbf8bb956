import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DigestMismatchError, verifyingStream } from '../../tasks/common/registry/blob-transfer';
import { mapLimit } from '../../tasks/common/map-limit';
import { parseChallenge } from '../../tasks/common/registry/challenge';
import { MediaType, parseManifest, referrersTag } from '../../tasks/common/registry/media-types';
import { planTags } from '../../tasks/AcrPromote/tag-plan';
import { PieceReader } from '../../tasks/common/registry/chunked-upload';
import { uploadOffset } from '../../tasks/common/registry/client';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

describe('registry: WWW-Authenticate parsing', () => {
  const rows: [string, string | undefined, Record<string, string>][] = [
    [
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"',
      'bearer',
      { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/alpine:pull' },
    ],
    ['Basic realm="Registry Realm"', 'basic', { realm: 'Registry Realm' }],
    [
      'Bearer realm="https://x.azurecr.io/oauth2/token",service="x.azurecr.io",scope="repository:a:pull,push"',
      'bearer',
      { realm: 'https://x.azurecr.io/oauth2/token', service: 'x.azurecr.io', scope: 'repository:a:pull,push' },
    ],
    ['bearer realm=https://r/t, service=r', 'bearer', { realm: 'https://r/t', service: 'r' }],
    ['Bearer realm="a\\"b",error="insufficient_scope"', 'bearer', { realm: 'a"b', error: 'insufficient_scope' }],
  ];
  for (const [header, scheme, params] of rows) {
    it(header, () => {
      const c = parseChallenge(header);
      assert.equal(c?.scheme, scheme);
      assert.deepEqual(c?.params, params);
    });
  }
  it('absent header', () => assert.equal(parseChallenge(null), undefined));
});

describe('AcrPromote: tag plan', () => {
  const rows: {
    why: string;
    tags: string[];
    current: Record<string, string | undefined>;
    allow: boolean;
    move: string[];
    unchanged: string[];
    conflicts: string[];
  }[] = [
    {
      why: 'new tags move',
      tags: ['a', 'b'],
      current: {},
      allow: false,
      move: ['a', 'b'],
      unchanged: [],
      conflicts: [],
    },
    {
      why: 'same digest is unchanged',
      tags: ['a'],
      current: { a: D1 },
      allow: false,
      move: [],
      unchanged: ['a'],
      conflicts: [],
    },
    {
      why: 'other digest conflicts',
      tags: ['a', 'b'],
      current: { a: D2 },
      allow: false,
      move: ['b'],
      unchanged: [],
      conflicts: ['a'],
    },
    {
      why: 'other digest moves when allowed',
      tags: ['a'],
      current: { a: D2 },
      allow: true,
      move: ['a'],
      unchanged: [],
      conflicts: [],
    },
    {
      why: 'duplicates collapse',
      tags: ['a', 'a'],
      current: {},
      allow: false,
      move: ['a'],
      unchanged: [],
      conflicts: [],
    },
  ];
  for (const r of rows) {
    it(r.why, () => {
      const plan = planTags(r.tags, r.current, D1, r.allow);
      assert.deepEqual(plan.move, r.move);
      assert.deepEqual(plan.unchanged, r.unchanged);
      assert.deepEqual(
        plan.conflicts.map((c) => c.tag),
        r.conflicts,
      );
    });
  }
});

describe('registry: manifest parsing', () => {
  const cfg = { mediaType: 'application/vnd.oci.image.config.v1+json', digest: D1, size: 10 };
  const layer = { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: D2, size: 20 };
  const foreign = {
    mediaType: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
    digest: `sha256:${'3'.repeat(64)}`,
    size: 5,
    urls: ['https://mcr.microsoft.com/x'],
  };
  const json = (o: unknown): Buffer => Buffer.from(JSON.stringify(o));
  it('image: config and layers are blobs, foreign layers are skipped', () => {
    const p = parseManifest(
      json({ schemaVersion: 2, mediaType: MediaType.dockerManifest, config: cfg, layers: [layer, foreign] }),
      MediaType.dockerManifest,
      'x',
    );
    assert.deepEqual(
      p.blobs.map((b) => b.digest),
      [D1, D2],
    );
    assert.equal(p.isIndex, false);
  });
  it('index: manifests are children', () => {
    const p = parseManifest(
      json({
        schemaVersion: 2,
        mediaType: MediaType.ociIndex,
        manifests: [{ ...layer, mediaType: MediaType.ociManifest }],
      }),
      undefined,
      'x',
    );
    assert.equal(p.isIndex, true);
    assert.equal(p.manifests.length, 1);
  });
  it('artifact: artifactType from the config media type (Helm chart)', () => {
    const p = parseManifest(
      json({
        schemaVersion: 2,
        config: { ...cfg, mediaType: 'application/vnd.cncf.helm.config.v1+json' },
        layers: [layer],
      }),
      MediaType.ociManifest,
      'x',
    );
    assert.equal(p.artifactType, 'application/vnd.cncf.helm.config.v1+json');
  });
  it('schema 1 is refused with a fix', () => {
    assert.throws(
      () => parseManifest(json({ schemaVersion: 1, fsLayers: [] }), MediaType.dockerSchema1Signed, 'r/x:1'),
      /schema 1.*Rebuild/,
    );
  });
  it('invalid descriptors are refused', () => {
    assert.throws(
      () =>
        parseManifest(
          json({ schemaVersion: 2, config: cfg, layers: [{ digest: 'nope' }] }),
          MediaType.ociManifest,
          'x',
        ),
      /invalid 'layers'/,
    );
  });
  it('fallback tag', () => assert.equal(referrersTag(D1), `sha256-${'1'.repeat(64)}`));
});

describe('registry: digest verification on the fly', () => {
  const data = Buffer.from('hello blob');
  const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
  const drain = async (d: { digest: string; size: number }, chunks: Buffer[]): Promise<number> => {
    let n = 0;
    await pipeline(
      Readable.from(chunks),
      verifyingStream({ mediaType: 'x', ...d }, (k) => (n += k)),
      // eslint-disable-next-line require-yield -- a sink: it consumes the stream and yields nothing
      async function* (src) {
        for await (const _ of src) void _;
      },
    );
    return n;
  };
  it('passes matching content through, counting bytes', async () =>
    assert.equal(await drain({ digest, size: data.length }, [data.subarray(0, 4), data.subarray(4)]), data.length));
  it('fails on a different digest', async () =>
    assert.rejects(drain({ digest: D1, size: data.length }, [data]), DigestMismatchError));
  it('fails on extra bytes before hashing them', async () =>
    assert.rejects(drain({ digest, size: 3 }, [data]), /longer than the 3 bytes/));
  it('fails on a short body', async () =>
    assert.rejects(drain({ digest, size: data.length + 1 }, [data]), DigestMismatchError));
  it('withholds the chunk that completes a corrupt blob: the upload never gets its last bytes', async () => {
    const wrong = Buffer.from(data);
    wrong[0] ^= 1;
    const passed: Buffer[] = [];
    const verifier = verifyingStream({ mediaType: 'x', digest, size: data.length });
    verifier.on('data', (c: Buffer) => passed.push(c));
    const done = new Promise((resolve, reject) => verifier.on('error', reject).on('end', resolve));
    verifier.write(wrong.subarray(0, 4));
    verifier.end(wrong.subarray(4));
    await assert.rejects(done, DigestMismatchError);
    assert.equal(Buffer.concat(passed).length, 4, 'only the chunk before the last one passed');
  });
  it('an empty blob: passes with the empty digest, fails with another', async () => {
    const empty = `sha256:${createHash('sha256').update(Buffer.alloc(0)).digest('hex')}`;
    assert.equal(await drain({ digest: empty, size: 0 }, []), 0);
    await assert.rejects(drain({ digest: D1, size: 0 }, []), DigestMismatchError);
  });
  it('24 MiB in 64 KiB reads, sha256 and sha512', async () => {
    const big = Buffer.alloc(24 << 20);
    for (let i = 0; i < big.length; i += 4096) big.writeUInt32LE((i * 2654435761) >>> 0, i);
    const reads: Buffer[] = [];
    for (let i = 0; i < big.length; i += 64 << 10) reads.push(big.subarray(i, i + (64 << 10)));
    for (const algorithm of ['sha256', 'sha512']) {
      const d = `${algorithm}:${createHash(algorithm).update(big).digest('hex')}`;
      assert.equal(await drain({ digest: d, size: big.length }, reads), big.length);
      const corrupt = [...reads];
      corrupt[100] = Buffer.alloc(64 << 10, 1);
      await assert.rejects(drain({ digest: d, size: big.length }, corrupt), DigestMismatchError);
    }
  });
});

describe('registry: bounded parallelism', () => {
  it('never runs more than the limit at once and keeps order', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapLimit([5, 1, 3, 2, 4], 2, async (x) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, x));
      running--;
      return x * 2;
    });
    assert.deepEqual(out, [10, 2, 6, 4, 8]);
    assert.equal(peak, 2);
  });
  it('stops on the first failure', async () => {
    const started: number[] = [];
    await assert.rejects(
      mapLimit([1, 2, 3, 4], 1, async (x) => {
        started.push(x);
        if (x === 2) throw new Error('boom');
      }),
      /boom/,
    );
    assert.deepEqual(started, [1, 2]);
  });
});

describe('registry: chunked upload pieces', () => {
  const ranges: [string | null, number | undefined][] = [
    ['0-999999', 1000000],
    ['bytes=0-15', 16],
    ['0-0', 0],
    [' 0-41 ', 42],
    [null, undefined],
    ['5-10', undefined],
    ['0-', undefined],
    ['garbage', undefined],
  ];
  for (const [range, offset] of ranges)
    it(`Range ${String(range)} → ${String(offset)}`, () => assert.equal(uploadOffset(range), offset));

  it('PieceReader cuts any read pattern at chunk boundaries without copying, the last chunk shorter', async () => {
    const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
    const reads = [1, 7, 100, 3, 500, 389].map((n, i, a) =>
      data.subarray(
        a.slice(0, i).reduce((s, x) => s + x, 0),
        a.slice(0, i + 1).reduce((s, x) => s + x, 0),
      ),
    );
    const reader = new PieceReader(Readable.from(reads));
    const chunks: Buffer[][] = [];
    for (let start = 0; start < data.length; start += 128) {
      const length = Math.min(128, data.length - start);
      const pieces: Buffer[] = [];
      for (let got = 0; got < length;) {
        const piece = await reader.next(length - got);
        assert.ok(piece, `a piece at ${start + got}`);
        pieces.push(piece);
        got += piece.length;
      }
      chunks.push(pieces);
    }
    assert.equal(await reader.next(1), undefined, 'the end is read');
    assert.deepEqual(
      chunks.map((c) => c.reduce((n, p) => n + p.length, 0)),
      [128, 128, 128, 128, 128, 128, 128, 104],
    );
    // The 500-byte read at offset 111 spans chunks 0-4: cut into views of the read, not copies.
    assert.deepEqual(
      chunks[1].map((p) => p.length),
      [128],
    );
    assert.equal(chunks[1][0].buffer, reads[4].buffer);
    assert.ok(Buffer.concat(chunks.flat()).equals(data));
  });
});
