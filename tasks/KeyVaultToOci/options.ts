import { AzureRmConnection, readAzureRmConnection } from '../common/connections/azure-rm';
import { OCID, OciConnection, readOciConnection } from '../common/connections/oci';
import { TaskHost } from '../common/host';
import { InputReader } from '../common/inputs';
import { SelectionRule, parseSelection } from './selection';

export interface KeyVaultToOciOptions {
  azure?: AzureRmConnection;
  keyVaultName: string;
  selection: SelectionRule[];
  oci?: OciConnection;
  compartmentId: string;
  vaultId: string;
  keyId: string;
  dryRun: boolean;
  exportVariables: boolean;
  restorePendingDeletion: boolean;
  timeoutMinutes: number;
}

/** Key Vault names: 3-24 letters, digits and single hyphens, starting with a letter. */
const KEY_VAULT_NAME = /^(?=.{3,24}$)[a-zA-Z](?:-?[a-zA-Z0-9])*$/;

export function readKeyVaultToOciOptions(inputs: InputReader, host: TaskHost): KeyVaultToOciOptions {
  const selection = parseSelection(inputs.raw('secrets') ?? '');
  if (!selection.ok) inputs.problem('secrets', `${selection.error}.`, "Use '*', a glob such as db-*, a comma list, or lines 'kv-name => oci-name'.");
  const ocid = (name: string, kind: string, example: string): string =>
    inputs.string(name, { pattern: OCID(kind), expected: `an OCID such as ${example}` });
  return {
    azure: readAzureRmConnection(inputs, host.endpoints, 'azureSubscription'),
    keyVaultName: inputs.string('keyVaultName', { pattern: KEY_VAULT_NAME, expected: 'a Key Vault name: 3-24 letters, digits and single hyphens, starting with a letter' }),
    selection: selection.ok ? selection.value : [],
    oci: readOciConnection(inputs, host.endpoints, 'ociConnection'),
    compartmentId: ocid('compartmentId', '(compartment|tenancy)', 'ocid1.compartment.oc1..aaaa…'),
    vaultId: ocid('vaultId', 'vault', 'ocid1.vault.oc1.eu-frankfurt-1.aaaa…'),
    keyId: ocid('keyId', 'key', 'ocid1.key.oc1.eu-frankfurt-1.aaaa…'),
    dryRun: inputs.boolean('dryRun'),
    exportVariables: inputs.boolean('exportVariables'),
    restorePendingDeletion: inputs.boolean('restorePendingDeletion'),
    timeoutMinutes: inputs.number('timeoutMinutes', { min: 1, max: 1440, integer: true }),
  };
}
