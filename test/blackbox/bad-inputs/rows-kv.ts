import { KEY, azureRm, oci } from '../fixtures';
import { BIG, KEY_IAD, Row, U, VAULT_IAD, encryptedKey } from './base';

const withOci = (overrides: Record<string, string>, scheme?: string, data?: Record<string, string>): Row['endpoints'] => {
  const ep = oci(overrides);
  return { azure: azureRm(), oci: { ...ep, scheme: scheme ?? ep.scheme, data } };
};
const withAzure = (patch: (ep: ReturnType<typeof azureRm>) => ReturnType<typeof azureRm>): Row['endpoints'] => ({ azure: patch(azureRm()), oci: oci() });

/** KeyVaultToOci: OCIDs copied from the OCI console in every shape, vault names, both connections. */
export const KV_ROWS: Row[] = [
  { task: 'KeyVaultToOci', why: 'bad vault name', inputs: { keyVaultName: 'kv_with_underscores' }, input: 'keyVaultName', error: /input 'keyVaultName'/ },
  { task: 'KeyVaultToOci', why: 'vault name too short', inputs: { keyVaultName: 'kv' }, input: 'keyVaultName', error: /input 'keyVaultName'/ },
  { task: 'KeyVaultToOci', why: 'vault OCID of the wrong kind', inputs: { vaultId: KEY }, input: 'vaultId', error: /input 'vaultId'/ },
  { task: 'KeyVaultToOci', why: 'not an OCID', inputs: { keyId: 'my-key' }, input: 'keyId', error: /input 'keyId'/ },
  { task: 'KeyVaultToOci', why: 'compartment not an OCID', inputs: { compartmentId: 'prod' }, input: 'compartmentId', error: /input 'compartmentId'/ },
  { task: 'KeyVaultToOci', why: 'glob in a mapping', inputs: { secrets: 'db-* => db' }, input: 'secrets', error: /input 'secrets'.*no globs/ },
  { task: 'KeyVaultToOci', why: 'two names onto one OCI secret', inputs: { secrets: 'a => x\nb => x' }, input: 'secrets', error: /input 'secrets'.*both map/ },
  { task: 'KeyVaultToOci', why: 'bad characters in selection', inputs: { secrets: 'db/password' }, input: 'secrets', error: /input 'secrets'/ },
  { task: 'KeyVaultToOci', why: 'OCI fingerprint malformed', inputs: {}, endpoints: { azure: azureRm(), oci: oci({ fingerprint: 'nope' }) }, input: 'ociConnection', error: /input 'ociConnection'.*fingerprint/ },
  { task: 'KeyVaultToOci', why: 'OCI key not PEM', inputs: {}, endpoints: { azure: azureRm(), oci: oci({ privateKey: 'not-a-key' }) }, input: 'ociConnection', error: /input 'ociConnection'.*not a PEM private key/ },
  { task: 'KeyVaultToOci', why: 'Azure tenant not a GUID', inputs: {}, endpoints: { azure: { ...azureRm(), auth: { ...azureRm().auth, tenantid: 'contoso' } }, oci: oci() }, input: 'azureSubscription', error: /input 'azureSubscription'.*not a GUID/ },
  { task: 'KeyVaultToOci', why: 'vault in another region than the connection', inputs: { vaultId: VAULT_IAD }, input: 'vaultId', error: /is in us-ashburn-1, but the OCI connection of 'ociConnection' is in eu-frankfurt-1/ },
  { task: 'KeyVaultToOci', why: 'key in another region than the connection', inputs: { keyId: KEY_IAD }, input: 'keyId', error: /is in us-ashburn-1/ },
  { task: 'KeyVaultToOci', why: 'vault in another realm', inputs: { vaultId: `ocid1.vault.oc2.us-langley-1.${U}` }, input: 'vaultId', error: /realm oc2/ },
  { task: 'KeyVaultToOci', why: 'compartment in another realm', inputs: { compartmentId: `ocid1.compartment.oc3..${U}` }, input: 'compartmentId', error: /realm oc3/ },
  { task: 'KeyVaultToOci', why: 'vault OCID without region', inputs: { vaultId: `ocid1.vault.oc1..${U}` }, input: 'vaultId', error: /has no region/ },
  { task: 'KeyVaultToOci', why: 'upper-case OCID', inputs: { vaultId: `OCID1.VAULT.OC1.FRA.${U}` }, input: 'vaultId', error: /not an OCID/ },
  { task: 'KeyVaultToOci', why: 'key OCID is a vault OCID', inputs: { keyId: `ocid1.vault.oc1.fra.${U}` }, input: 'keyId', error: /not a key OCID: it is a vault OCID/ },
  { task: 'KeyVaultToOci', why: 'compartment is a vault', inputs: { compartmentId: `ocid1.vault.oc1.fra.${U}` }, input: 'compartmentId', error: /not a compartment or tenancy OCID/ },
  { task: 'KeyVaultToOci', why: 'OCID with a trailing dot', inputs: { vaultId: `ocid1.vault.oc1.fra.${U}.` }, input: 'vaultId' },
  { task: 'KeyVaultToOci', why: 'vault name ending with a hyphen', inputs: { keyVaultName: 'shop-kv-' }, input: 'keyVaultName' },
  { task: 'KeyVaultToOci', why: 'vault name of 25 characters', inputs: { keyVaultName: 'k'.repeat(25) }, input: 'keyVaultName' },
  { task: 'KeyVaultToOci', why: 'double hyphen in the vault name', inputs: { keyVaultName: 'shop--kv' }, input: 'keyVaultName' },
  { task: 'KeyVaultToOci', why: 'vault URL instead of name', inputs: { keyVaultName: 'https://shop-kv.vault.azure.net' }, input: 'keyVaultName' },
  { task: 'KeyVaultToOci', why: 'mapping with two arrows', inputs: { secrets: 'a => b => c' }, input: 'secrets' },
  { task: 'KeyVaultToOci', why: 'maybe as dryRun', inputs: { dryRun: 'maybe' }, input: 'dryRun', error: /not a boolean/ },
  { task: 'KeyVaultToOci', why: 'zero timeout', inputs: { timeoutMinutes: '0' }, input: 'timeoutMinutes', error: /out of range/ },
  { task: 'KeyVaultToOci', why: '120 KiB selection', inputs: { secrets: BIG }, input: 'secrets', error: /KiB long/ },
  { task: 'KeyVaultToOci', why: 'OCI connection with a token scheme', inputs: {}, endpoints: withOci({}, 'Token'), input: 'ociConnection', error: /scheme 'Token'/ },
  { task: 'KeyVaultToOci', why: 'OCI connection with no scheme', inputs: {}, endpoints: withOci({}, 'None'), input: 'ociConnection', error: /scheme 'None'/ },
  { task: 'KeyVaultToOci', why: 'encrypted key, wrong passphrase', inputs: {}, endpoints: withOci({ privateKey: encryptedKey('right-passphrase'), passphrase: 'wrong-passphrase' }), input: 'ociConnection', error: /passphrase does not decrypt/, secret: 'wrong-passphrase' },
  { task: 'KeyVaultToOci', why: 'encrypted key, no passphrase', inputs: {}, endpoints: withOci({ privateKey: encryptedKey('right-passphrase') }), input: 'ociConnection', error: /no passphrase/ },
  { task: 'KeyVaultToOci', why: 'region as a city name', inputs: {}, endpoints: withOci({ region: 'Frankfurt' }), input: 'ociConnection', error: /region 'Frankfurt'/ },
  { task: 'KeyVaultToOci', why: 'region without its number', inputs: {}, endpoints: withOci({ region: 'eu-frankfurt' }), input: 'ociConnection', error: /region 'eu-frankfurt'/ },
  { task: 'KeyVaultToOci', why: 'tenancy is a compartment OCID', inputs: {}, endpoints: withOci({ tenancy: `ocid1.compartment.oc1..${U}` }), input: 'ociConnection', error: /not a tenancy OCID/ },
  { task: 'KeyVaultToOci', why: 'user as an e-mail address', inputs: {}, endpoints: withOci({ user: 'admin@example.com' }), input: 'ociConnection', error: /user 'admin@example\.com'/ },
  { task: 'KeyVaultToOci', why: 'API endpoint over http', inputs: {}, endpoints: withOci({}, undefined, { apiEndpoint: 'http://127.0.0.1:{L}' }), input: 'ociConnection', error: /not an https URL/ },
  { task: 'KeyVaultToOci', why: 'API endpoint port 99999', inputs: {}, endpoints: withOci({}, undefined, { apiEndpoint: 'https://127.0.0.1:99999' }), input: 'ociConnection', error: /port 99999/ },
  { task: 'KeyVaultToOci', why: 'API endpoint with credentials', inputs: {}, endpoints: withOci({}, undefined, { apiEndpoint: 'https://ci:hunter2@127.0.0.1:{L}' }), input: 'ociConnection', secret: 'hunter2' },
  { task: 'KeyVaultToOci', why: 'AzureRM publish-profile connection', inputs: {}, endpoints: withAzure((ep) => ({ ...ep, scheme: 'PublishProfile' })), input: 'azureSubscription', error: /unsupported scheme/ },
  { task: 'KeyVaultToOci', why: 'service principal without key', inputs: {}, endpoints: withAzure((ep) => ({ ...ep, auth: { ...ep.auth, serviceprincipalkey: '' } })), input: 'azureSubscription', error: /no service principal key/ },
  { task: 'KeyVaultToOci', why: 'client id not a GUID', inputs: {}, endpoints: withAzure((ep) => ({ ...ep, auth: { ...ep.auth, serviceprincipalid: 'shop-deployer' } })), input: 'azureSubscription', error: /not a GUID/ },
  { task: 'KeyVaultToOci', why: 'Key Vault DNS suffix with spaces', inputs: {}, endpoints: withAzure((ep) => ({ ...ep, data: { ...ep.data, AzureKeyVaultDnsSuffix: 'vault azure net' } })), input: 'azureSubscription', error: /DNS suffix/ },
];
