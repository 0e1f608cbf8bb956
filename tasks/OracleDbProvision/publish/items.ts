import type { ConnectionProfile, DbState } from '../model';
import type { VaultSecret } from './key-vault';

/**
 * What is published for one database, and when a destination already holds it. Pure: the values come in, the
 * decisions go out, so the change-only rule is table-tested without a vault.
 */
export const MANAGED_BY_TAG = { 'managed-by': 'multicloud-devsecops' };
export const WALLET_CONTENT_TYPE = 'application/zip';
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

export const WALLET_SUFFIX = 'wallet';
export const WALLET_K8S_KEY = 'wallet.zip';
export const WALLET_IDENTITY_TAG = 'wallet-identity';

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

export function walletTags(dbId: string, identity: string): Record<string, string> {
  return { ...MANAGED_BY_TAG, 'adb-id': dbId, encoding: 'base64', [WALLET_IDENTITY_TAG]: identity };
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
 * Whether Key Vault needs the wallet again. OCI generates different bytes on every download (the keystores are
 * re-encrypted), so bytes cannot be compared: the wallet is identified instead (database + time OCI last rotated
 * it, or the operator's wallet Secret) and rewritten only when that identity moved or the stored value is not a zip.
 */
export function walletNeedsWrite(have: VaultSecret | undefined, dbId: string, identity: string): boolean {
  return (
    !have ||
    !have.enabled ||
    have.contentType !== WALLET_CONTENT_TYPE ||
    !sameTags(walletTags(dbId, identity), have.tags) ||
    !isZipBase64(have.value)
  );
}

export function isZipBase64(value: string | undefined): boolean {
  if (!value) return false;
  const head = Buffer.from(value.slice(0, 8), 'base64');
  return head.length >= 4 && head.readUInt32LE(0) === 0x04034b50;
}
