import * as assert from 'node:assert/strict';
import { KubeApiServer } from '../../devkit/emulators/kube-apiserver';
import { COMPARTMENT, dbInputs, runDbTask } from './support';
import { FakeOperator, startFakeOperator } from './fake-operator';

const V4 = 'database.oracle.com/v4';
const LEGACY = 'ocid1.autonomousdatabase.oc1.eu-frankfurt-1.amaaaaaalegacyorders01';
const SOURCE = 'ocid1.autonomousdatabase.oc1.eu-frankfurt-1.amaaaaaaordersprod0001';
type Obj = Record<string, any>;

describe('OracleDbProvision through the operator: adopt, clone, restore in place, per-field drift', function () {
  this.timeout(30_000);
  let kube: KubeApiServer;
  let operator: FakeOperator;
  beforeEach(async () => {
    kube = await KubeApiServer.start({ namespaces: ['db'] });
    operator = startFakeOperator(kube, {
      delayMs: 150,
      ociDatabases: {
        [LEGACY]: {
          compartmentId: COMPARTMENT,
          displayName: 'Legacy Orders',
          dbName: 'LEGACY',
          dbWorkload: 'OLTP',
          computeModel: 'ECPU',
          computeCount: 2,
          dataStorageSizeInTBs: 1,
          isFreeTier: false,
          isMtlsConnectionRequired: true,
        },
      },
    });
  });
  afterEach(async () => {
    operator.stop();
    await kube.close();
  });

  const run = (over: Record<string, string> = {}) =>
    runDbTask(
      dbInputs({
        target: 'operator',
        kubernetesServiceConnection: 'k8s',
        namespace: 'db',
        ociConnection: '',
        displayName: 'Shop DB',
        ...over,
      }),
      { k8s: kube.endpoint() },
    );
  const adb = (name: string): Obj | undefined => kube.get(V4, 'AutonomousDatabase', 'db', name) ?? undefined;
  const ok = (r: Awaited<ReturnType<typeof run>>) =>
    assert.notEqual(r.host.result?.result, 'Failed', r.host.result?.message);

  it('adopts by OCID (spec.action Sync), converges the display name, and never rebinds to another OCID', async () => {
    const r = await run({ autonomousDatabaseId: LEGACY, dbName: 'LEGACY', adminPassword: '' });
    ok(r);
    const cr = adb('shop-db')!;
    assert.equal(cr.spec.details.id, LEGACY);
    assert.equal(cr.spec.details.displayName, 'Shop DB');
    assert.deepEqual(operator.actions, ['Sync', 'Update']);
    assert.deepEqual(operator.updates, [['displayName']], 'the rename alone');
    assert.equal(r.host.outputs.autonomousDatabaseId, LEGACY);
    const drift = (r.record.details as { drift: Obj[] }).drift;
    assert.deepEqual(drift, [{ field: 'displayName', from: 'Legacy Orders', to: 'Shop DB', inPlace: true }]);

    const again = await run({ autonomousDatabaseId: LEGACY, dbName: 'LEGACY', adminPassword: '' });
    ok(again);
    assert.match(again.host.result!.message, /nothing changed/);
    const other = await run({ autonomousDatabaseId: SOURCE, dbName: 'LEGACY', adminPassword: '' });
    assert.equal(other.host.result?.result, 'Failed');
    assert.match(other.host.result.message, /is bound to .*legacyorders01, not .*ordersprod0001/);
  });

  it('clone: spec.action Clone on a helper bound to the source; the clone converges and is created once', async () => {
    const inputs = {
      action: 'clone',
      displayName: 'orders-reporting',
      dbName: 'ORDERSRPT',
      sourceDatabaseId: SOURCE,
      cloneType: 'METADATA',
    };
    const r = await run(inputs);
    ok(r);
    assert.equal(operator.clones.length, 1);
    const [{ sourceId, clone }] = operator.clones;
    assert.equal(sourceId, SOURCE);
    assert.equal(clone.cloneType, 'METADATA');
    assert.equal(clone.displayName, 'orders-reporting');
    assert.equal(clone.dbName, 'ORDERSRPT');
    assert.deepEqual(clone.adminPassword, { k8sSecret: { name: 'orders-reporting-admin-password' } });
    assert.equal(adb('orders-reporting-clone-source'), undefined, 'the helper resource is removed');
    assert.equal(adb('orders-reporting')!.status.lifecycleState, 'AVAILABLE');
    assert.match(r.host.outputs.autonomousDatabaseId, /clone/);
    assert.match(r.host.outputs.connectionString, /ordersrpt_tp/);

    const again = await run(inputs);
    ok(again);
    assert.match(again.host.result!.message, /nothing changed/);
    assert.equal(operator.clones.length, 1, 'cloned once');

    const refreshable = await run({ ...inputs, cloneType: 'REFRESHABLE', displayName: 'Orders Reporting' });
    assert.equal(refreshable.host.result?.result, 'Failed');
    assert.match(refreshable.host.result.message, /'cloneType': REFRESHABLE is not available through the operator/);
    assert.match(refreshable.host.result.message, /'displayName'.*cannot name the clone's AutonomousDatabase/);
  });

  it('restore: an AutonomousDatabaseRestore in place, confirmed, carried out once per point in time', async () => {
    ok(await run());
    const refused = await run({ action: 'restore', restoreTimestamp: '2026-11-29T21:30:00Z' });
    assert.equal(refused.host.result?.result, 'Failed');
    assert.match(refused.host.result.message, /'confirmDelete': must be true: an in-place restore discards/);
    const withSource = await run({
      action: 'restore',
      restoreTimestamp: '2026-11-29T21:30:00Z',
      confirmDelete: 'true',
      sourceDatabaseId: SOURCE,
    });
    assert.match(withSource.host.result!.message, /'sourceDatabaseId'.*rolls the database itself back in place/);

    const restore = { action: 'restore', restoreTimestamp: '2026-11-29T21:30:00Z', confirmDelete: 'true' };
    const r = await run(restore);
    ok(r);
    const [cr] = kube.list(V4, 'AutonomousDatabaseRestore', 'db') as Obj[];
    assert.equal(cr.metadata.name, 'shop-db-restore-20261129213000');
    assert.deepEqual(cr.spec.target, { k8sAdb: { name: 'shop-db' } });
    assert.deepEqual(cr.spec.source, { pointInTime: { timestamp: '2026-11-29 21:30:00 UTC' } });
    assert.deepEqual(operator.restores, [{ target: 'shop-db', timestamp: '2026-11-29 21:30:00 UTC' }]);
    assert.ok(
      r.host.lines.some((l) => /IN_PROGRESS/.test(l)),
      'waited for the restore to run',
    );
    assert.equal(r.host.outputs.lifecycleState, 'AVAILABLE');

    const again = await run(restore);
    ok(again);
    assert.match(again.host.result!.message, /nothing changed/);
    assert.equal(operator.restores.length, 1, 'restored once');
  });

  it('drift: one Update per group OCI accepts, in order; a downgrade is refused before any write', async () => {
    ok(await run({ dbVersion: '23ai', freeformTags: 'team=shop' }));
    const r = await run({
      dbVersion: '23ai',
      computeCount: '4',
      licenseModel: 'BRING_YOUR_OWN_LICENSE',
      freeformTags: 'team=shop\napp=orders',
    });
    ok(r);
    assert.deepEqual(operator.updates, [['computeCount'], ['licenseModel'], ['freeformTags']]);
    const cr = adb('shop-db')!;
    assert.equal(cr.spec.details.computeCount, 4);
    assert.deepEqual(cr.spec.details.freeformTags, { team: 'shop', app: 'orders' });
    const drift = (r.record.details as { drift: Obj[] }).drift;
    assert.deepEqual(
      drift.map((d) => [d.field, d.inPlace]),
      [
        ['computeCount', true],
        ['licenseModel', true],
        ['freeformTags', true],
      ],
    );

    const writes = kube.requests.filter((q) => q.method !== 'GET').length;
    const down = await run({ dbVersion: '19c', computeCount: '4', licenseModel: 'BRING_YOUR_OWN_LICENSE' });
    assert.equal(down.host.result?.result, 'Failed');
    assert.match(down.host.result.message, /downgrade.*needs a new database/);
    assert.match(down.host.result.message, /never deletes a database unless asked/);
    assert.equal(kube.requests.filter((q) => q.method !== 'GET').length, writes, 'nothing written');
    const blocked = (down.record.details as { drift: Obj[] }).drift;
    assert.ok(blocked.some((d) => d.inPlace === false && /downgrade/.test(String(d.reason))));
  });
});
