import { TaskError } from '../../common/errors';
import {
  KEY_VAULT_MAX_VALUE,
  WALLET_FILE_CONTENT_TYPE,
  WALLET_INDEX_SUFFIX,
  currentWalletIndex,
  plainNeedsWrite,
  walletFileNeedsWrite,
  walletFileSecretName,
  walletFileTags,
  walletIndexItem,
} from './items';
import type { SecretVault, VaultSecret } from './key-vault';

export interface PublishedSecret {
  name: string;
  version?: string;
  changed: boolean;
  /** The wallet file this secret holds (base64), for the wallet's secrets. */
  file?: string;
}

export interface WalletToKeyVault {
  vault: SecretVault;
  prefix: string;
  dbId: string;
  identity: string;
  /** The wallet's files, base64 and already registered as secrets; downloads the wallet on first call. */
  files(): Promise<[string, string][]>;
  /** Registers a value read back from the vault as a secret before it can reach any output. */
  register(value: string): void;
}

/**
 * The wallet as one Key Vault secret per file, plus an index secret (`<prefix>-wallet-files`: file → secret name)
 * tagged with the wallet's identity. When the index and every file secret it names carry the current identity,
 * nothing is downloaded or written; otherwise the wallet is fetched and only the secrets that differ get a new
 * version. Every file is checked against the 25 KB limit before anything is written, so a too-large wallet leaves
 * the vault as it was.
 */
export async function publishWalletToKeyVault(w: WalletToKeyVault): Promise<PublishedSecret[]> {
  const indexName = `${w.prefix}-${WALLET_INDEX_SUFFIX}`;
  const index = await w.vault.current(indexName);
  const known = currentWalletIndex(index, w.dbId, w.identity);
  const seen = new Map<string, VaultSecret | undefined>();
  const read = async (name: string): Promise<VaultSecret | undefined> => {
    if (!seen.has(name)) {
      const have = await w.vault.current(name);
      if (have?.value) w.register(have.value);
      seen.set(name, have);
    }
    return seen.get(name);
  };
  if (known) {
    const current = await Promise.all(
      Object.entries(known).map(async ([file, name]) => ({ file, name, have: await read(name) })),
    );
    if (current.every((c) => c.name === walletFileSecretName(w.prefix, c.file)))
      if (current.every((c) => !walletFileNeedsWrite(c.have, w.dbId, w.identity, c.file)))
        return [
          ...current.map((c) => ({ name: c.name, version: c.have?.version, changed: false, file: c.file })),
          { name: indexName, version: index?.version, changed: false },
        ];
  }

  const files = await w.files();
  const names = Object.fromEntries(files.map(([file]) => [file, walletFileSecretName(w.prefix, file)]));
  for (const [file, b64] of files) {
    if (b64.length > KEY_VAULT_MAX_VALUE)
      throw new TaskError(
        `The wallet file ${file} of ${w.dbId} is ${b64.length} characters in base64, above Key Vault's limit ` +
          `of ${KEY_VAULT_MAX_VALUE} for a secret value; nothing was written.`,
        'Publish the wallet with publishToKubernetes instead (a Kubernetes Secret holds up to 1 MiB), ' +
          'or take it from the walletPath output of the wallet action.',
      );
    if (names[file].length > 127)
      throw new TaskError(
        `The Key Vault secret name for wallet file ${file} would be ${names[file].length} characters, ` +
          "above Key Vault's 127.",
        'Set a shorter keyVaultSecretPrefix.',
      );
  }
  const out: PublishedSecret[] = [];
  for (const [file, b64] of files) {
    const name = names[file];
    const have = await read(name);
    if (walletFileNeedsWrite(have, w.dbId, w.identity, file)) {
      const tags = walletFileTags(w.dbId, w.identity, file);
      const version = await w.vault.write(name, b64, WALLET_FILE_CONTENT_TYPE, tags);
      out.push({ name, version, changed: true, file });
    } else out.push({ name, version: have?.version, changed: false, file });
  }
  const item = walletIndexItem(w.dbId, w.identity, names);
  if (plainNeedsWrite(index, item))
    out.push({
      name: indexName,
      version: await w.vault.write(indexName, item.value, item.contentType, item.tags),
      changed: true,
    });
  else out.push({ name: indexName, version: index?.version, changed: false });
  return out;
}
