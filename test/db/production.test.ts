import * as assert from 'node:assert/strict';
import { OciDatabaseEmulator } from '../../devkit/emulators/oci-database';
import { KubeApiServer } from '../../devkit/emulators/kube-apiserver';
import { ociEndpoint } from '../../devkit/support/oci-test-key';
import { DbState, DesiredDb } from '../../tasks/OracleDbProvision/model';
import { planAction } from '../../tasks/OracleDbProvision/plan';
import { ProductionSettings, productionDrift } from '../../tasks/OracleDbProvision/production';
import { startFakeOperator } from './fake-operator';
import { dbInputs, runDbTask } from './support';

const SUBNET = 'ocid1.subnet.oc1.eu-frankfurt-1.aaaaaaaasubnetprivate01';
const SUBNET2 = 'ocid1.subnet.oc1.eu-frankfurt-1.aaaaaaaasubnetprivate02';
const NSG = 'ocid1.networksecuritygroup.oc1.eu-frankfurt-1.aaaaaaaansg01';
const KMS_KEY = 'ocid1.key.oc1.eu-frankfurt-1.aaaaaaaacmkkey01';
const KMS_VAULT = 'ocid1.vault.oc1.eu-frankfurt-1.aaaaaaaacmkvault01';

const desired: DesiredDb = {
  compartmentId: 'ocid1.compartment.oc1..aaaa',
  displayName: 'shop-db',
  dbName: 'SHOPDB',
  dbWorkload: 'OLTP',
  computeModel: 'ECPU',
  computeCount: 2,
  dataStorageSizeInTBs: 1,
  isFreeTier: false,
  whitelistedIps: [],
  isMtlsConnectionRequired: true,
};
const db = (over: Partial<DbState> = {}): DbState => ({
  id: 'ocid1.autonomousdatabase.oc1.eu-frankfurt-1.x',
  displayName: 'shop-db',
  lifecycleState: 'AVAILABLE',
  dbName: 'SHOPDB',
  dbWorkload: 'OLTP',
  computeModel: 'ECPU',
  computeCount: 2,
  dataStorageSizeInTBs: 1,
  isFreeTier: false,
  whitelistedIps: [],
  isMtlsConnectionRequired: true,
  connectionProfiles: [],
  ...over,
});

