import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { extractZip } from '../../devkit/agent/unzip';
import { OciDatabaseEmulator } from '../../devkit/emulators/oci-database';
import { Endpoint } from '../../devkit/agent/agent-run';
import { ociEndpoint } from '../../devkit/support/oci-test-key';
import { ADMIN_PASSWORD, COMPARTMENT, WALLET_PASSWORD, dbInputs, runDbTask } from './support';

const ociEndpoints = (url: string): Record<string, Endpoint> => ({ oci: ociEndpoint(url) });

describe('OracleDbProvision through the OCI API (emulator)', function () {
  // The first run loads the OCI SDKs: over 20 s under a load of 20 on two cores (seen).
  this.timeout(60_000);
  let oci: OciDatabaseEmulator;
  beforeEach(async () => {
    oci = await OciDatabaseEmulator.start({
      delays: { provision: 250, update: 30, start: 30, stop: 30, terminate: 30, backup: 30 },
    });
  });
  afterEach(async () => oci.close());

  const run = (over: Record<string, string> = {}, variables: Record<string, string> = {}) =>
    runDbTask(dbInputs(over), ociEndpoints(oci.url), variables);
  const only = () => [...oci.store.databases.values()];

  it('ensure creates the database, waits for AVAILABLE and outputs a TNS descriptor', async () => {
    oci.store.delays.provision = 800; // long enough to be seen PROVISIONING even on a loaded machine
    const r = await run();
    assert.notEqual(r.host.result?.result, 'Failed', r.host.result?.message);
    const [db] = only();
    assert.equal(db.lifecycleState, 'AVAILABLE');
    assert.equal(db.adminPassword, ADMIN_PASSWORD);
    assert.equal(r.host.outputs.autonomousDatabaseId, db.id);
    assert.equal(r.host.outputs.lifecycleState, 'AVAILABLE');
    assert.match(
      r.host.outputs.connectionString,
      /^\(description=.*service_name=\w+_shopdb_tp\.adb\.oraclecloud\.com.*port=1522|^\(description=.*port=1522.*shopdb_tp/,
    );
    assert.ok(
      r.host.lines.some((l) => /PROVISIONING/.test(l)) && r.host.lines.some((l) => /AVAILABLE/.test(l)),
      'state changes are reported',
    );
    // The create carried a deterministic retry token and the work request was followed.
    const create = oci.requests.find((q) => q.method === 'POST' && q.path.endsWith('/autonomousDatabases'));
    assert.match(String(create?.headers['opc-retry-token']), /^[0-9a-f]{64}$/);
    assert.ok(oci.requests.some((q) => q.path.includes('/workRequests/')));
    const details = r.record.details as Record<string, unknown>;
    assert.equal(details.autonomousDatabaseId, db.id);
    assert.equal(details.action, 'ensure');
    assert.ok(Array.isArray(details.steps) && (details.steps as { states: unknown[] }[])[0].states.length >= 2);
    assert.ok(!r.visible.includes(ADMIN_PASSWORD), 'the password never shows');
    assert.ok(r.host.secrets.includes(ADMIN_PASSWORD));
  });

  it('ensure again changes nothing; drift is corrected field group by field group', async () => {
    assert.equal((await run()).code, 0);
    const writes = () => oci.requests.filter((q) => q.method !== 'GET').length;
    const before = writes();
    const again = await run({ connectionProfile: 'high' });
    assert.equal(again.code, 0);
    assert.match(again.host.outputs.connectionString, /_shopdb_high\.adb/);
    assert.equal(writes(), before, 'no write on an idempotent re-run');
    assert.match(again.host.result!.message, /nothing changed/);

    const drift = await run({
      computeCount: '4',
      dataStorageSizeInTBs: '2',
      dbWorkload: 'DW',
      whitelistedIps: '203.0.113.7',
      isMtlsConnectionRequired: 'false',
    });
    assert.notEqual(drift.host.result?.result, 'Failed', drift.host.result?.message);
    const [db] = only();
    assert.deepEqual(
      [db.computeCount, db.dataStorageSizeInTBs, db.dbWorkload, db.whitelistedIps, db.isMtlsConnectionRequired],
      [4, 2, 'DW', ['203.0.113.7'], false],
    );
    const updates = oci.requests.filter((q) => q.method === 'PUT');
    assert.equal(updates.length, 4, 'dbWorkload, compute+storage, ACL, mTLS: OCI accepts them only separately');
    assert.ok(
      oci.store.history.some((h) => h.state === 'SCALE_IN_PROGRESS') &&
        oci.store.history.some((h) => h.state === 'UPDATING'),
    );
    assert.match(drift.host.outputs.connectionString, /port=1521/, 'walletless TLS descriptor once mTLS is off');
  });

  it('scale, stop, start and backup converge and are idempotent', async () => {
    assert.equal((await run()).code, 0);
    const scale = await run({ action: 'scale', computeCount: '6', dbWorkload: 'DW' });
    assert.notEqual(scale.host.result?.result, 'Failed', scale.host.result?.message);
    assert.equal(only()[0].computeCount, 6);
    assert.equal(only()[0].dbWorkload, 'OLTP', 'scale touches compute and storage only');

    const stop = await run({ action: 'stop' });
    assert.equal(stop.code, 0);
    assert.equal(stop.host.outputs.lifecycleState, 'STOPPED');
    assert.equal((await run({ action: 'stop' })).host.result?.message.includes('nothing changed'), true);
    const backupWhileStopped = await run({ action: 'backup' });
    assert.equal(backupWhileStopped.host.result?.result, 'Failed');
    assert.match(backupWhileStopped.host.result.message, /STOPPED.*needs AVAILABLE/);

    const start = await run({ action: 'start' });
    assert.equal(start.code, 0);
    assert.equal(only()[0].lifecycleState, 'AVAILABLE');

    oci.store.failNext.set('CREATE_AUTONOMOUS_DATABASE_BACKUP', {
      code: 'InternalError',
      message: 'backup storage unavailable',
      finalState: 'AVAILABLE',
    });
    const failedBackup = await run({ action: 'backup' });
    assert.equal(failedBackup.host.result?.result, 'Failed');
    assert.match(failedBackup.host.result.message, /ended FAILED|FAILED: InternalError: backup storage unavailable/);
    const backup = await run({ action: 'backup' });
    assert.notEqual(backup.host.result?.result, 'Failed', backup.host.result?.message);
    const b = [...oci.store.backups.values()].pop()!;
    assert.equal(b.lifecycleState, 'ACTIVE');
    assert.equal((backup.record.details as { steps: { backupId: string }[] }).steps[0].backupId, b.id);
  });

  it('wallet writes a real zip under the agent temp directory and never prints the password', async () => {
    assert.equal((await run()).code, 0);
    const r = await run({ action: 'wallet', walletPassword: WALLET_PASSWORD });
    assert.notEqual(r.host.result?.result, 'Failed', r.host.result?.message);
    const file = r.host.outputs.walletPath;
    assert.ok(file.startsWith(r.host.variable('Agent.TempDirectory')!));
    assert.equal(fs.statSync(file).mode & 0o077, 0, 'readable by the agent user only');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wallet-'));
    const names = extractZip(file, dir);
    assert.ok(names.includes('tnsnames.ora') && names.includes('cwallet.sso'));
    assert.match(fs.readFileSync(path.join(dir, 'tnsnames.ora'), 'utf8'), /shopdb_high = \(description=/);
    assert.ok(r.host.secrets.includes(WALLET_PASSWORD));
    assert.ok(!r.visible.includes(WALLET_PASSWORD));
  });

  it('delete needs confirmDelete, then terminates; a second delete is a no-op', async () => {
    assert.equal((await run()).code, 0);
    const refused = await run({ action: 'delete' });
    assert.equal(refused.host.result?.result, 'Failed');
    assert.match(refused.host.result.message, /confirmDelete/);
    assert.equal(only()[0].lifecycleState, 'AVAILABLE');
    const del = await run({ action: 'delete', confirmDelete: 'true' });
    assert.notEqual(del.host.result?.result, 'Failed', del.host.result?.message);
    assert.equal(only()[0].lifecycleState, 'TERMINATED');
    assert.equal(del.host.outputs.lifecycleState, 'TERMINATED');
    const again = await run({ action: 'delete', confirmDelete: 'true' });
    assert.equal(again.code, 0);
    assert.match(again.host.result!.message, /nothing changed/);
    // A terminated database does not count: ensure creates a new one under the same display name.
    assert.equal((await run()).code, 0);
    assert.equal(only().filter((d) => d.lifecycleState === 'AVAILABLE').length, 1);
  });

  it('retries 429 and 5xx, and turns 409 IncorrectState into a clear error', async () => {
    oci.injectFault({ status: 429, count: 2, method: 'POST', path: /autonomousDatabases$/ });
    oci.injectFault({ status: 503, count: 1, method: 'GET', path: /autonomousDatabases$/ });
    const r = await run();
    assert.notEqual(r.host.result?.result, 'Failed', r.host.result?.message);
    assert.equal(oci.store.databases.size, 1, 'the retried create did not create twice');
    assert.equal(oci.requests.filter((q) => q.method === 'POST' && q.status === 429).length, 2);

    oci.injectFault({ status: 409, method: 'POST', path: /actions\/stop$/ });
    const stop = await run({ action: 'stop' });
    assert.equal(stop.host.result?.result, 'Failed');
    assert.match(stop.host.result.message, /HTTP 409 IncorrectState.*Another operation is running/);
    assert.equal(only()[0].lifecycleState, 'AVAILABLE');
  });

  it('a 409 IncorrectState while the database is in transition waits and converges instead of failing', async () => {
    assert.equal((await run()).code, 0);
    // The stop is carried out but its answer is a 409, as when a lost response is retried.
    oci.store.delays.stop = 1000;
    oci.injectFault({ status: 409, method: 'POST', path: /actions\/stop$/, afterProcessing: true });
    const stop = await run({ action: 'stop' });
    assert.notEqual(stop.host.result?.result, 'Failed', stop.host.result?.message);
    assert.equal(stop.host.outputs.lifecycleState, 'STOPPED');
    assert.ok(stop.host.lines.some((l) => /409 IncorrectState: .* is STOPPING/.test(l)));
    assert.equal(oci.requests.filter((q) => q.method === 'POST' && q.path.endsWith('/stop')).length, 1);
  });

  it('a create whose response is lost is retried with the same opc-retry-token and creates once', async () => {
    oci.injectFault({ status: 503, method: 'POST', path: /autonomousDatabases$/, afterProcessing: true });
    const r = await run();
    assert.notEqual(r.host.result?.result, 'Failed', r.host.result?.message);
    assert.equal(oci.store.databases.size, 1, 'one database despite two create requests');
    const posts = oci.requests.filter((q) => q.method === 'POST');
    assert.equal(posts.length, 2);
    assert.equal(new Set(posts.map((q) => q.headers['opc-retry-token'])).size, 1);
    // After a delete, a new create in the same run must not be answered with the deleted database.
    assert.equal((await run({ action: 'delete', confirmDelete: 'true' })).code, 0);
    assert.equal((await run()).code, 0);
    assert.equal(only().filter((d) => d.lifecycleState === 'AVAILABLE').length, 1);
  });

  it('fails clearly on OCI 400, 401 and on a work request that ends FAILED', async () => {
    const taken = await run({ displayName: 'other' });
    assert.equal(taken.code, 0);
    const dup = await run({ displayName: 'second' });
    assert.equal(dup.host.result?.result, 'Failed');
    assert.match(dup.host.result.message, /HTTP 400 InvalidParameter: The database name SHOPDB is already in use/);

    oci.store.failNext.set('CREATE_AUTONOMOUS_DATABASE', {
      code: 'InternalError',
      message: 'capacity not available',
      finalState: 'UNAVAILABLE',
    });
    const failed = await run({ displayName: 'third', dbName: 'THIRD' });
    assert.equal(failed.host.result?.result, 'Failed');
    assert.match(failed.host.result.message, /work request .* FAILED: InternalError: capacity not available/);

    const endpoints = ociEndpoints(oci.url);
    endpoints.oci.data!.fingerprint = '00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff';
    const unauth = await runDbTask(dbInputs(), endpoints);
    assert.equal(unauth.host.result?.result, 'Failed');
    assert.match(unauth.host.result.message, /HTTP 401 NotAuthenticated.*Check the OCI connection/);
  });

  it('Always Free: fixed sizes, two per tenancy, upgrade to paid by ensure', async () => {
    oci.store.delays.provision = 30;
    for (const n of ['1', '2'])
      assert.equal(
        (await run({ displayName: `free${n}`, dbName: `FREE${n}`, isFreeTier: 'true', computeCount: '8' })).code,
        0,
      );
    assert.deepEqual(
      only().map((d) => [d.isFreeTier, d.computeCount]),
      [
        [true, 2],
        [true, 2],
      ],
    );
    const third = await run({ displayName: 'free3', dbName: 'FREE3', isFreeTier: 'true' });
    assert.equal(third.host.result?.result, 'Failed');
    assert.match(third.host.result.message, /HTTP 400 LimitExceeded: The tenancy already has 2 Always Free/);
    const upgrade = await run({ displayName: 'free1', dbName: 'FREE1', isFreeTier: 'false', computeCount: '4' });
    assert.notEqual(upgrade.host.result?.result, 'Failed', upgrade.host.result?.message);
    const free1 = only().find((d) => d.displayName === 'free1')!;
    assert.deepEqual([free1.isFreeTier, free1.computeCount], [false, 4], 'left Always Free first, then scaled');
  });

  it('refuses ambiguous display names (OCI does not make them unique)', async () => {
    assert.equal((await run()).code, 0);
    const [first] = only();
    oci.store.databases.set('ocid1.autonomousdatabase.oc1.eu-frankfurt-1.twin', {
      ...first,
      id: 'ocid1.autonomousdatabase.oc1.eu-frankfurt-1.twin',
      dbName: 'TWIN',
    });
    const r = await run({ action: 'stop' });
    assert.equal(r.host.result?.result, 'Failed');
    assert.match(r.host.result.message, /2 Autonomous Databases are named 'shop-db'/);
    assert.equal(first.lifecycleState, 'AVAILABLE');
  });

  it('reads the ADMIN password from OCI Vault when adminPasswordSecretId is set', async () => {
    const secretId = 'ocid1.vaultsecret.oc1.eu-frankfurt-1.amaaaaaamcdsoadminpw';
    oci.seedSecret(secretId, 'Vault-Stored-Pw9');
    const r = await run({ adminPassword: '', adminPasswordSecretId: secretId });
    assert.notEqual(r.host.result?.result, 'Failed', r.host.result?.message);
    assert.equal(only()[0].adminPassword, 'Vault-Stored-Pw9');
    assert.ok(r.host.secrets.includes('Vault-Stored-Pw9'));
    assert.ok(!r.visible.includes('Vault-Stored-Pw9'));
    assert.equal(only()[0].compartmentId, COMPARTMENT);
  });
});
