import { TaskHost } from '../host';
import { InputReader } from '../inputs';

/** Key Vault names: 3-24 letters, digits and single hyphens, starting with a letter. */
export const KEY_VAULT_NAME = /^(?=.{3,24}$)[a-zA-Z](?:-?[a-zA-Z0-9])*$/;
const DNS_SUFFIX = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i;

/**
 * The vault's URL in the cloud of the AzureRM connection named by `connectionInput` (sovereign clouds and
 * Azure Stack have their own suffix, carried by the connection as AzureKeyVaultDnsSuffix).
 */
export function keyVaultUrl(inputs: InputReader, host: TaskHost, name: string, connectionInput: string): string {
  const id = inputs.raw(connectionInput)?.trim();
  const suffix = ((id && host.endpoints.data(id, 'AzureKeyVaultDnsSuffix')) || 'vault.azure.net')
    .trim()
    .replace(/^\.+/, '');
  if (!DNS_SUFFIX.test(suffix)) {
    inputs.problem(
      connectionInput,
      `service connection '${id}' has the Key Vault DNS suffix '${suffix}', which is not a DNS name.`,
      "Fix the connection's environment (e.g. vault.azure.net).",
    );
  }
  return `https://${name}.${suffix.toLowerCase()}`;
}