describe('OracleDbProvision production settings: drift (pure)', () => {
  const cases: {
    why: string;
    want: ProductionSettings;
    have: ProductionSettings;
    updates: string[];
    replace?: RegExp;
  }[] = [
    {
      why: 'nothing managed → nothing to do',
      want: {},
      have: { subnetId: SUBNET, licenseModel: 'LICENSE_INCLUDED' },
      updates: [],
    },
    {
      why: 'public → private endpoint, with its label, in one request',
      want: { subnetId: SUBNET, privateEndpointLabel: 'orders' },
      have: {},
      updates: ['subnetId+privateEndpointLabel'],
    },
    { why: 'another subnet', want: { subnetId: SUBNET2 }, have: { subnetId: SUBNET }, updates: ['subnetId'] },
    { why: 'NSGs compare as sets', want: { nsgIds: [NSG, NSG] }, have: { nsgIds: [NSG] }, updates: [] },
    {
      why: 'licence to BYOL alone',
      want: { licenseModel: 'BRING_YOUR_OWN_LICENSE', isAutoScalingEnabled: true },
      have: { licenseModel: 'LICENSE_INCLUDED', isAutoScalingEnabled: false },
      updates: ['licenseModel', 'isAutoScalingEnabled'],
    },
    {
      why: 'version upgrade in place',
      want: { dbVersion: '23ai' },
      have: { dbVersion: '19c' },
      updates: ['dbVersion'],
    },
    {
      why: 'version downgrade needs a new database',
      want: { dbVersion: '19c' },
      have: { dbVersion: '23ai' },
      updates: [],
      replace: /downgrade.*new database/,
    },
    { why: 'customer-managed key', want: { kmsKeyId: KMS_KEY, vaultId: KMS_VAULT }, have: {}, updates: ['kmsKeyId'] },
    {
      why: 'tags: only our keys compared, both maps in one request',
      want: { freeformTags: { app: 'orders' }, definedTags: { Ops: { cc: '42' } } },
      have: { freeformTags: { app: 'old', owner: 'x' } },
      updates: ['freeformTags+definedTags'],
    },
    {
      why: 'tags set by others are not drift',
      want: { freeformTags: { app: 'orders' } },
      have: { freeformTags: { app: 'orders', owner: 'x' } },
      updates: [],
    },
    {
      why: 'storage auto scaling and retention',
      want: { isAutoScalingForStorageEnabled: true, backupRetentionPeriodInDays: 30 },
      have: { isAutoScalingForStorageEnabled: false, backupRetentionPeriodInDays: 60 },
      updates: ['isAutoScalingForStorageEnabled', 'backupRetentionPeriodInDays'],
    },
  ];
  for (const c of cases) {
    it(c.why, () => {
      const d = productionDrift(c.want, c.have);
      assert.deepEqual(
        d.updates.map((u) => u.changes.map((x) => x.field).join('+')),
        c.updates,
      );
      if (c.replace) assert.match(d.replace.join(), c.replace);
      else assert.deepEqual(d.replace, []);
    });
  }

  it('merges tags so that keys set by others survive the update', () => {
    const [u] = productionDrift(
      { freeformTags: { app: 'orders' } },
      { freeformTags: { app: 'old', owner: 'x' } },
    ).updates;
    assert.deepEqual(u.details, { freeformTags: { app: 'orders', owner: 'x' } });
  });

  it('the plan refuses what needs a new database, naming it, and never deletes', () => {
    assert.throws(
      () =>
        planAction({
          action: 'ensure',
          desired: { ...desired, dbVersion: '19c' },
          current: db({ dbVersion: '23ai' }),
          hasAdminPassword: true,
        }),
      /in place: dbVersion 23ai → 19c is a downgrade.*new database/s,
    );
    const steps = planAction({
      action: 'ensure',
      desired: { ...desired, subnetId: SUBNET, licenseModel: 'BRING_YOUR_OWN_LICENSE' },
      current: db(),
      hasAdminPassword: true,
    });
    assert.deepEqual(
      steps.map((s) => (s.kind === 'update' ? s.group.changes.map((c) => c.field).join('+') : s.kind)),
      ['subnetId', 'licenseModel'],
    );
  });
});

describe('OracleDbProvision production settings: inputs', function () {
  this.timeout(20_000);
  const cases: { why: string; over: Record<string, string>; input: string; message: RegExp }[] = [
    {
      why: 'subnetId with a public (ACL) plan',
      over: { subnetId: SUBNET, whitelistedIps: '203.0.113.7' },
      input: 'whitelistedIps',
      message: /only to a public endpoint/,
    },
    { why: 'nsgIds without subnetId', over: { nsgIds: NSG }, input: 'nsgIds', message: /without subnetId/ },
    {
      why: 'subnetId on an action that ignores it',
      over: { action: 'start', subnetId: SUBNET },
      input: 'subnetId',
      message: /action 'start' does not use it/,
    },
    {
      why: 'CMK through the operator',
      over: { target: 'operator', kubernetesServiceConnection: 'k8s', kmsKeyId: KMS_KEY, kmsVaultId: KMS_VAULT },
      input: 'kmsKeyId',
      message: /operator.*no such field/,
    },
    {
      why: 'a key without its vault',
      over: { kmsKeyId: KMS_KEY },
      input: 'kmsVaultId',
      message: /required with the other/,
    },
    {
      why: 'a misspelt licence model',
      over: { licenseModel: 'BYOL' },
      input: 'licenseModel',
      message: /BRING_YOUR_OWN_LICENSE/,
    },
    {
      why: 'operatorOciAuth through the OCI API',
      over: { operatorOciAuth: 'apiKey' },
      input: 'operatorOciAuth',
      message: /target 'ociApi'/,
    },
  ];
  for (const c of cases) {
    it(`fails before any request: ${c.why}`, async () => {
      const r = await runDbTask(dbInputs(c.over), {
        oci: ociEndpoint('https://127.0.0.1:9'),
        k8s: { url: 'https://127.0.0.1:9', scheme: 'Kubeconfig', auth: {} },
      });
      assert.equal(r.host.result?.result, 'Failed');
      assert.equal(r.host.result?.result, 'Failed');
      assert.match(r.host.result?.message ?? '', new RegExp(`input '${c.input}'`));
      assert.match(r.host.result?.message ?? '', c.message);
    });
  }
});

