import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { transferBlob } from '../../tasks/common/registry/blob-transfer';
import { RegistryClient } from '../../tasks/common/registry/client';
import { Descriptor } from '../../tasks/common/registry/media-types';

/**
 * transferBlob while the target's HEAD for the blob is still unanswered (a first copy: planGraph asked it
 * with the manifest's HEAD): the source GET and the upload POST go out beside it, and nothing moves until
 * it answers. The HEAD's answer is scripted, so the order is a fact, not a timing.
 */
const bytes = Buffer.from('layer bytes');
const blob: Descriptor = {
  mediaType: 'application/vnd.oci.image.layer.v1.tar',
  digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
  size: bytes.length,
};

function world(opts: { sourceFails?: boolean } = {}) {
  const calls: string[] = [];
  let answer!: (present: boolean) => void;
  let fail!: (err: Error) => void;
  const head = new Promise<boolean>((resolve, reject) => {
    answer = (present) => {
      calls.push(`HEAD answered ${present ? 'present' : 'absent'}`);
      resolve(present);
    };
    fail = reject;
  });
  const bodies: Readable[] = [];
  const source = {
    host: 'src.example',
    openBlob: async () => {
      calls.push('source GET');
      if (opts.sourceFails) throw new Error('source: 404 BLOB_UNKNOWN');
      const body = Readable.from([bytes]);
      bodies.push(body);
      return body;
    },
  } as unknown as RegistryClient;
  const target = {
    host: 'dst.example',
    startUpload: async () => {
      calls.push('POST upload');
      return { mounted: false, location: 'http://dst.example/v2/app/blobs/uploads/1' };
    },
    completeUpload: async (_location: string, _d: Descriptor, body: Readable) => {
      calls.push('PUT upload');
      for await (const chunk of body) void chunk;
      calls.push('uploaded');
    },
    cancelUpload: async () => void calls.push('DELETE upload'),
  } as unknown as RegistryClient;
  const transfer = () =>
    transferBlob(source, 'app', target, 'app', blob, {
      signal: new AbortController().signal,
      deadline: Date.now() + 10_000,
      present: head,
    });
  return { calls, answer, fail, bodies, transfer };
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('blob transfer started beside the target HEAD', () => {
  it('the source GET and the upload POST go out before the HEAD answers; the upload only after "absent"', async () => {
    const w = world();
    const moving = w.transfer();
    await turn();
    assert.deepEqual(w.calls.slice().sort(), ['POST upload', 'source GET']);
    w.answer(false);
    assert.equal(await moving, 'copied');
    assert.deepEqual(w.calls.slice(2), ['HEAD answered absent', 'PUT upload', 'uploaded']);
  });

  it('"present": the source answer is closed unread, the empty session deleted, nothing uploaded', async () => {
    const w = world();
    const moving = w.transfer();
    await turn();
    w.answer(true);
    assert.equal(await moving, 'present');
    assert.ok(!w.calls.includes('PUT upload'), w.calls.join(', '));
    assert.equal(w.calls.at(-1), 'DELETE upload');
    assert.equal(w.bodies.length, 1);
    assert.ok(w.bodies[0].destroyed, 'the source GET is closed');
    assert.equal(w.bodies[0].readableDidRead, false, 'no byte of it was read');
  });

  it('a source that cannot serve a blob the target already has does not fail it', async () => {
    const w = world({ sourceFails: true });
    const moving = w.transfer();
    await turn();
    w.answer(true);
    assert.equal(await moving, 'present');
    assert.equal(w.calls.at(-1), 'DELETE upload');
  });

  it('a failed HEAD fails the blob with its own error, after deleting the session', async () => {
    const w = world();
    const moving = w.transfer();
    await turn();
    w.fail(new Error('HEAD: 403 DENIED'));
    await assert.rejects(moving, /HEAD: 403 DENIED/);
    assert.equal(w.calls.at(-1), 'DELETE upload');
    assert.ok(w.bodies[0].destroyed);
  });
});
