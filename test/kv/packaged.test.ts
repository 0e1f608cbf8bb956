import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { LedgerRecord } from '../../tasks/common/ledger';
import { packagedTaskDir } from '../../devkit/agent/vsix';
import { KEY, KvWorld, VAULT, runLikeAgent, startWorld } from '../../devkit/stand-ins/kv-world';

/** The task as installed from the .vsix, started like the agent starts it, against the emulators. */
describe('KeyVaultToOci packaged task', function () {
  this.timeout(60_000);
  let world: KvWorld;
  before(async () => {
    world = await startWorld();
  });
  after(() => world.close());

  it('syncs with workload identity federation and writes a ledger record of names and versions', async () => {
    world.kv.set('db-password', 'wif-synced-value');
    world.kv.set('db-user', 'app');
    const run = await runLikeAgent(
      world,
      packagedTaskDir('KeyVaultToOci'),
      { azureSubscription: 'azure-wif', secrets: 'db-password => shop-db-password\ndb-user' },
      {},
      { SYSTEM_OIDCREQUESTURI: world.entra.oidcRequestUri },
    );
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(run.result, 'Succeeded');
    assert.deepEqual([run.outputs.created, run.outputs.updated, run.outputs.unchanged], ['2', '0', '0']);
    assert.equal(world.entra.issued.at(-1)?.method, 'federated');
    assert.ok(run.secrets.includes(world.entra.systemAccessToken), 'job token registered');
    assert.equal(
      Buffer.from(world.oci.secretByName(VAULT, 'shop-db-password')!.versions[0].content, 'base64').toString(),
      'wif-synced-value',
    );
    const record = JSON.parse(fs.readFileSync(run.attachments[0].path, 'utf8')) as LedgerRecord;
    assert.equal(record.task, 'KeyVaultToOci');
    assert.equal(record.status, 'succeeded');
    assert.equal(record.target, `kv-shop.vault.azure.net → ${VAULT}`);
    const secrets = record.details.secrets as { source: string; target: string; outcome: string; version: number }[];
    assert.deepEqual(
      secrets.map((s) => [s.source, s.target, s.outcome, s.version]),
      [
        ['db-password', 'shop-db-password', 'created', 1],
        ['db-user', 'db-user', 'created', 1],
      ],
    );
    assert.ok(!JSON.stringify(record).includes('wif-synced-value'));
    assert.equal(run.stderr, '', 'nothing on stderr without retries');
  });

  it('dry run from the package: plan printed, OCI untouched, exit 0', async () => {
    world.kv.set('db-password', 'rotated');
    const before = world.oci.requests.length;
    const run = await runLikeAgent(world, packagedTaskDir('KeyVaultToOci'), {
      secrets: 'db-password => shop-db-password',
      dryRun: 'true',
    });
    assert.equal(run.code, 0, run.stdout);
    assert.match(run.stdout, /new version\s+db-password → shop-db-password \(now version 1\)/);
    assert.match(run.resultMessage ?? '', /^Dry run: 0 to create, 1 to update, 0 unchanged/);
    assert.ok(!world.oci.requests.slice(before).some((r) => r.op === 'UpdateSecret' || r.op === 'CreateSecret'));
  });

  it('revokes in OCI a secret disabled in Key Vault (onSourceRemoved), never one it did not create; the re-run writes nothing', async () => {
    world.kv.set('revoked-cred', 'to-be-revoked-value');
    assert.equal(
      (await runLikeAgent(world, packagedTaskDir('KeyVaultToOci'), { secrets: 'revoked-cred\nforeign-*' })).code,
      0,
    );
    const foreign = world.oci.seed({
      vaultId: VAULT,
      compartmentId: world.inputs.compartmentId,
      keyId: KEY,
      name: 'foreign-cred',
      content: 'theirs',
    });
    world.kv.set('foreign-cred', 'theirs', { enabled: false });
    world.kv.update('revoked-cred', { enabled: false });
    const run = await runLikeAgent(world, packagedTaskDir('KeyVaultToOci'), {
      secrets: 'revoked-cred\nforeign-*',
      onSourceRemoved: 'scheduleDeletion',
    });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(run.result, 'Succeeded');
    assert.equal(run.outputs.revoked, '1');
    assert.equal(world.oci.secretByName(VAULT, 'revoked-cred')!.lifecycleState, 'PENDING_DELETION');
    assert.equal(foreign.lifecycleState, 'ACTIVE');
    const record = JSON.parse(fs.readFileSync(run.attachments[0].path, 'utf8')) as LedgerRecord;
    const secrets = record.details.secrets as { source: string; outcome: string; timeOfDeletion?: string }[];
    assert.deepEqual(
      secrets.filter((x) => x.source === 'revoked-cred').map((x) => x.outcome),
      ['deletionScheduled'],
    );
    const before = world.oci.requests.length;
    const again = await runLikeAgent(world, packagedTaskDir('KeyVaultToOci'), {
      secrets: 'revoked-cred\nforeign-*',
      onSourceRemoved: 'scheduleDeletion',
    });
    assert.equal(again.code, 0);
    assert.deepEqual(
      world.oci.requests.slice(before).filter((r) => !['ListSecrets', 'GetSecret', 'GetSecretBundle'].includes(r.op)),
      [],
    );
  });
});