describe('OracleDbProvision production settings through the OCI API (emulator)', function () {
  this.timeout(30_000);
  let oci: OciDatabaseEmulator;
  beforeEach(async () => {
    oci = await OciDatabaseEmulator.start({
      delays: { provision: 40, update: 30, start: 30, stop: 30, terminate: 30, backup: 30 },
    });
  });
  afterEach(async () => oci.close());
  const run = (over: Record<string, string>) =>
    runDbTask(dbInputs({ isMtlsConnectionRequired: 'false', ...over }), { oci: ociEndpoint(oci.url) });

  it('creates a private, BYOL, CMK, auto-scaling database; drift on each setting is planned and applied; a re-run changes nothing', async () => {
    const prod = {
      subnetId: SUBNET,
      nsgIds: NSG,
      privateEndpointLabel: 'orders',
      licenseModel: 'BRING_YOUR_OWN_LICENSE',
      dbVersion: '19c',
      autoScaling: 'enabled',
      storageAutoScaling: 'enabled',
      kmsKeyId: KMS_KEY,
      kmsVaultId: KMS_VAULT,
      freeformTags: 'app=orders',
      backupRetentionPeriodInDays: '30',
    };
    const first = await run(prod);
    assert.notEqual(first.host.result?.result, 'Failed', first.host.result?.message);
    const [adb] = [...oci.store.databases.values()];
    assert.deepEqual(
      [
        adb.subnetId,
        adb.nsgIds,
        adb.privateEndpointLabel,
        adb.licenseModel,
        adb.isAutoScalingEnabled,
        adb.isAutoScalingForStorageEnabled,
        adb.kmsKeyId,
        adb.vaultId,
        adb.freeformTags,
        adb.backupRetentionPeriodInDays,
      ],
      [SUBNET, [NSG], 'orders', 'BRING_YOUR_OWN_LICENSE', true, true, KMS_KEY, KMS_VAULT, { app: 'orders' }, 30],
    );
    assert.match(
      first.host.lines.join('\n'),
      /create SHOPDB \(OLTP, 2 ECPU, 1 TB, private endpoint in .*, BYOL, 19c, customer-managed key, compute auto scaling, storage auto scaling\)/,
    );

    const again = await run(prod);
    assert.notEqual(again.host.result?.result, 'Failed', again.host.result?.message);
    assert.match(again.host.result?.message ?? '', /nothing changed/);

    // Someone changed every setting in the console: the next run puts each back, one request OCI accepts at a time.
    Object.assign(adb, {
      subnetId: SUBNET2,
      licenseModel: 'LICENSE_INCLUDED',
      isAutoScalingEnabled: false,
      isAutoScalingForStorageEnabled: false,
      kmsKeyId: undefined,
      vaultId: undefined,
      freeformTags: { app: 'x', owner: 'ops' },
      backupRetentionPeriodInDays: 7,
      dbVersion: '19c',
    });
    const fix = await run({ ...prod, dbVersion: '23ai' });
    assert.notEqual(fix.host.result?.result, 'Failed', fix.host.result?.message);
    const plan = fix.host.lines.find((l) => l.startsWith('Plan for'))!;
    for (const f of [
      'subnetId',
      'licenseModel',
      'dbVersion',
      'isAutoScalingEnabled',
      'isAutoScalingForStorageEnabled',
      'kmsKeyId',
      'freeformTags',
      'backupRetentionPeriodInDays',
    ])
      assert.match(plan, new RegExp(`update ${f}`), f);
    assert.deepEqual(
      [
        adb.subnetId,
        adb.licenseModel,
        adb.dbVersion,
        adb.isAutoScalingEnabled,
        adb.isAutoScalingForStorageEnabled,
        adb.kmsKeyId,
        adb.freeformTags,
        adb.backupRetentionPeriodInDays,
      ],
      [SUBNET, 'BRING_YOUR_OWN_LICENSE', '23ai', true, true, KMS_KEY, { app: 'orders', owner: 'ops' }, 30],
    );

    const down = await run({ ...prod, dbVersion: '19c' });
    assert.equal(down.host.result?.result, 'Failed');
    assert.match(down.host.result?.message ?? '', /downgrade.*new database.*never deletes/s);
    assert.equal(adb.lifecycleState, 'AVAILABLE');
  });
});

