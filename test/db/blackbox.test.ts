import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { runTaskLikeAgent, visibleOutput } from '../../devkit/agent/agent-run';
import { packagedTaskDir } from '../../devkit/agent/vsix';
import { OciDatabaseEmulator } from '../../devkit/emulators/oci-database';
import { ociEndpoint } from '../../devkit/support/oci-test-key';
import { ADMIN_PASSWORD, WALLET_PASSWORD, dbInputs } from './support';
import { abortWhen } from '../../devkit/agent/abort-when';

describe('OracleDbProvision packaged task (black box)', function () {
  this.timeout(30_000);
  let oci: OciDatabaseEmulator;
  before(async () => {
    oci = await OciDatabaseEmulator.start({
      delays: { provision: 300, update: 50, start: 50, stop: 50, terminate: 50, backup: 50 },
    });
  });
  after(async () => oci.close());

  const run = (over: Record<string, string>) =>
    runTaskLikeAgent({
      taskDir: packagedTaskDir('OracleDbProvision'),
      inputs: dbInputs(over),
      endpoints: { oci: ociEndpoint(oci.url) },
      env: { NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS ?? '' },
    });

  it('creates a database, then downloads its wallet, like the agent runs it', async () => {
    oci.injectFault({ status: 429, method: 'POST', path: /autonomousDatabases$/ });
    const create = await run({});
    assert.equal(create.code, 0, `${create.resultMessage}\n${create.stderr}`);
    assert.equal(create.result, 'Succeeded');
    assert.equal(create.stderr, '', 'nothing on stderr (the SDK chatter goes to debug)');
    const [db] = oci.store.databases.values();
    assert.equal(create.outputs.autonomousDatabaseId, db.id);
    assert.equal(create.outputs.lifecycleState, 'AVAILABLE');
    assert.match(create.outputs.connectionString, /^\(description=/);
    assert.ok(create.secrets.includes(ADMIN_PASSWORD));
    assert.ok(!visibleOutput(create).includes(ADMIN_PASSWORD));
    const ledger = create.attachments.find((a) => a.type === 'multicloud-devsecops.ledger');
    const record = JSON.parse(fs.readFileSync(ledger!.path, 'utf8'));
    assert.equal(record.details.autonomousDatabaseId, db.id);
    assert.equal(record.details.action, 'ensure');

    const wallet = await run({ action: 'wallet', walletPassword: WALLET_PASSWORD, adminPassword: '' });
    assert.equal(wallet.code, 0, wallet.resultMessage);
    assert.notEqual(wallet.result, 'Failed', wallet.resultMessage);
    assert.ok(wallet.outputs.walletPath.startsWith(wallet.tempDir));
    assert.equal(fs.readFileSync(wallet.outputs.walletPath).readUInt32LE(0), 0x04034b50);
    assert.ok(!visibleOutput(wallet).includes(WALLET_PASSWORD));
  });

  it('stops waiting when the job is cancelled and records the cancellation', async () => {
    oci.store.delays.provision = 20_000;
    // Cancelled once the create was sent and the task reads the database again (it is waiting for AVAILABLE),
    // not after a fixed delay that a loaded machine can outlast before the create.
    const before = oci.requests.length;
    const waiting = (): boolean => {
      const since = oci.requests.slice(before);
      const create = since.findIndex((q) => q.method === 'POST' && q.path.endsWith('/autonomousDatabases'));
      return create >= 0 && since.slice(create + 1).some((q) => q.method === 'GET');
    };
    const cancel = abortWhen(waiting);
    const r = await runTaskLikeAgent({
      taskDir: packagedTaskDir('OracleDbProvision'),
      inputs: dbInputs({ displayName: 'slow-db', dbName: 'SLOWDB' }),
      endpoints: { oci: ociEndpoint(oci.url) },
      env: { NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS ?? '' },
      signal: cancel.signal,
    }).finally(() => cancel.dispose());
    oci.store.delays.provision = 300;
    assert.ok(cancel.signal.aborted, 'cancelled while waiting for the database');
    assert.equal(r.result, 'Canceled', r.resultMessage);
    assert.deepEqual([r.code, r.agentErrors], [0, []], 'the agent needs exit code 0 even when cancelled');
    const record = JSON.parse(fs.readFileSync(r.attachments[0].path, 'utf8'));
    assert.equal(record.status, 'cancelled');
    assert.equal(record.details.lifecycleState, 'PROVISIONING', 'the record says where the database was left');
  });

  it('rejects invalid inputs before calling OCI, naming each input', async () => {
    const before = oci.requests.length;
    const r = await run({ dbName: '1bad-name', adminPassword: 'short', computeCount: '1' });
    assert.equal(r.result, 'Failed');
    assert.match(r.resultMessage!, /'dbName'/);
    assert.match(r.resultMessage!, /'adminPassword'.*12 to 30/);
    assert.match(r.resultMessage!, /'computeCount'/);
    assert.ok(!/\n\s+at /.test(r.resultMessage!), 'no stack trace');
    assert.equal(oci.requests.length, before, 'nothing was sent');
  });
});
