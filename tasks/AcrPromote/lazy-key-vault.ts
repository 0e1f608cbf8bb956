import { AzureRmConnection, createAzureCredential } from '../common/connections/azure-rm';
import { keyVaultClientOptions } from '../common/connections/key-vault-client';
import { TaskError, errorMessage } from '../common/errors';
import { TaskContext } from '../common/runner';
import { KeyVaultKeyRef, keyUrl } from './verify/key-vault-ref';
import { VaultVerifyKey, vaultVerifyKey } from './verify/key-vault-key';
import { untrusted } from './verify/signature';

/**
 * The cosign public key of a Key Vault key, read with @azure/keyvault-keys (GetKey: GET /keys/{name}/{version})
 * through the AzureRM connection's identity and the extension's Key Vault client options. Bundled apart
 * (scripts/build.ts): only verification with a vault key loads the SDK.
 */
export async function readVaultVerifyKey(
  ctx: TaskContext,
  azure: AzureRmConnection,
  ref: KeyVaultKeyRef,
): Promise<VaultVerifyKey> {
  const [{ KeyClient }, credential, options] = await Promise.all([
    import('@azure/keyvault-keys'),
    createAzureCredential(azure, ctx.host, ctx.network),
    keyVaultClientOptions({ network: ctx.network, task: 'AcrPromote' }),
  ]);
  const client = new KeyClient(ref.vaultUrl, credential, options);
  const where = `Key Vault key ${keyUrl(ref)} (input 'cosignKeyVaultKey')`;
  const through = `Azure service connection '${azure.connectionId}' (input 'azureSubscription')`;
  let bundle;
  try {
    bundle = await client.getKey(ref.name, { version: ref.version, abortSignal: ctx.signal });
  } catch (err) {
    throw getKeyError(err, where, through);
  }
  const kid = versionedKid(ref, bundle.key?.kid ?? bundle.id, bundle.properties.version);
  const key = vaultVerifyKey({
    id: kid,
    kty: bundle.key?.kty ?? bundle.keyType,
    crv: bundle.key?.crv,
    keyOps: bundle.key?.keyOps ?? bundle.keyOperations,
    n: bundle.key?.n,
    e: bundle.key?.e,
    x: bundle.key?.x,
    y: bundle.key?.y,
    enabled: bundle.properties.enabled,
    notBefore: bundle.properties.notBefore,
    expiresOn: bundle.properties.expiresOn,
  });
  if (typeof key === 'string')
    throw new TaskError(
      `Key Vault key ${kid} (input 'cosignKeyVaultKey') cannot verify cosign signatures: ${key}. ` +
        'Nothing was copied.',
      'Use an enabled, unexpired EC (P-256) or RSA key whose permitted operations include verify, or pin a ' +
        'version that is, e.g. azurekms://<vault>.vault.azure.net/<key>/<version>.',
    );
  return key;
}

/**
 * The versioned key URL for the record: the service's kid when it is this key's (same vault, same name, a
 * 32-hex version), else built from the reference, so nothing the service says reaches the record unchecked.
 */
function versionedKid(ref: KeyVaultKeyRef, kid: string | undefined, version: string | undefined): string {
  const m = /^https:\/\/([^/]+)\/keys\/([^/]+)\/([0-9a-f]{32})$/i.exec(kid ?? '');
  if (m && m[1].toLowerCase() === ref.vaultHost && m[2].toLowerCase() === ref.name.toLowerCase())
    return keyUrl(ref, m[3].toLowerCase());
  return keyUrl(ref, version && /^[0-9a-f]{32}$/i.test(version) ? version.toLowerCase() : ref.version);
}

/** SDK and identity errors as messages naming the key, the connection and the fix; nothing from a body beyond line 1. */
function getKeyError(err: unknown, where: string, through: string): Error {
  if (err instanceof TaskError || (err as { name?: string }).name === 'AbortError') return err as Error;
  const e = err as { statusCode?: number; code?: string; name?: string };
  const first = untrusted(errorMessage(err).split(/\r?\n/)[0]);
  if (e.statusCode === 404)
    return new TaskError(
      `Reading ${where} through ${through} failed: the key was not found (${e.code ?? '404'}: ${first}).`,
      "Check the key's name and version in 'cosignKeyVaultKey', and that the vault is the one the key is in.",
    );
  if (e.statusCode === 403)
    return new TaskError(
      `Reading ${where} through ${through} failed: access denied (${e.code ?? '403'}: ${first}).`,
      "Grant the connection's identity the 'Key Vault Crypto User' role on the key or vault (or an access policy " +
        "with key 'get' permission).",
    );
  if (e.name === 'AuthenticationError' || e.name === 'CredentialUnavailableError')
    return new TaskError(
      `Reading ${where}: signing in to Microsoft Entra ID with ${through} failed: ${first}`,
      'Check the Azure service connection (tenant, client id, secret, certificate or federated credential).',
    );
  return new TaskError(`Reading ${where} through ${through} failed: ${first}`);
}