describe('OracleDbProvision production settings through the operator (kube-apiserver emulator)', function () {
  this.timeout(30_000);
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

  it('writes the operator fields and spec.ociConfig (ConfigMap + Secret from the OCI connection); a second run changes nothing', async () => {
    const inputs = dbInputs({
      target: 'operator',
      kubernetesServiceConnection: 'k8s',
      namespace: 'db',
      ociConnection: 'oci',
      operatorOciAuth: 'apiKey',
      displayName: 'Shop DB',
      subnetId: SUBNET,
      privateEndpointLabel: 'orders',
      licenseModel: 'BRING_YOUR_OWN_LICENSE',
      autoScaling: 'enabled',
      freeformTags: 'app=orders',
      isMtlsConnectionRequired: 'false',
    });
    const endpoints = { k8s: kube.endpoint(), oci: ociEndpoint('https://127.0.0.1:9') };
    const r = await runDbTask(inputs, endpoints);
    assert.notEqual(r.host.result?.result, 'Failed', r.host.result?.message);
    const cr = kube.get('database.oracle.com/v4', 'AutonomousDatabase', 'db', 'shop-db') as {
      spec: { ociConfig: unknown; details: Record<string, unknown> };
    };
    assert.deepEqual(cr.spec.ociConfig, { configMapName: 'shop-db-oci-config', secretName: 'shop-db-oci-config' });
    const d = cr.spec.details;
    assert.deepEqual(
      [d.subnetId, d.privateEndpointLabel, d.licenseModel, d.isAutoScalingEnabled, d.freeformTags],
      [SUBNET, 'orders', 'BRING_YOUR_OWN_LICENSE', true, { app: 'orders' }],
    );
    const cm = kube.get('v1', 'ConfigMap', 'db', 'shop-db-oci-config') as { data: Record<string, string> };
    assert.deepEqual(
      Object.keys(cm.data).sort(),
      ['fingerprint', 'region', 'tenancy', 'user'],
      'only the keys commons/oci/provider.go accepts',
    );
    const secret = kube.get('v1', 'Secret', 'db', 'shop-db-oci-config') as { data: Record<string, string> };
    assert.match(Buffer.from(secret.data.privatekey, 'base64').toString(), /BEGIN (RSA )?PRIVATE KEY/);
    assert.ok(!r.visible.includes(secret.data.privatekey), 'the key never reaches the log or record');
    const again = await runDbTask(inputs, endpoints);
    assert.notEqual(again.host.result?.result, 'Failed', again.host.result?.message);
    assert.match(again.host.result?.message ?? '', /nothing changed/);
  });

  it('instance principal (OKE) leaves spec.ociConfig out, which the operator reads as instance principal', async () => {
    const r = await runDbTask(
      dbInputs({
        target: 'operator',
        kubernetesServiceConnection: 'k8s',
        namespace: 'db',
        ociConnection: '',
        displayName: 'Shop DB',
      }),
      { k8s: kube.endpoint() },
    );
    assert.notEqual(r.host.result?.result, 'Failed', r.host.result?.message);
    const cr = kube.get('database.oracle.com/v4', 'AutonomousDatabase', 'db', 'shop-db') as {
      spec: Record<string, unknown>;
    };
    assert.equal(cr.spec.ociConfig, undefined);
  });
});

