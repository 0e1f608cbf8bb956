/**
 * A Key Vault key named the way people copy it:
 * - cosign's KMS URI, `azurekms://<vault-host>/<key-name>[/<version>]` (sigstore/sigstore
 *   pkg/signature/kms/azure/client.go: `^azurekms://([^/]+)/([^/]+)(/[a-z0-9]*)?$`, the vault URL being
 *   `https://<vault-host>/`);
 * - the key identifier Key Vault itself shows (portal "Key Identifier", `az keyvault key show` kid):
 *   `https://<vault-host>/keys/<key-name>[/<version>]`.
 * The vault host is `<vault>.<suffix>` with the suffix of a public or sovereign cloud (or Managed HSM), or the
 * suffix the AzureRM connection carries (AzureKeyVaultDnsSuffix: Azure Stack Hub).
 */
export interface KeyVaultKeyRef {
  /** https://<vault-host> (no trailing slash): what KeyClient takes. */
  vaultUrl: string;
  vaultHost: string;
  /** The DNS suffix after the vault name, e.g. vault.azure.net. */
  suffix: string;
  name: string;
  /** 32 hex digits; undefined: the key's current version. */
  version?: string;
}

/** Key Vault and Managed HSM DNS suffixes of Azure's clouds (az cloud show: suffixes.keyvaultDns, mhsmDns). */
export const KEY_VAULT_SUFFIXES = [
  'vault.azure.net',
  'vault.azure.cn',
  'vault.usgovcloudapi.net',
  'vault.microsoftazure.de',
  'managedhsm.azure.net',
  'managedhsm.azure.cn',
  'managedhsm.usgovcloudapi.net',
];

/** Vault names: 3-24 letters, digits and single hyphens, starting with a letter (Managed HSM: the same rule). */
const VAULT_NAME = /^(?=.{3,24}$)[a-z](?:-?[a-z0-9])*$/;
/** Key names: 1-127 letters, digits and hyphens (Key Vault object names). */
const KEY_NAME = /^[0-9a-zA-Z-]{1,127}$/;
/** Versions are 32 hex digits as Key Vault mints them. */
const VERSION = /^[0-9a-f]{32}$/i;

export type Parsed = { ok: true; value: KeyVaultKeyRef } | { ok: false; error: string };

export function parseKeyVaultKeyRef(text: string, extraSuffixes: string[] = []): Parsed {
  const value = text.trim();
  const fail = (error: string): Parsed => ({ ok: false, error });
  let host: string;
  let parts: string[];
  const kms = /^azurekms:\/\/(.*)$/i.exec(value);
  if (kms) {
    const [h, ...rest] = kms[1].replace(/\/+$/, '').split('/');
    host = h;
    parts = rest;
    if (parts.length < 1 || parts.length > 2 || !parts[0])
      return fail('an azurekms:// URI is azurekms://<vault>.vault.azure.net/<key-name>[/<version>]');
  } else if (/^https:\/\//i.test(value)) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return fail('it is not a URL');
    }
    if (url.search || url.hash || url.username || url.password || url.port)
      return fail('a key identifier has no query, fragment, credentials or port');
    host = url.hostname;
    const segments = url.pathname.replace(/\/+$/, '').split('/').slice(1);
    if (segments[0] !== 'keys' || segments.length < 2 || segments.length > 3)
      return fail(
        segments[0] === 'secrets' || segments[0] === 'certificates'
          ? `it names a ${segments[0].slice(0, -1)}, not a key: use the key identifier (…/keys/<name>)`
          : 'a key identifier is https://<vault>.vault.azure.net/keys/<key-name>[/<version>]',
      );
    parts = segments.slice(1);
  } else {
    return fail(
      'write azurekms://<vault>.vault.azure.net/<key-name> or https://<vault>.vault.azure.net/keys/<key-name>',
    );
  }
  host = host.toLowerCase();
  const suffixes = [...KEY_VAULT_SUFFIXES, ...extraSuffixes.map((s) => s.toLowerCase().replace(/^\.+/, ''))];
  const suffix = suffixes.find((s) => host.endsWith(`.${s}`));
  if (!suffix)
    return fail(
      `'${host.slice(0, 100)}' is not a Key Vault host (<vault>.vault.azure.net, .vault.azure.cn, ` +
        '.vault.usgovcloudapi.net, or a Managed HSM)',
    );
  const vault = host.slice(0, -suffix.length - 1);
  if (!VAULT_NAME.test(vault))
    return fail(
      `'${vault.slice(0, 100)}' is not a vault name (3-24 letters, digits and hyphens, starting with a letter)`,
    );
  const [name, version] = parts;
  if (!KEY_NAME.test(name))
    return fail(`'${name.slice(0, 130)}' is not a key name (1-127 letters, digits and hyphens)`);
  if (version !== undefined && !VERSION.test(version))
    return fail(`'${version.slice(0, 100)}' is not a key version (32 hex digits)`);
  return {
    ok: true,
    value: {
      vaultUrl: `https://${host}`,
      vaultHost: host,
      suffix,
      name,
      version: version?.toLowerCase(),
    },
  };
}

/** The key's URL as Key Vault writes it (kid), without a version when none is pinned. */
export function keyUrl(ref: KeyVaultKeyRef, version = ref.version): string {
  return `${ref.vaultUrl}/keys/${ref.name}${version ? `/${version}` : ''}`;
}
