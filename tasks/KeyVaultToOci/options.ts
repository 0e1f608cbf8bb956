import { AzureRmConnection, readAzureRmConnection } from '../common/connections/azure-rm';
import { OciConnection, readOciConnection } from '../common/connections/oci';
import { readOcid } from '../common/ocid';
import { TaskHost } from '../common/host';
import { InputReader } from '../common/inputs';
import { KEY_VAULT_NAME, keyVaultUrl } from '../common/connections/key-vault';
import { OnSourceRemoved } from './removed';
import { SelectionRule, parseSelection } from './selection';

export interface KeyVaultToOciOptions {
  azure?: AzureRmConnection;
  keyVaultName: string;
  /** https://{name}.{dns suffix of the connection's cloud}, e.g. https://kv-shop.vault.azure.net */
  keyVaultUrl: string;
  selection: SelectionRule[];
  oci?: OciConnection;
  compartmentId: string;
  vaultId: string;
  keyId: string;
  dryRun: boolean;
  exportVariables: boolean;
  restorePendingDeletion: boolean;
  /** What happens to OCI secrets this task created whose Key Vault source is deleted or disabled. */
  onSourceRemoved: OnSourceRemoved;
  /** Carry Key Vault tags, content type and expiry to the OCI secrets this task creates. */
  copyMetadata: boolean;
  timeoutMinutes: number;
}

export function readKeyVaultToOciOptions(inputs: InputReader, host: TaskHost): KeyVaultToOciOptions {
  // Required, with no default: a whole vault is never pushed to OCI unless someone wrote '*'.
  const secretsText = inputs.raw('secrets');
  const selection = parseSelection(secretsText ?? '');
  if (secretsText === undefined)
    inputs.problem(
      'secrets',
      'is required: no secret is selected.',
      "List the secrets to sync: names, a glob such as db-*, lines 'kv-name => oci-name', or '*' for the whole vault.",
    );
  else if (!selection.ok)
    inputs.problem(
      'secrets',
      `${selection.error}.`,
      "Use '*', a glob such as db-*, a comma list, or lines 'kv-name => oci-name'.",
    );
  const oci = readOciConnection(inputs, host.endpoints, 'ociConnection');
  // Vault and key are regional: they must be in the connection's region, or every call would 404.
  const where = { connectionRegion: oci?.region, connectionInput: 'ociConnection' };
  const keyVaultName = inputs.string('keyVaultName', {
    pattern: KEY_VAULT_NAME,
    expected: 'a Key Vault name: 3-24 letters, digits and single hyphens, starting with a letter',
  });
  return {
    azure: readAzureRmConnection(inputs, host.endpoints, 'azureSubscription'),
    keyVaultName,
    keyVaultUrl: keyVaultUrl(inputs, host, keyVaultName, 'azureSubscription'),
    selection: selection.ok ? selection.value : [],
    oci,
    compartmentId: readOcid(inputs, 'compartmentId', {
      types: ['compartment', 'tenancy'],
      example: 'ocid1.compartment.oc1..aaaa…',
      ...where,
    }),
    vaultId: readOcid(inputs, 'vaultId', {
      types: ['vault'],
      regional: true,
      example: 'ocid1.vault.oc1.eu-frankfurt-1.aaaa…',
      ...where,
    }),
    keyId: readOcid(inputs, 'keyId', {
      types: ['key'],
      regional: true,
      example: 'ocid1.key.oc1.eu-frankfurt-1.aaaa…',
      ...where,
    }),
    dryRun: inputs.boolean('dryRun'),
    exportVariables: inputs.boolean('exportVariables'),
    restorePendingDeletion: inputs.boolean('restorePendingDeletion'),
    onSourceRemoved: inputs.pick<OnSourceRemoved>('onSourceRemoved'),
    copyMetadata: inputs.boolean('copyMetadata'),
    timeoutMinutes: inputs.number('timeoutMinutes', { min: 1, max: 1440, integer: true }),
  };
}
