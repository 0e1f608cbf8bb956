import * as assert from 'node:assert/strict';
import { otherOciKey, ociEndpoint } from '../../devkit/support/oci-test-key';
import { COMPARTMENT, FAST, KEY, KvWorld, VAULT, runInProcess, startWorld } from '../../devkit/stand-ins/kv-world';

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

/** Pending deletion, throttling storms, partial failures and bad credentials, against the emulators. */
describe('KeyVaultToOci failure modes', function () {
  this.timeout(30_000);
  let world: KvWorld;
  beforeEach(async () => {
    world = await startWorld();
  });
  afterEach(() => world.close());

  const seedPending = (name: string, content: string): string => {
    const s = world.oci.seed({ vaultId: VAULT, compartmentId: COMPARTMENT, keyId: KEY, name, content });
    world.oci.scheduleDeletion(s.id);
    return s.id;
  };

  it('names a secret pending deletion and how to fix it, while the others still sync', async () => {
    world.kv.set('gone', 'new value');
    world.kv.set('fine', 'fine value');
    seedPending('gone', 'old value');
    const run = await runInProcess(world);
    assert.equal(run.host.result?.result, 'Failed');
    const message = run.host.result.message;
    assert.match(message, /1 of 2 secrets did not sync/);
    assert.match(message, /- gone: the OCI secret 'gone' is pending deletion \(deletion scheduled for \d{4}-/);
    assert.match(message, /restorePendingDeletion: true/);
    assert.match(message, /Synced: fine \(created, version 1\)/);
    assert.equal(world.oci.secretByName(VAULT, 'gone')!.lifecycleState, 'PENDING_DELETION');
    assert.ok(!world.oci.requests.some((r) => r.op === 'CancelSecretDeletion'));
    assert.equal(run.record!.status, 'failed');
  });

  it('cancels the deletion, waits for it to settle and writes a new version when restorePendingDeletion is true', async () => {
    await world.close();
    // CANCELLING_DELETION lasts for three requests naming the secret, however slow the machine: the task must poll.
    world = await startWorld({ transitionRequests: 3 });
    world.kv.set('gone', 'new value');
    world.kv.set('same', 'kept');
    seedPending('gone', 'old value');
    seedPending('same', 'kept');
    const run = await runInProcess(world, { restorePendingDeletion: 'true' });
    assert.notEqual(run.host.result?.result, 'Failed', run.visible);
    assert.deepEqual(run.host.outputs, { created: '0', updated: '1', unchanged: '1', revoked: '0' });
    const gone = world.oci.secretByName(VAULT, 'gone')!;
    assert.match(gone.lifecycleState, /^(ACTIVE|UPDATING)$/);
    assert.deepEqual(
      gone.versions.map((v) => v.content),
      [b64('old value'), b64('new value')],
    );
    assert.equal(world.oci.secretByName(VAULT, 'same')!.versions.length, 1, 'restored, content equal: no new version');
    const secrets = run.record!.details.secrets as { source: string; restored?: boolean }[];
    assert.ok(secrets.every((s) => s.restored));
    const polls = (name: string): number =>
      world.oci.requests.filter((r) => r.op === 'GetSecret' && r.secretName === name).length;
    // Three GetSecret answered CANCELLING_DELETION, the fourth ACTIVE: the task polled until the state settled.
    assert.deepEqual([polls('gone'), polls('same')], [4, 4], 'polled while CANCELLING_DELETION');
    assert.ok(world.oci.requests.some((r) => r.op === 'UpdateSecret' && r.status === 200));
  });

  it('rides out 429 storms from OCI and Key Vault (retries with backoff, Retry-After honoured)', async () => {
    for (const n of ['s1', 's2', 's3', 's4']) world.kv.set(n, `value of ${n}`);
    world.kv.throttle(2, 1);
    const run = await (async () => {
      world.oci.storm(6);
      const r = await runInProcess(world);
      return r;
    })();
    assert.notEqual(run.host.result?.result, 'Failed', run.visible);
    assert.deepEqual(run.host.outputs, { created: '4', updated: '0', unchanged: '0', revoked: '0' });
    assert.equal(world.oci.tooManyRequests, 6);
    assert.equal(world.kv.throttled, 2);
    assert.equal(world.oci.secrets.length, 4, 'no duplicate secrets from retried creates');
    world.oci.storm(5, 'GetSecretBundle');
    const again = await runInProcess(world);
    assert.deepEqual(again.host.outputs, { created: '0', updated: '0', unchanged: '4', revoked: '0' });
    assert.equal(world.oci.tooManyRequests, 11);
  });

  it('stops at the deadline when a 429 storm outlasts the timeout, naming the input to raise', async () => {
    world.kv.set('s1', 'v1');
    world.oci.storm(100_000, 'CreateSecret');
    const started = Date.now();
    const run = await runInProcess(
      world,
      {},
      { timeoutMs: 2500, tuning: { ...FAST, ociRetry: { maxAttempts: 10_000, baseDelayMs: 50, maxDelayMs: 200 } } },
    );
    const elapsed = Date.now() - started;
    assert.equal(run.host.result?.result, 'Failed');
    // Either our retries give up just before the deadline or the runner's timeout fires: both name the input.
    assert.match(
      run.host.result.message,
      /did not finish within 3 s\. Raise the 'timeoutMinutes' input|OCI kept throttling until the timeout: raise timeoutMinutes/,
    );
    assert.ok(elapsed < 2500 + 3000, `stopped ${elapsed} ms after start`);
    assert.equal(run.record?.status, 'failed');
    assert.ok(
      world.oci.tooManyRequests > 3,
      `${world.oci.tooManyRequests} 429s, ${elapsed} ms: ${run.host.lines.join(' | ')}`,
    );
    assert.equal(world.oci.secrets.length, 0);
  });

  it('reports exactly which secrets synced after a partial failure, and a re-run finishes the rest', async () => {
    for (const n of ['a', 'b', 'c']) world.kv.set(n, `value ${n}`);
    world.oci.seed({ vaultId: VAULT, compartmentId: COMPARTMENT, keyId: KEY, name: 'c', content: 'stale' });
    world.oci.fault({
      op: 'CreateSecret',
      name: 'b',
      status: 400,
      code: 'LimitExceeded',
      message: 'Secret count limit reached for the vault.',
      times: 1,
    });
    const first = await runInProcess(world);
    assert.equal(first.host.result?.result, 'Failed');
    const message = first.host.result.message;
    assert.match(
      message,
      /1 of 3 secrets did not sync:\n- b: Creating the OCI secret 'b' failed: 400 LimitExceeded: Secret count limit reached/,
    );
    assert.match(message, /Synced: a \(created, version 1\), c \(updated, version 2\)\./);
    const details = first.record!.details as {
      created: number;
      updated: number;
      failed: number;
      secrets: { source: string; outcome: string }[];
    };
    assert.deepEqual([details.created, details.updated, details.failed], [1, 1, 1]);
    assert.deepEqual(
      details.secrets.map((s) => `${s.source}:${s.outcome}`),
      ['a:created', 'b:failed', 'c:updated'],
    );

    const rerun = await runInProcess(world);
    assert.notEqual(rerun.host.result?.result, 'Failed', rerun.visible);
    assert.deepEqual(rerun.host.outputs, { created: '1', updated: '0', unchanged: '2', revoked: '0' });
    assert.equal(world.oci.secretByName(VAULT, 'c')!.versions.length, 2);
  });

  it('a create whose response was lost is retried with the same opc-retry-token: one secret, no 409', async () => {
    world.kv.set('once', 'v');
    world.oci.fault({ op: 'CreateSecret', status: 503, code: 'ServiceUnavailable', times: 1, afterApply: true });
    const run = await runInProcess(world);
    assert.notEqual(run.host.result?.result, 'Failed', run.visible);
    const creates = world.oci.requests.filter((r) => r.op === 'CreateSecret');
    assert.deepEqual(
      creates.map((r) => r.status),
      [503, 200],
    );
    assert.equal(creates[0].retryToken, creates[1].retryToken);
    assert.equal(world.oci.secrets.length, 1);
  });

  it('waits out a secret still UPDATING from the previous run (409 IncorrectState is retried)', async () => {
    await world.close();
    // UPDATING lasts for three requests naming the secret (not a time, which a slow machine outlasts between
    // two runs): the second run reads the bundle (1), then its UpdateSecret meets 409 twice before it settles.
    world = await startWorld({ transitionRequests: 3 });
    world.kv.set('busy', 'v1');
    world.oci.seed({ vaultId: VAULT, compartmentId: COMPARTMENT, keyId: KEY, name: 'busy', content: 'v0' });
    assert.equal((await runInProcess(world)).code, 0);
    world.kv.set('busy', 'v2');
    const run = await runInProcess(world);
    assert.notEqual(run.host.result?.result, 'Failed', run.visible);
    const updates = world.oci.requests.filter((r) => r.op === 'UpdateSecret').map((r) => r.status);
    assert.deepEqual(updates, [200, 409, 409, 200], 'the second run retried IncorrectState until ACTIVE');
    assert.deepEqual(
      world.oci.secretByName(VAULT, 'busy')!.versions.map((v) => v.content),
      ['v0', 'v1', 'v2'].map(b64),
    );
  });

  it('fails with a clear message when OCI rejects the API key signature', async () => {
    world.kv.set('x', 'y');
    world.endpoints.oci = ociEndpoint(world.oci.url, otherOciKey());
    const run = await runInProcess(world);
    assert.equal(run.host.result?.result, 'Failed');
    assert.match(run.host.result.message, /401 NotAuthenticated/);
    assert.match(run.host.result.message, /Check the OCI connection's tenancy, user, fingerprint and private key/);
    assert.equal(world.oci.secrets.length, 0);
  });

  it('fails with the Entra error when the client secret is wrong, before touching OCI', async () => {
    world.kv.set('x', 'y');
    world.endpoints.azure = {
      ...world.endpoints.azure,
      auth: { ...world.endpoints.azure.auth, serviceprincipalkey: 'wrong-secret-value' },
    };
    const run = await runInProcess(world);
    assert.equal(run.host.result?.result, 'Failed');
    assert.match(run.host.result.message, /AADSTS7000215/);
    assert.equal(world.oci.requests.length, 0);
    assert.ok(!run.visible.includes('wrong-secret-value'));
  });
});
