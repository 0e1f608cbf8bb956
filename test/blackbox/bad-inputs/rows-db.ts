import { kubeconfig, oci } from '../fixtures';
import { Row, U, encryptedKey } from './base';

const withOci = (overrides: Record<string, string>): Row['endpoints'] => ({ oci: oci(overrides) });
const PASSWORD = 'Val1dPassword#2026';

/** OracleDbProvision: Autonomous Database settings as copied from the OCI console and CLI docs. */
export const DB_ROWS: Row[] = [
  { task: 'OracleDbProvision', why: 'db name starting with a digit', inputs: { dbName: '1orders' }, input: 'dbName', error: /input 'dbName'/ },
  { task: 'OracleDbProvision', why: 'db name too long', inputs: { dbName: 'A'.repeat(31) }, input: 'dbName', error: /input 'dbName'/ },
  { task: 'OracleDbProvision', why: 'weak admin password', inputs: { adminPassword: 'short' }, input: 'adminPassword', error: /input 'adminPassword'.*12 to 30/ },
  { task: 'OracleDbProvision', why: "password containing 'admin'", inputs: { adminPassword: 'MyAdminPassw0rd' }, input: 'adminPassword', error: /input 'adminPassword'.*'admin'/ },
  { task: 'OracleDbProvision', why: 'delete without confirmation', inputs: { action: 'delete' }, input: 'confirmDelete', error: /input 'confirmDelete'/ },
  { task: 'OracleDbProvision', why: 'wallet without password', inputs: { action: 'wallet' }, input: 'walletPassword', error: /input 'walletPassword'/ },
  { task: 'OracleDbProvision', why: 'unknown workload', inputs: { dbWorkload: 'OLAP' }, input: 'dbWorkload', error: /input 'dbWorkload'/ },
  { task: 'OracleDbProvision', why: 'bad ACL entry', inputs: { whitelistedIps: '10.0.0.0/8, 300.1.1.1' }, input: 'whitelistedIps', error: /input 'whitelistedIps'.*'300\.1\.1\.1'/ },
  { task: 'OracleDbProvision', why: 'storage out of range', inputs: { dataStorageSizeInTBs: '0' }, input: 'dataStorageSizeInTBs', error: /input 'dataStorageSizeInTBs'/ },
  { task: 'OracleDbProvision', why: 'both password sources', inputs: { adminPassword: 'Val1dPassword#2026', adminPasswordSecretId: 'ocid1.vaultsecret.oc1.eu-frankfurt-1.aaaa' }, input: 'adminPasswordSecretId', error: /input 'adminPasswordSecretId'/ },
  { task: 'OracleDbProvision', why: 'operator without cluster', inputs: { target: 'operator' }, input: 'kubernetesServiceConnection', error: /input 'kubernetesServiceConnection': is required/ },
  { task: 'OracleDbProvision', why: 'compartment in another realm', inputs: { compartmentId: `ocid1.compartment.oc2..${U}` }, input: 'compartmentId', error: /realm oc2/ },
  { task: 'OracleDbProvision', why: 'compartment is a VCN', inputs: { compartmentId: `ocid1.vcn.oc1.eu-frankfurt-1.${U}` }, input: 'compartmentId', error: /it is a vcn OCID/ },
  { task: 'OracleDbProvision', why: 'admin secret in another region', inputs: { adminPasswordSecretId: `ocid1.vaultsecret.oc1.iad.${U}` }, input: 'adminPasswordSecretId', error: /is in us-ashburn-1/ },
  { task: 'OracleDbProvision', why: 'admin secret is a vault OCID', inputs: { adminPasswordSecretId: `ocid1.vault.oc1.fra.bbpozmd6aaeug.${U}` }, input: 'adminPasswordSecretId', error: /not a vaultsecret OCID/ },
  { task: 'OracleDbProvision', why: 'line break in the admin password', inputs: { adminPassword: `${PASSWORD}\nsecond` }, input: 'adminPassword', error: /line break/, secret: PASSWORD },
  { task: 'OracleDbProvision', why: 'double quote in the admin password', inputs: { adminPassword: 'Val1d"Password26' }, input: 'adminPassword', error: /double quote/, secret: 'Val1d"Password26' },
  { task: 'OracleDbProvision', why: 'short wallet password', inputs: { action: 'wallet', walletPassword: 'abc' }, input: 'walletPassword', secret: 'abc' },
  { task: 'OracleDbProvision', why: 'one ECPU', inputs: { computeModel: 'ECPU', computeCount: '1' }, input: 'computeCount', error: /out of range/ },
  { task: 'OracleDbProvision', why: '129 OCPUs', inputs: { computeModel: 'OCPU', computeCount: '129' }, input: 'computeCount', error: /out of range/ },
  { task: 'OracleDbProvision', why: 'compute model vCPU', inputs: { computeModel: 'vCPU' }, input: 'computeModel', error: /not one of the allowed values/ },
  { task: 'OracleDbProvision', why: 'slash in the display name', inputs: { displayName: 'orders/prod' }, input: 'displayName' },
  { task: 'OracleDbProvision', why: 'display name of 256 characters', inputs: { displayName: 'o'.repeat(256) }, input: 'displayName' },
  { task: 'OracleDbProvision', why: 'hyphen in the db name', inputs: { dbName: 'orders-prod' }, input: 'dbName' },
  { task: 'OracleDbProvision', why: 'CIDR /33', inputs: { whitelistedIps: '10.0.0.0/33' }, input: 'whitelistedIps' },
  { task: 'OracleDbProvision', why: 'subnet OCID in the ACL', inputs: { whitelistedIps: `ocid1.subnet.oc1.eu-frankfurt-1.${U}` }, input: 'whitelistedIps' },
  { task: 'OracleDbProvision', why: 'TLS without ACL', inputs: { isMtlsConnectionRequired: 'false' }, input: 'isMtlsConnectionRequired' },
  { task: 'OracleDbProvision', why: 'action create', inputs: { action: 'create' }, input: 'action', error: /not one of the allowed values/ },
  { task: 'OracleDbProvision', why: 'target terraform', inputs: { target: 'terraform' }, input: 'target', error: /not one of the allowed values/ },
  { task: 'OracleDbProvision', why: 'connection profile fast', inputs: { connectionProfile: 'fast' }, input: 'connectionProfile', error: /not one of the allowed values/ },
  { task: 'OracleDbProvision', why: 'zero wait timeout', inputs: { waitTimeoutMinutes: '0' }, input: 'waitTimeoutMinutes', error: /out of range/ },
  { task: 'OracleDbProvision', why: 'y as isFreeTier', inputs: { isFreeTier: 'y' }, input: 'isFreeTier', error: /not a boolean/ },
  { task: 'OracleDbProvision', why: 'storage above 384 TB', inputs: { dataStorageSizeInTBs: '385' }, input: 'dataStorageSizeInTBs', error: /out of range/ },
  { task: 'OracleDbProvision', why: 'OCI key with the wrong passphrase', inputs: {}, endpoints: withOci({ privateKey: encryptedKey('right-passphrase'), passphrase: 'wrong-passphrase' }), input: 'ociConnection', error: /passphrase does not decrypt/, secret: 'wrong-passphrase' },
  { task: 'OracleDbProvision', why: 'OCI connection of another scheme', inputs: {}, endpoints: { oci: { ...oci(), scheme: 'Certificate' } }, input: 'ociConnection', error: /scheme 'Certificate'/ },
  { task: 'OracleDbProvision', why: 'operator with a service-account connection missing its token', inputs: { target: 'operator', kubernetesServiceConnection: 'aks' }, endpoints: { aks: { url: 'https://127.0.0.1:{L}', scheme: 'Token', auth: {}, data: { authorizationType: 'ServiceAccount' } } }, input: 'kubernetesServiceConnection', error: /lacks the server URL or the service account token/ },
  { task: 'OracleDbProvision', why: 'operator in an upper-case namespace', inputs: { target: 'operator', kubernetesServiceConnection: 'aks', namespace: 'DB' }, endpoints: { aks: kubeconfig() }, input: 'namespace' },
];