describe('OracleDbProvision clone and adopt through the OCI API (emulator)', function () {
  this.timeout(30_000);
  let oci: OciDatabaseEmulator;
  beforeEach(async () => {
    oci = await OciDatabaseEmulator.start({
      delays: { provision: 40, update: 30, start: 30, stop: 30, terminate: 30, backup: 30 },
    });
  });
  afterEach(async () => oci.close());
  const run = (over: Record<string, string>) => runDbTask(dbInputs(over), { oci: ociEndpoint(oci.url) });
  const byName = (n: string) => [...oci.store.databases.values()].find((d) => d.displayName === n)!;

  for (const cloneType of ['FULL', 'METADATA', 'REFRESHABLE']) {
    it(`clone (${cloneType}) creates the copy once and then converges it like ensure`, async () => {
      assert.equal((await run({})).code, 0);
      const source = byName('shop-db');
      const inputs = {
        action: 'clone',
        displayName: 'shop-db-copy',
        dbName: 'SHOPCOPY',
        sourceDatabaseId: source.id,
        cloneType,
      };
      const first = await run(inputs);
      assert.notEqual(first.host.result?.result, 'Failed', first.host.result?.message);
      const copy = byName('shop-db-copy');
      assert.equal(copy.sourceId, source.id);
      assert.equal(copy.isRefreshableClone, cloneType === 'REFRESHABLE');
      assert.equal(copy.cloneType, cloneType === 'REFRESHABLE' ? undefined : cloneType);
      assert.match(
        first.host.lines.join('\n'),
        new RegExp(`create SHOPCOPY as a ${cloneType.toLowerCase()} clone of ${source.id}`),
      );
      const again = await run(inputs);
      assert.notEqual(again.host.result?.result, 'Failed', again.host.result?.message);
      assert.match(again.host.result?.message ?? '', /nothing changed/);
      assert.equal([...oci.store.databases.values()].length, 2);
    });
  }

  it("restore (point in time) creates a new database from the source's backups once, then converges it; the source is untouched", async () => {
    assert.equal((await run({})).code, 0);
    const source = byName('shop-db');
    await new Promise((r) => setTimeout(r, 300));
    const inputs = {
      action: 'restore',
      displayName: 'shop-db-pitr',
      dbName: 'SHOPPITR',
      sourceDatabaseId: source.id,
      restoreTimestamp: new Date(Date.now() - 100).toISOString(),
    };
    const first = await run(inputs);
    assert.notEqual(first.host.result?.result, 'Failed', first.host.result?.message);
    const copy = byName('shop-db-pitr');
    assert.equal(copy.sourceId, source.id);
    assert.match(first.host.lines.join('\n'), /create SHOPPITR restored \(full\) from .* as of 20/);
    assert.match((await run(inputs)).host.result?.message ?? '', /nothing changed/);
    assert.equal(source.lifecycleState, 'AVAILABLE');
    const tooOld = await run({
      ...inputs,
      displayName: 'too-old',
      dbName: 'TOOOLD',
      restoreTimestamp: '2020-01-01T00:00:00Z',
    });
    assert.equal(tooOld.host.result?.result, 'Failed');
    assert.match(tooOld.host.result?.message ?? '', /backup retention/);
  });

  it('a clone of a database that does not exist fails with what OCI says', async () => {
    const r = await run({
      action: 'clone',
      displayName: 'c',
      dbName: 'C1',
      sourceDatabaseId: 'ocid1.autonomousdatabase.oc1.eu-frankfurt-1.aaaaaaaanosuchdb',
    });
    assert.equal(r.host.result?.result, 'Failed');
    assert.match(r.host.result?.message ?? '', /404|not found/i);
  });

  it('adopts an existing database by OCID: converges its display name and settings, then changes nothing', async () => {
    assert.equal((await run({ displayName: 'legacy-name' })).code, 0);
    const adb = byName('legacy-name');
    const inputs = { autonomousDatabaseId: adb.id, displayName: 'orders-db', freeformTags: 'owner=platform' };
    const r = await run(inputs);
    assert.notEqual(r.host.result?.result, 'Failed', r.host.result?.message);
    assert.equal(adb.displayName, 'orders-db');
    assert.equal(adb.freeformTags.owner, 'platform');
    assert.equal(r.host.outputs.autonomousDatabaseId, adb.id);
    const again = await run(inputs);
    assert.match(again.host.result?.message ?? '', /nothing changed/);
    const gone = await run({ autonomousDatabaseId: 'ocid1.autonomousdatabase.oc1.eu-frankfurt-1.aaaaaaaanosuchdb' });
    assert.equal(gone.host.result?.result, 'Failed');
    assert.match(gone.host.result?.message ?? '', /does not exist or is terminated/);
  });

  it('refuses a refreshable clone through the operator (its spec.clone.cloneType is FULL or METADATA)', async () => {
    const r = await runDbTask(
      dbInputs({
        target: 'operator',
        kubernetesServiceConnection: 'k8s',
        action: 'clone',
        cloneType: 'REFRESHABLE',
        sourceDatabaseId: 'ocid1.autonomousdatabase.oc1.eu-frankfurt-1.aaaaaaaax',
      }),
      { k8s: { url: 'https://127.0.0.1:9', scheme: 'Kubeconfig', auth: { kubeconfig: 'apiVersion: v1' } } },
    );
    assert.equal(r.host.result?.result, 'Failed');
    assert.match(r.host.result?.message ?? '', /input 'cloneType': REFRESHABLE is not available through the operator/s);
  });
});
