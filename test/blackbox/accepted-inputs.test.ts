import { strict as assert } from 'node:assert';
import { runTaskLikeAgent } from '../../devkit/agent/agent-run';
import { packagedTaskDir } from '../../devkit/agent/vsix';
import { TaskName } from '../../tasks/common/ledger';
import { BASE, U, VAULT_FRA_KEYFORM, fill, pointAtListener } from './bad-inputs/base';
import { oci, azureRm } from './fixtures';
import { RecordingListener } from './recording-listener';

/**
 * Values in their published shapes that validation used to refuse: each run must get past
 * validation (no "input '…'" failure) and reach the listener, i.e. start its real work.
 */
const cases: { task: TaskName; why: string; inputs: Record<string, string>; region?: string }[] = [
  {
    task: 'KeyVaultToOci',
    why: 'vault and key OCIDs with region key and extra segment',
    inputs: { vaultId: VAULT_FRA_KEYFORM, keyId: `ocid1.key.oc1.fra.bbpozmd6aaeug.abtheljr${U}` },
  },
  {
    task: 'KeyVaultToOci',
    why: 'connection region given as its key (fra)',
    inputs: { vaultId: `ocid1.vault.oc1.eu-frankfurt-1.${U}` },
    region: 'fra',
  },
  {
    task: 'OracleDbProvision',
    why: 'root compartment (tenancy OCID) and a vault secret by region key',
    inputs: { compartmentId: `ocid1.tenancy.oc1..${U}`, adminPasswordSecretId: `ocid1.vaultsecret.oc1.fra.${U}` },
  },
];

describe('inputs in their published shapes are accepted', () => {
  const listener = new RecordingListener();
  before(() => listener.start());
  after(() => listener.stop());

  for (const c of cases) {
    it(`${c.task}: ${c.why}`, async function () {
      this.timeout(40_000);
      const before = listener.connections;
      const ep = c.region ? oci({ region: c.region }) : oci();
      const endpoints = Object.fromEntries(
        Object.entries({
          ...BASE[c.task].endpoints,
          oci: ep,
          ...(c.task === 'KeyVaultToOci' ? { azure: azureRm() } : {}),
        }).map(([id, e]) => [id, pointAtListener(e, listener.port)]),
      );
      const inputs = Object.fromEntries(
        Object.entries({ ...BASE[c.task].inputs, ...c.inputs }).map(([k, v]) => [k, fill(v, listener.port)]),
      );
      const run = await runTaskLikeAgent({
        taskDir: packagedTaskDir(c.task),
        inputs,
        endpoints,
        env: listener.proxyEnv(),
        timeoutMs: 20_000,
        // Reaching the listener is the proof: cancelled there, the run ends with a result at once instead of
        // retrying into dropped connections; a refusal at validation would end it before any connection.
        signal: listener.nextConnection(),
      });
      assert.ok(run.resultMessage, `no result: ${run.stdout.slice(-500)}`);
      assert.ok(!/input '\w+'/.test(run.resultMessage), `refused at validation: ${run.resultMessage}`);
      assert.ok(listener.connections > before, `no connection: ${run.stdout.slice(-500)}`);
    });
  }
});
