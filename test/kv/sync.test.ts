import * as assert from 'node:assert/strict';
import { KEY, KvWorld, VAULT, runInProcess, startWorld } from '../../devkit/stand-ins/kv-world';

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

/** The real SDKs against the emulators, in process: create, new version, unchanged, skips, selection. */
describe('KeyVaultToOci sync (in process, real SDKs against emulators)', function () {
  this.timeout(20_000);
  let world: KvWorld;
  beforeEach(async () => {
    world = await startWorld();
  });
  afterEach(() => world.close());

  it('creates missing OCI secrets byte-exact, then reports them unchanged without writing a version', async () => {
    const pem =
      '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nbm90IGEgcmVhbCBrZXk=\n-----END PRIVATE KEY-----\n';
    world.kv.set('db-password', 'pä$$w%rd "q" \\ ü');
    world.kv.set('tls-key', pem);
    world.kv.set('api-token', 'tok-1');
    // When each form was announced: the number of OCI requests that could carry a value made by then must be
    // zero (ListSecrets, which finds the secrets this task created, carries only names and OCIDs).
    const announcedAt = new Map<string, number>();
    const carrying = (): number => world.oci.requests.filter((r) => r.op !== 'ListSecrets').length;
    const first = await runInProcess(
      world,
      {},
      { onSecret: (v) => announcedAt.set(v, announcedAt.get(v) ?? carrying()) },
    );
    assert.notEqual(first.host.result?.result, 'Failed', first.visible);
    for (const value of ['pä$$w%rd "q" \\ ü', 'tok-1']) {
      for (const form of [value, b64(value), encodeURIComponent(value), JSON.stringify(value).slice(1, -1)])
        assert.equal(announcedAt.get(form), 0, `${form} announced before any OCI request`);
    }
    for (const line of pem.split('\n').slice(1, 3)) assert.equal(announcedAt.get(line), 0);
    assert.equal(announcedAt.get(b64(pem)), 0);
    assert.deepEqual(first.host.outputs, { created: '3', updated: '0', unchanged: '0', revoked: '0' });
    const db = world.oci.secretByName(VAULT, 'db-password')!;
    assert.equal(db.versions.length, 1);
    assert.equal(db.versions[0].content, b64('pä$$w%rd "q" \\ ü'));
    assert.equal(db.keyId, KEY);
    assert.equal(world.oci.secretByName(VAULT, 'tls-key')!.versions[0].content, b64(pem));
    assert.ok(
      world.oci.requests.filter((r) => r.op === 'CreateSecret').every((r) => r.retryToken),
      'every create carries opc-retry-token',
    );
    assert.ok(
      world.proxy.tunnels.some((t) => t.startsWith('kv-shop.vault.azure.net:')),
      'Key Vault reached under its real host name',
    );

    const second = await runInProcess(world);
    assert.notEqual(second.host.result?.result, 'Failed', second.visible);
    assert.deepEqual(second.host.outputs, { created: '0', updated: '0', unchanged: '3', revoked: '0' });
    assert.equal(world.oci.secretByName(VAULT, 'db-password')!.versions.length, 1, 'no new version when unchanged');
    assert.equal(world.oci.requests.filter((r) => r.op === 'UpdateSecret' || r.op === 'CreateSecret').length, 3);
  });

  it('writes a new version only for the secret whose value changed, and records names and versions', async () => {
    world.kv.set('a', 'one');
    world.kv.set('b', 'two');
    await runInProcess(world);
    world.kv.set('b', 'two, rotated\n');
    const run = await runInProcess(world);
    assert.notEqual(run.host.result?.result, 'Failed', run.visible);
    assert.deepEqual(run.host.outputs, { created: '0', updated: '1', unchanged: '1', revoked: '0' });
    const b = world.oci.secretByName(VAULT, 'b')!;
    assert.deepEqual(
      b.versions.map((v) => [v.versionNumber, v.stages.join('+')]),
      [
        [1, 'PREVIOUS'],
        [2, 'CURRENT+LATEST'],
      ],
    );
    assert.equal(b.versions[1].content, b64('two, rotated\n'));
    assert.equal(world.oci.secretByName(VAULT, 'a')!.versions.length, 1);
    const secrets = run.record!.details.secrets as { source: string; outcome: string; version?: number }[];
    assert.deepEqual(
      secrets.map((s) => [s.source, s.outcome, s.version]),
      [
        ['a', 'unchanged', 1],
        ['b', 'updated', 2],
      ],
    );
    assert.match(run.host.lines.join('\n'), /new version\s+b \(now version 1\)/);
  });

  it('skips disabled, expired and not-yet-valid secrets, pages through the vault, and honours mappings', async () => {
    const now = Math.floor(Date.now() / 1000);
    world.kv.set('app-a', 'A');
    world.kv.set('app-b', 'B', { enabled: false });
    world.kv.set('app-c', 'C', { expiresOn: now - 60 });
    world.kv.set('app-d', 'D', { notBefore: now + 3600 });
    world.kv.set('app-e', 'E', { expiresOn: now + 3600 });
    world.kv.set('other', 'O');
    world.kv.set('db-admin', 'X');
    const run = await runInProcess(world, { secrets: 'app-*\ndb-admin => shop.db.admin' });
    assert.notEqual(run.host.result?.result, 'Failed', run.visible);
    assert.deepEqual(run.host.outputs, { created: '3', updated: '0', unchanged: '0', revoked: '0' });
    assert.deepEqual(world.oci.secrets.map((s) => s.secretName).sort(), ['app-a', 'app-e', 'shop.db.admin']);
    assert.ok(world.kv.requests.filter((r) => r.path === '/secrets').length >= 3, 'listed page by page (page size 3)');
    assert.ok(
      !world.kv.requests.some((r) => /app-b|app-c|app-d|other/.test(r.path)),
      'never reads skipped or unselected values',
    );
    const log = run.host.lines.join('\n');
    assert.match(log, /skipped\s+app-b: disabled/);
    assert.match(log, /skipped\s+app-c: expired/);
    assert.match(log, /skipped\s+app-d: not valid before/);
    assert.match(log, /create\s+db-admin → shop\.db\.admin/);
  });

  it('fails before changing anything when a named secret does not exist', async () => {
    world.kv.set('present', 'p');
    const run = await runInProcess(world, { secrets: 'present, absent' });
    assert.equal(run.host.result?.result, 'Failed');
    assert.match(run.host.result.message, /no secret named 'absent'/);
    // OCI is only read (which secrets this task created): nothing written.
    assert.deepEqual(
      world.oci.requests.map((r) => r.op).filter((op) => op !== 'ListSecrets'),
      [],
    );
  });

  it('dry run prints the plan and changes nothing', async () => {
    // Values of realistic length: the agent masks secrets of any length, so a one-letter value would mask the log.
    world.kv.set('new-one', 'value-of-new-one');
    world.kv.set('same', 'value-of-same');
    world.kv.set('changed', 'value-of-changed-2');
    world.oci.seed({
      vaultId: VAULT,
      compartmentId: world.inputs.compartmentId,
      keyId: KEY,
      name: 'same',
      content: 'value-of-same',
    });
    world.oci.seed({
      vaultId: VAULT,
      compartmentId: world.inputs.compartmentId,
      keyId: KEY,
      name: 'changed',
      content: 'value-of-changed-1',
    });
    world.kv.set('parked', 'value-of-parked');
    const parked = world.oci.seed({
      vaultId: VAULT,
      compartmentId: world.inputs.compartmentId,
      keyId: KEY,
      name: 'parked',
      content: 'value-of-parked',
    });
    world.oci.scheduleDeletion(parked.id);
    const run = await runInProcess(world, { dryRun: 'true', restorePendingDeletion: 'true' });
    assert.notEqual(run.host.result?.result, 'Failed', run.visible);
    const log = run.host.lines.join('\n');
    assert.match(
      log,
      /restore\s+parked: pending deletion \(deletion scheduled for .*\): the deletion will be cancelled/,
    );
    assert.equal(parked.lifecycleState, 'PENDING_DELETION');
    assert.match(log, /dry run/);
    assert.match(log, /create\s+new-one/);
    assert.match(log, /new version\s+changed \(now version 1\)/);
    assert.match(log, /unchanged\s+same/);
    assert.match(run.host.result!.message, /1 to create, 1 to update, 1 unchanged/);
    assert.ok(!world.oci.requests.some((r) => ['CreateSecret', 'UpdateSecret', 'CancelSecretDeletion'].includes(r.op)));
    assert.equal(world.oci.secrets.length, 3);
  });

  it('skips empty values, and exports single-line values as secret variables without clobbering the outputs', async () => {
    world.kv.set('empty', '');
    world.kv.set('token', 'tok-value');
    world.kv.set('created', 'name clash');
    const run = await runInProcess(world, { exportVariables: 'true' });
    assert.notEqual(run.host.result?.result, 'Failed', run.visible);
    assert.match(run.host.lines.join('\n'), /skipped\s+empty: the value is empty/);
    assert.equal(world.oci.secretByName(VAULT, 'empty'), undefined);
    assert.equal(run.host.jobVariables.token, 'tok-value');
    assert.ok(run.host.secretNames.includes('token'), 'exported as a secret job variable');
    assert.equal(run.host.outputs.token, undefined, 'not a step output');
    assert.equal(run.host.outputs.created, '2', 'the count, not the secret named created');
    assert.match(run.host.lines.join('\n'), /warning: 'created' is not exported/);
  });

  it('never touches OCI secrets outside the selection', async () => {
    const unrelated = world.oci.seed({
      vaultId: VAULT,
      compartmentId: world.inputs.compartmentId,
      keyId: KEY,
      name: 'app-unrelated',
      content: 'keep',
    });
    world.kv.set('app-unrelated', 'would overwrite');
    world.kv.set('db-x', 'x');
    const run = await runInProcess(world, { secrets: 'db-*' });
    assert.notEqual(run.host.result?.result, 'Failed', run.visible);
    assert.equal(unrelated.versions.length, 1);
    assert.ok(!world.oci.requests.some((r) => r.secretName === 'app-unrelated'));
  });

  it('signs in with a client certificate', async () => {
    world.kv.set('cert-auth', 'v');
    const run = await runInProcess(world, { azureSubscription: 'azure-cert' });
    assert.notEqual(run.host.result?.result, 'Failed', run.visible);
    assert.equal(world.entra.issued.at(-1)?.method, 'certificate');
  });

  it('signs in with workload identity federation (AzurePipelinesCredential)', async () => {
    world.kv.set('wif', 'federated value');
    const run = await runInProcess(
      world,
      { azureSubscription: 'azure-wif' },
      {
        variables: { 'System.AccessToken': world.entra.systemAccessToken },
        env: { SYSTEM_OIDCREQUESTURI: world.entra.oidcRequestUri },
      },
    );
    assert.notEqual(run.host.result?.result, 'Failed', run.visible);
    assert.equal(world.entra.issued.at(-1)?.method, 'federated');
    assert.ok(run.host.secrets.includes(world.entra.systemAccessToken));
  });
});
