import type { ConnectionProfile, DbState } from '../model';
import type { VaultSecret } from './key-vault';

/**
 * What is published for one database, and when a destination already holds it. Pure: the values come in, the
 * decisions go out, so the change-only rule is table-tested without a vault.
 */
export const MANAGED_BY_TAG = { 'managed-by': 'multicloud-devsecops' };
/** Key Vault refuses a secret value above 25 KB (Azure Key Vault service limits: "Secret value size"). */
export const KEY_VAULT_MAX_VALUE = 25 * 1024;

/** Where the ADMIN password lives (never the password): an OCI Vault secret, or the Secret the operator reads. */
export type AdminPasswordRef =
  | { kind: 'ociVaultSecret'; secretId: string }
  | { kind: 'kubernetesSecret'; namespace: string; name: string; key: string };

export interface PlainItem {
  /** Key Vault name suffix (after `<prefix>-`) and Kubernetes Secret key. */
  suffix: string;
  k8sKey: string;
  value: string;
  contentType: string;
  tags: Record<string, string>;
}

export const WALLET_K8S_KEY = 'wallet.zip';
export const WALLET_IDENTITY_TAG = 'wallet-identity';
/** The tag naming the wallet file a Key Vault secret holds (the CSI driver's objectAlias / ESO's key). */
export const WALLET_FILE_TAG = 'file-name';
export const WALLET_FILE_CONTENT_TYPE = 'application/octet-stream';
/** The index of the wallet's secrets: which file is in which secret, so a run can check them without the zip. */
export const WALLET_INDEX_SUFFIX = 'wallet-files';

/**
 * One Key Vault secret per wallet file, `<prefix>-wallet-<file name, every other character than a letter or digit
 * as a hyphen>` (cwallet.sso → orders-db-wallet-cwallet-sso): a whole wallet zip (20-30 KB, 27-40 KB in base64)
 * is above Key Vault's 25 KB per value, each of its files is far below.
 */
export function walletFileSecretName(prefix: string, file: string): string {
  return `${prefix}-wallet-${file.replace(/[^a-zA-Z0-9]/g, '-')}`;
}

/** The connection strings (all profiles, and the one the task chose) and the password reference. */
export function plainItems(
  db: DbState,
  chosen: ConnectionProfile | undefined,
  ref: AdminPasswordRef | undefined,
): PlainItem[] {
  const tags = { ...MANAGED_BY_TAG, 'adb-id': db.id };
  const all = Object.fromEntries(
    [...db.connectionProfiles]
      .sort(
        (a, b) =>
          a.displayName.localeCompare(b.displayName) ||
          (a.tlsAuthentication ?? '').localeCompare(b.tlsAuthentication ?? ''),
      )
      .map((p) => [p.tlsAuthentication === 'SERVER' ? `${p.displayName}_tls` : p.displayName, p.value]),
  );
  const items: PlainItem[] = [
    {
      suffix: 'connection-strings',
      k8sKey: 'connection-strings.json',
      value: JSON.stringify(all),
      contentType: 'application/json',
      tags,
    },
  ];
  if (chosen)
    items.push({
      suffix: 'connection-string',
      k8sKey: 'connection-string',
      value: chosen.value,
      contentType: 'text/plain',
      tags: { ...tags, profile: chosen.displayName },
    });
  if (ref)
    items.push({
      suffix: 'admin-password-ref',
      k8sKey: 'admin-password-ref.json',
      value: JSON.stringify(ref),
      contentType: 'application/json',
      tags,
    });
  return items;
}

export function walletFileTags(dbId: string, identity: string, file: string): Record<string, string> {
  return {
    ...MANAGED_BY_TAG,
    'adb-id': dbId,
    encoding: 'base64',
    [WALLET_IDENTITY_TAG]: identity,
    [WALLET_FILE_TAG]: file,
  };
}

/** The index secret: file name → secret name, tagged with the wallet identity it describes. */
export function walletIndexItem(dbId: string, identity: string, names: Record<string, string>): PlainItem {
  return {
    suffix: WALLET_INDEX_SUFFIX,
    k8sKey: '',
    value: JSON.stringify(names),
    contentType: 'application/json',
    tags: { ...MANAGED_BY_TAG, 'adb-id': dbId, [WALLET_IDENTITY_TAG]: identity },
  };
}

/** The index a run wrote before, when it describes this wallet identity; undefined when it must be rewritten. */
export function currentWalletIndex(
  have: VaultSecret | undefined,
  dbId: string,
  identity: string,
): Record<string, string> | undefined {
  if (!have?.enabled || !have.value || have.contentType !== 'application/json') return undefined;
  if (!sameTags({ 'adb-id': dbId, [WALLET_IDENTITY_TAG]: identity }, have.tags)) return undefined;
  try {
    const index = JSON.parse(have.value) as unknown;
    if (typeof index !== 'object' || index === null || Array.isArray(index)) return undefined;
    const entries = Object.entries(index as Record<string, unknown>);
    return entries.length > 0 && entries.every(([, v]) => typeof v === 'string')
      ? (index as Record<string, string>)
      : undefined;
  } catch {
    return undefined;
  }
}

const sameTags = (want: Record<string, string>, have: Record<string, string>): boolean =>
  Object.entries(want).every(([k, v]) => have[k] === v);

/** Whether Key Vault needs a new version of a plain item: missing, disabled, or different in value or metadata. */
export function plainNeedsWrite(have: VaultSecret | undefined, want: PlainItem): boolean {
  return (
    !have ||
    !have.enabled ||
    have.value !== want.value ||
    have.contentType !== want.contentType ||
    !sameTags(want.tags, have.tags)
  );
}

/**
 * Whether Key Vault needs a wallet file again. OCI generates different bytes on every download (the keystores are
 * re-encrypted), so bytes cannot be compared: the wallet is identified instead (database + time OCI last rotated
 * it, or the operator's wallet Secret) and a file rewritten only when that identity moved, its metadata differ or
 * the stored value is not base64.
 */
export function walletFileNeedsWrite(
  have: VaultSecret | undefined,
  dbId: string,
  identity: string,
  file: string,
): boolean {
  return (
    !have ||
    !have.enabled ||
    have.contentType !== WALLET_FILE_CONTENT_TYPE ||
    !sameTags(walletFileTags(dbId, identity, file), have.tags) ||
    !isBase64(have.value)
  );
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
export function isBase64(value: string | undefined): boolean {
  return value !== undefined && BASE64.test(value);
}

export function isZipBase64(value: string | undefined): boolean {
  if (!value) return false;
  const head = Buffer.from(value.slice(0, 8), 'base64');
  return head.length >= 4 && head.readUInt32LE(0) === 0x04034b50;
}
