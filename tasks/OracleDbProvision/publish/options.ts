import { AzureRmConnection, readAzureRmConnection } from '../../common/connections/azure-rm';
import { KEY_VAULT_NAME, keyVaultUrl } from '../../common/connections/key-vault';
import { TaskHost } from '../../common/host';
import { InputReader } from '../../common/inputs';
import type { DbAction } from '../options';

/** Where the database's credentials are delivered for the microservices (publishToKeyVault / publishToKubernetes). */
export interface PublishOptions {
  keyVault?: {
    azure?: AzureRmConnection;
    vaultName: string;
    /** https://{name}.{the connection's Key Vault DNS suffix} */
    vaultUrl: string;
    /** Secret names are `<prefix>-wallet-<file>` (one per wallet file), `<prefix>-connection-string`, … */
    prefix: string;
  };
  kubernetesSecret?: { namespace: string; name: string };
}

/** The actions after which a database exists to publish (delete leaves nothing, the others change no credentials). */
export const PUBLISH_ACTIONS: DbAction[] = ['ensure', 'clone', 'restore', 'wallet'];

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/**
 * Key Vault secret names are 1-127 letters, digits and hyphens; the longest suffix we add is 23 characters
 * (`-wallet-ojdbc-properties`); a longer wallet file name is refused when publishing.
 */
const PREFIX = /^[a-zA-Z0-9-]{1,100}$/;

/**
 * The publish inputs, every problem named. Inputs of a switched-off destination that were set anyway are
 * refused (the user expects them to take effect), as are the switches for actions that publish nothing.
 */
export function readPublishOptions(
  inputs: InputReader,
  host: TaskHost,
  action: DbAction,
  defaultPrefix: string,
): PublishOptions | undefined {
  const toKeyVault = inputs.boolean('publishToKeyVault');
  const toKubernetes = inputs.boolean('publishToKubernetes');
  const only = (flag: string, names: string[], on: boolean): void => {
    if (on) return;
    for (const name of names)
      if (inputs.raw(name) !== undefined)
        inputs.problem(
          name,
          `is set, but ${flag} is false, so nothing would use it.`,
          `Set ${flag}: true, or remove ${name}.`,
        );
  };
  only('publishToKeyVault', ['azureSubscription', 'keyVaultName', 'keyVaultSecretPrefix'], toKeyVault);
  only('publishToKubernetes', ['kubernetesSecret'], toKubernetes);
  if (!toKeyVault && !toKubernetes) return undefined;
  if (!PUBLISH_ACTIONS.includes(action)) {
    inputs.problem(
      toKeyVault ? 'publishToKeyVault' : 'publishToKubernetes',
      `is true, but action '${action}' leaves no database credentials to publish.`,
      `Publish from a step whose action is ${PUBLISH_ACTIONS.join(', ')}.`,
    );
    return undefined;
  }
  const out: PublishOptions = {};
  if (toKeyVault) {
    const vaultName = inputs.string('keyVaultName', {
      pattern: KEY_VAULT_NAME,
      expected: 'a Key Vault name: 3-24 letters, digits and single hyphens, starting with a letter',
    });
    out.keyVault = {
      azure: readAzureRmConnection(inputs, host.endpoints, 'azureSubscription'),
      vaultName,
      vaultUrl: keyVaultUrl(inputs, host, vaultName, 'azureSubscription'),
      prefix:
        inputs.optionalString('keyVaultSecretPrefix', {
          pattern: PREFIX,
          expected: 'letters, digits and hyphens (at most 100), e.g. orders-db',
        }) ?? defaultPrefix,
    };
  }
  if (toKubernetes) {
    const ref = inputs.string('kubernetesSecret', {
      pattern: (v) => {
        const [ns, name, extra] = v.split('/');
        return extra === undefined && DNS_LABEL.test(ns ?? '') && ns.length <= 63 && DNS_SUBDOMAIN.test(name ?? '');
      },
      expected: 'namespace/name of the Secret, e.g. shop/orders-db-credentials',
    });
    const [namespace, name] = ref.split('/');
    out.kubernetesSecret = { namespace: namespace ?? '', name: name ?? '' };
  }
  return out;
}
