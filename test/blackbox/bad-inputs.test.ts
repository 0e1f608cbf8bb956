import { strict as assert } from 'node:assert';
import { TaskName } from '../../tasks/common/ledger';
import { Endpoint, runTaskLikeAgent } from '../../devkit/agent/agent-run';
import { packagedTaskDir } from '../../devkit/agent/vsix';
import { COMPARTMENT, D, KEY, VAULT, azureRm, dockerRegistry, kubeconfig, oci } from './fixtures';

/**
 * One bad input per row, on top of otherwise valid inputs: the packaged task must fail before
 * doing anything, with a message that names the input, exit code ≠ 0, no stack trace, no record.
 */
interface Row {
  task: TaskName;
  why: string;
  inputs: Record<string, string>;
  endpoints?: Record<string, Endpoint>;
  error: RegExp;
}

const base: Record<TaskName, { inputs: Record<string, string>; endpoints: Record<string, Endpoint> }> = {
  AcrPromote: {
    inputs: { sourceImage: 'nonprod.azurecr.io/shop/web:1.4.2', targetRegistry: 'prod.azurecr.io' },
    endpoints: {},
  },
  CanaryShift: {
    inputs: { kubernetesServiceConnection: 'aks', namespace: 'shop', action: 'run', deployment: 'web', service: 'web', image: `prod.azurecr.io/shop/web@${D}`, route: 'web' },
    endpoints: { aks: kubeconfig() },
  },
  SmokeTest: {
    inputs: { baseUrl: 'https://web.shop.example', checks: '- name: health\n  path: /healthz\n  expect: { status: 200 }\n' },
    endpoints: {},
  },
  KeyVaultToOci: {
    inputs: { azureSubscription: 'azure', keyVaultName: 'shop-kv', secrets: 'db-*', ociConnection: 'oci', compartmentId: COMPARTMENT, vaultId: VAULT, keyId: KEY },
    endpoints: { azure: azureRm(), oci: oci() },
  },
  OracleDbProvision: {
    inputs: { target: 'ociApi', action: 'ensure', ociConnection: 'oci', compartmentId: COMPARTMENT, displayName: 'orders', dbName: 'ORDERS' },
    endpoints: { oci: oci() },
  },
};

