import * as assert from 'node:assert/strict';
import { KubeApiServer } from '../../devkit/emulators/kube-apiserver';
import { ADMIN_PASSWORD, dbInputs, runDbTask } from './support';
import { startFakeOperator } from './fake-operator';

const V4 = 'database.oracle.com/v4';

describe('OracleDbProvision through the Oracle Database Operator (kube-apiserver emulator)', function () {
  this.timeout(20_000);
  let kube: KubeApiServer;
  let operator: ReturnType<typeof startFakeOperator>;
  beforeEach(async () => {
    kube = await KubeApiServer.start({ namespaces: ['db'] });
    operator = startFakeOperator(kube);
  });
  afterEach(async () => {
    operator.stop();
    await kube.close();
  });

  const inputs = (over: Record<string, string> = {}) =>
    dbInputs({
      target: 'operator',
      kubernetesServiceConnection: 'k8s',
      namespace: 'db',
      ociConnection: '',
      displayName: 'Shop DB',
      ...over,
    });
  const run = (over: Record<string, string> = {}) => runDbTask(inputs(over), { k8s: kube.endpoint() });

  it('ensure creates the password Secret and the CR by server-side apply, then waits for AVAILABLE', async () => {
    operator.stop();
    operator = startFakeOperator(kube, { delayMs: 800 }); // PROVISIONING long enough to be seen on a loaded machine
    const r = await run();
    assert.notEqual(r.host.result?.result, 'Failed', r.host.result?.message);
    const cr = kube.get(V4, 'AutonomousDatabase', 'db', 'shop-db') as Record<string, any>;
    assert.equal(cr.spec.action, 'Create');
    assert.deepEqual(cr.spec.details.adminPassword, { k8sSecret: { name: 'shop-db-admin-password' } });
    assert.equal(cr.spec.details.dbName, 'SHOPDB');
    const secret = kube.get('v1', 'Secret', 'db', 'shop-db-admin-password') as { data: Record<string, string> };
    assert.equal(Buffer.from(secret.data['shop-db-admin-password'], 'base64').toString(), ADMIN_PASSWORD);
    const applies = kube.requests.filter((q) => q.method === 'PATCH');
    assert.ok(
      applies.length >= 2 &&
        applies.every((q) => q.contentType === 'application/apply-patch+yaml' && q.manager === 'multicloud-devsecops'),
    );
    assert.equal(r.host.outputs.lifecycleState, 'AVAILABLE');
    assert.match(r.host.outputs.autonomousDatabaseId, /^ocid1\.autonomousdatabase\./);
    assert.match(r.host.outputs.connectionString, /shopdb_tp/);
    assert.ok(r.host.lines.some((l) => /PROVISIONING/.test(l)));
    assert.ok(
      !r.visible.includes(ADMIN_PASSWORD) && !r.visible.includes(Buffer.from(ADMIN_PASSWORD).toString('base64')),
    );
  });

  it('ensure again is a no-op; drift is applied as an Update and waited for', async () => {
    operator.stop();
    operator = startFakeOperator(kube, { delayMs: 500 });
    assert.equal((await run()).code, 0);
    const again = await run();
    assert.equal(again.code, 0);
    assert.match(again.host.result!.message, /nothing changed/);
    const drift = await run({ computeCount: '4' });
    assert.notEqual(drift.host.result?.result, 'Failed', drift.host.result?.message);
    const cr = kube.get(V4, 'AutonomousDatabase', 'db', 'shop-db') as Record<string, any>;
    assert.equal(cr.spec.action, 'Update');
    assert.equal(cr.spec.details.computeCount, 4);
    assert.deepEqual(operator.actions, ['Create', 'Update']);
    assert.ok(
      drift.host.lines.some((l) => /UPDATING/.test(l)),
      'waited for the operator to report, not on the stale AVAILABLE',
    );
  });

  it('stop, start, backup and delete (with confirmDelete) drive the CR', async () => {
    assert.equal((await run()).code, 0);
    const stop = await run({ action: 'stop' });
    assert.notEqual(stop.host.result?.result, 'Failed', stop.host.result?.message);
    assert.equal(stop.host.outputs.lifecycleState, 'STOPPED');
    assert.equal((await run({ action: 'start' })).host.outputs.lifecycleState, 'AVAILABLE');
    const backup = await run({ action: 'backup' });
    assert.notEqual(backup.host.result?.result, 'Failed', backup.host.result?.message);
    const [bu] = kube.list(V4, 'AutonomousDatabaseBackup', 'db') as Record<string, any>[];
    assert.deepEqual(bu.spec.target, { k8sAdb: { name: 'shop-db' } });
    assert.equal(bu.status.lifecycleState, 'ACTIVE');
    assert.equal((await run({ action: 'delete' })).host.result?.result, 'Failed', 'delete without confirmDelete fails');
    const del = await run({ action: 'delete', confirmDelete: 'true' });
    assert.notEqual(del.host.result?.result, 'Failed', del.host.result?.message);
    assert.equal(kube.get(V4, 'AutonomousDatabase', 'db', 'shop-db'), undefined);
    assert.equal(kube.get('v1', 'Secret', 'db', 'shop-db-admin-password'), undefined);
    assert.deepEqual(operator.actions, ['Create', 'Stop', 'Start', 'Terminate']);
    const patches = kube.requests.filter((q) => q.method === 'PATCH' && q.path.includes('autonomousdatabases/'));
    assert.equal(
      patches.filter((q) => q.contentType === 'application/merge-patch+json').length,
      3,
      'stop/start/terminate change only spec.action',
    );
  });

  it('reports a failed provisioning clearly and retries a throttled apply', async () => {
    operator.stop();
    operator = startFakeOperator(kube, { createOutcome: 'UNAVAILABLE' });
    const failed = await run();
    assert.equal(failed.host.result?.result, 'Failed');
    assert.match(failed.host.result.message, /reports AutonomousDatabase db\/shop-db as UNAVAILABLE/);

    kube.injectFault({ status: 429, count: 1, method: 'PATCH' });
    const retried = await run({ displayName: 'Other DB', dbName: 'OTHER' });
    assert.notEqual(retried.host.result?.result, 'Failed', retried.host.result?.message);
  });

  it('wallet: the operator writes the wallet Secret, the task zips it under the agent temp directory', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const { extractZip } = await import('../../devkit/agent/unzip');
    assert.equal((await run()).code, 0);
    const r = await run({ action: 'wallet', walletPassword: 'Wallet-pass-77' });
    assert.notEqual(r.host.result?.result, 'Failed', r.host.result?.message);
    const cr = kube.get(V4, 'AutonomousDatabase', 'db', 'shop-db') as Record<string, any>;
    assert.deepEqual(cr.spec.wallet, {
      name: 'shop-db-wallet',
      password: { k8sSecret: { name: 'shop-db-wallet-password' } },
    });
    assert.equal(cr.spec.details.dbName, 'SHOPDB', 'the merge patch kept the settings ensure applied');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opwallet-'));
    assert.deepEqual(extractZip(r.host.outputs.walletPath, dir).sort(), [
      'README',
      'cwallet.sso',
      'ewallet.p12',
      'ewallet.pem',
      'keystore.jks',
      'ojdbc.properties',
      'sqlnet.ora',
      'tnsnames.ora',
      'truststore.jks',
    ]);
    assert.match(fs.readFileSync(path.join(dir, 'tnsnames.ora'), 'utf8'), /shopdb_high/);
    assert.ok(!r.visible.includes('Wallet-pass-77'));
  });

  it('never takes over the resource of another database whose display name maps to the same name', async () => {
    assert.equal((await run()).code, 0);
    const r = await run({ displayName: 'shop-db', dbName: 'OTHER' });
    assert.equal(r.host.result?.result, 'Failed');
    assert.match(r.host.result.message, /belongs to the database 'Shop DB', not 'shop-db'/);
    assert.deepEqual(operator.actions, ['Create']);
  });

  it('passes an OCI Vault secret through by OCID instead of reading it', async () => {
    const secretId = 'ocid1.vaultsecret.oc1.eu-frankfurt-1.amaaaaaamcdsoadminpw';
    const r = await run({ adminPassword: '', adminPasswordSecretId: secretId });
    assert.notEqual(r.host.result?.result, 'Failed', r.host.result?.message);
    const cr = kube.get(V4, 'AutonomousDatabase', 'db', 'shop-db') as Record<string, any>;
    assert.deepEqual(cr.spec.details.adminPassword, { ociSecret: { id: secretId } });
    assert.equal(kube.get('v1', 'Secret', 'db', 'shop-db-admin-password'), undefined);
  });
});