const rows: Row[] = [
  // AcrPromote
  { task: 'AcrPromote', why: 'image without registry', inputs: { sourceImage: 'web:1.0' }, error: /input 'sourceImage'.*no registry/ },
  { task: 'AcrPromote', why: 'upper-case repository', inputs: { sourceImage: 'r.azurecr.io/Web:1' }, error: /input 'sourceImage'.*repository 'Web'/ },
  { task: 'AcrPromote', why: 'truncated digest', inputs: { sourceImage: 'r.azurecr.io/web@sha256:abc' }, error: /input 'sourceImage'.*digest/ },
  { task: 'AcrPromote', why: 'no tag nor digest', inputs: { sourceImage: 'r.azurecr.io/web' }, error: /input 'sourceImage'.*neither a tag nor a digest/ },
  { task: 'AcrPromote', why: 'URL as image', inputs: { sourceImage: 'https://r.azurecr.io/web:1' }, error: /input 'sourceImage'/ },
  { task: 'AcrPromote', why: 'path traversal in repository', inputs: { targetRepository: '../../etc' }, error: /input 'targetRepository'/ },
  { task: 'AcrPromote', why: 'registry with scheme', inputs: { targetRegistry: 'https://prod.azurecr.io' }, error: /input 'targetRegistry'/ },
  { task: 'AcrPromote', why: 'registry with path', inputs: { targetRegistry: 'prod.azurecr.io/shop' }, error: /input 'targetRegistry'/ },
  { task: 'AcrPromote', why: 'bad tag', inputs: { targetTags: 'ok, -bad' }, error: /input 'targetTags'.*'-bad'/ },
  { task: 'AcrPromote', why: 'unknown mode', inputs: { mode: 'teleport' }, error: /input 'mode'.*copy, import/ },
  { task: 'AcrPromote', why: 'import without subscription', inputs: { mode: 'import' }, error: /input 'azureSubscription'.*import mode/ },
  { task: 'AcrPromote', why: 'import into a non-ACR registry', inputs: { mode: 'import', azureSubscription: 'azure', targetRegistry: 'fra.ocir.io' }, endpoints: { azure: azureRm() }, error: /input 'targetRegistry'.*not an Azure Container Registry/ },
  { task: 'AcrPromote', why: 'non-boolean flag', inputs: { allowTagOverwrite: 'maybe' }, error: /input 'allowTagOverwrite'.*not a boolean/ },
  { task: 'AcrPromote', why: 'zero timeout', inputs: { timeoutMinutes: '0' }, error: /input 'timeoutMinutes'.*out of range/ },
  { task: 'AcrPromote', why: 'registry connection without password', inputs: { targetRegistryConnection: 'prod' }, endpoints: { prod: { ...dockerRegistry('prod.azurecr.io'), auth: { registry: 'prod.azurecr.io', username: 'ci' } } }, error: /input 'targetRegistryConnection'.*user name without a password/ },
  // CanaryShift
  { task: 'CanaryShift', why: 'weight above 100 in steps', inputs: { steps: '10, 150' }, error: /input 'steps'.*'150'/ },
  { task: 'CanaryShift', why: 'negative weight', inputs: { action: 'shift', weight: '-5' }, error: /input 'weight'/ },
  { task: 'CanaryShift', why: 'weight out of range', inputs: { action: 'shift', weight: '101' }, error: /input 'weight'.*out of range/ },
  { task: 'CanaryShift', why: 'shift without weight', inputs: { action: 'shift' }, error: /input 'weight': is required/ },
  { task: 'CanaryShift', why: 'pause without duration', inputs: { steps: '10, pause, 100' }, error: /input 'steps'.*needs a duration/ },
  { task: 'CanaryShift', why: 'unknown step', inputs: { steps: '10, wait 5s' }, error: /input 'steps'.*'wait 5s'/ },
  { task: 'CanaryShift', why: 'bad namespace', inputs: { namespace: 'Shop_Prod' }, error: /input 'namespace'/ },
  { task: 'CanaryShift', why: 'bad deployment name', inputs: { deployment: 'web/../x' }, error: /input 'deployment'/ },
  { task: 'CanaryShift', why: 'unknown router', inputs: { trafficRouter: 'linkerd' }, error: /input 'trafficRouter'.*gatewayApi/ },
  { task: 'CanaryShift', why: 'router without route', inputs: { route: '' }, error: /input 'route': is required/ },
  { task: 'CanaryShift', why: 'bad success condition', inputs: { successCondition: 'result ~ 1' }, error: /input 'successCondition'/ },
  { task: 'CanaryShift', why: 'code in success condition', inputs: { successCondition: 'process.exit(0)' }, error: /input 'successCondition'/ },
  { task: 'CanaryShift', why: 'bad interval', inputs: { interval: 'soon' }, error: /input 'interval'/ },
  { task: 'CanaryShift', why: 'prometheus without query', inputs: { prometheusUrl: 'https://prom.example' }, error: /input 'query'/ },
  { task: 'CanaryShift', why: 'prometheus URL with credentials', inputs: { prometheusUrl: 'https://admin:pw@prom.example', query: 'up' }, error: /input 'prometheusUrl'.*credentials/ },
  { task: 'CanaryShift', why: 'bad canary image', inputs: { image: 'web' }, error: /input 'image'/ },
  { task: 'CanaryShift', why: 'zero canary replicas', inputs: { canaryReplicas: '0' }, error: /input 'canaryReplicas'/ },
  // SmokeTest
  { task: 'SmokeTest', why: 'relative base URL', inputs: { baseUrl: 'web.shop.example' }, error: /input 'baseUrl'.*not an absolute URL/ },
  { task: 'SmokeTest', why: 'base URL with credentials', inputs: { baseUrl: 'https://u:p@web.shop.example' }, error: /input 'baseUrl'.*credentials/ },
  { task: 'SmokeTest', why: 'non-HTTP scheme', inputs: { baseUrl: 'file:///etc/passwd' }, error: /input 'baseUrl'.*uses file/ },
  { task: 'SmokeTest', why: 'no checks', inputs: { checks: '' }, error: /input 'checks'/ },
  { task: 'SmokeTest', why: 'checks and file', inputs: { checksFile: 'smoke.yml' }, error: /input 'checksFile'/ },
  { task: 'SmokeTest', why: 'missing checks file', inputs: { checks: '', checksFile: '../../../nonexistent/smoke.yml' }, error: /input 'checksFile'.*cannot be read/ },
  { task: 'SmokeTest', why: 'failure rate above 1', inputs: { maxFailureRate: '1.5' }, error: /input 'maxFailureRate'/ },
  { task: 'SmokeTest', why: 'zero concurrency', inputs: { concurrency: '0' }, error: /input 'concurrency'/ },
  { task: 'SmokeTest', why: 'text as retries', inputs: { retries: 'three' }, error: /input 'retries'.*not a whole number/ },
  // KeyVaultToOci
  { task: 'KeyVaultToOci', why: 'no secrets selected (no implicit *)', inputs: { secrets: '' }, error: /input 'secrets'/ },
  { task: 'KeyVaultToOci', why: 'unknown onSourceRemoved', inputs: { onSourceRemoved: 'purge' }, error: /input 'onSourceRemoved'/ },
  { task: 'KeyVaultToOci', why: 'bad vault name', inputs: { keyVaultName: 'kv_with_underscores' }, error: /input 'keyVaultName'/ },
  { task: 'KeyVaultToOci', why: 'vault name too short', inputs: { keyVaultName: 'kv' }, error: /input 'keyVaultName'/ },
  { task: 'KeyVaultToOci', why: 'vault OCID of the wrong kind', inputs: { vaultId: KEY }, error: /input 'vaultId'/ },
  { task: 'KeyVaultToOci', why: 'not an OCID', inputs: { keyId: 'my-key' }, error: /input 'keyId'/ },
  { task: 'KeyVaultToOci', why: 'compartment not an OCID', inputs: { compartmentId: 'prod' }, error: /input 'compartmentId'/ },
  { task: 'KeyVaultToOci', why: 'glob in a mapping', inputs: { secrets: 'db-* => db' }, error: /input 'secrets'.*no globs/ },
  { task: 'KeyVaultToOci', why: 'two names onto one OCI secret', inputs: { secrets: 'a => x\nb => x' }, error: /input 'secrets'.*both map/ },
  { task: 'KeyVaultToOci', why: 'bad characters in selection', inputs: { secrets: 'db/password' }, error: /input 'secrets'/ },
  { task: 'KeyVaultToOci', why: 'OCI fingerprint malformed', inputs: {}, endpoints: { azure: azureRm(), oci: oci({ fingerprint: 'nope' }) }, error: /input 'ociConnection'.*fingerprint/ },
  { task: 'KeyVaultToOci', why: 'OCI key not PEM', inputs: {}, endpoints: { azure: azureRm(), oci: oci({ privateKey: 'not-a-key' }) }, error: /input 'ociConnection'.*not a PEM private key/ },
  { task: 'KeyVaultToOci', why: 'Azure tenant not a GUID', inputs: {}, endpoints: { azure: { ...azureRm(), auth: { ...azureRm().auth, tenantid: 'contoso' } }, oci: oci() }, error: /input 'azureSubscription'.*not a GUID/ },
  // OracleDbProvision
  { task: 'OracleDbProvision', why: 'db name starting with a digit', inputs: { dbName: '1orders' }, error: /input 'dbName'/ },
  { task: 'OracleDbProvision', why: 'db name too long', inputs: { dbName: 'A'.repeat(31) }, error: /input 'dbName'/ },
  { task: 'OracleDbProvision', why: 'weak admin password', inputs: { adminPassword: 'short' }, error: /input 'adminPassword'.*12 to 30/ },
  { task: 'OracleDbProvision', why: "password containing 'admin'", inputs: { adminPassword: 'MyAdminPassw0rd' }, error: /input 'adminPassword'.*'admin'/ },
  { task: 'OracleDbProvision', why: 'delete without confirmation', inputs: { action: 'delete' }, error: /input 'confirmDelete'/ },
  { task: 'OracleDbProvision', why: 'wallet without password', inputs: { action: 'wallet' }, error: /input 'walletPassword'/ },
  { task: 'OracleDbProvision', why: 'unknown workload', inputs: { dbWorkload: 'OLAP' }, error: /input 'dbWorkload'/ },
  { task: 'OracleDbProvision', why: 'bad ACL entry', inputs: { whitelistedIps: '10.0.0.0/8, 300.1.1.1' }, error: /input 'whitelistedIps'.*'300\.1\.1\.1'/ },
  { task: 'OracleDbProvision', why: 'storage out of range', inputs: { dataStorageSizeInTBs: '0' }, error: /input 'dataStorageSizeInTBs'/ },
  { task: 'OracleDbProvision', why: 'both password sources', inputs: { adminPassword: 'Val1dPassword#2026', adminPasswordSecretId: 'ocid1.vaultsecret.oc1.eu-frankfurt-1.aaaa' }, error: /input 'adminPasswordSecretId'/ },
  { task: 'OracleDbProvision', why: 'operator without cluster', inputs: { target: 'operator' }, error: /input 'kubernetesServiceConnection': is required/ },
];

describe('bad inputs are refused before anything happens', () => {
  it(`covers at least 50 bad inputs across the five tasks (${rows.length})`, () => {
    assert.ok(rows.length >= 50, `only ${rows.length} bad inputs: add rows until there are at least 50`);
    assert.equal(new Set(rows.map((r) => r.task)).size, 5);
  });
  for (const row of rows) {
    it(`${row.task}: ${row.why}`, async () => {
      const b = base[row.task];
      const run = await runTaskLikeAgent({ taskDir: packagedTaskDir(row.task), inputs: { ...b.inputs, ...row.inputs }, endpoints: row.endpoints ?? b.endpoints });
      assert.equal(run.code, 1);
      assert.equal(run.result, 'Failed');
      assert.match(run.resultMessage ?? '', row.error);
      assert.ok(!/\n\s+at /.test(run.stdout), 'no stack trace');
      assert.equal(run.attachments.length, 0, 'no record: nothing happened');
    });
  }
});
