import { createKubeConfig } from '../../common/connections/kube-config';
import { createAzureCredential } from '../../common/connections/azure-rm';
import { KubeObject } from '../../common/kube/types';
import { TaskContext } from '../../common/runner';
import { DbState, ConnectionProfile } from '../model';
import { OracleDbProvisionOptions } from '../options';
import { MANAGED_BY } from '../operator/cr';
import { Kube } from '../operator/kube';
import { AdminPasswordRef, WALLET_K8S_KEY, isZipBase64, plainItems, plainNeedsWrite } from './items';
import { SecretVault, createKeyVaultWriter } from './key-vault';
import { PublishedSecret, publishWalletToKeyVault } from './key-vault-wallet';
import { unzipWallet } from './unzip';

export type { PublishedSecret } from './key-vault-wallet';

/** What a back end hands over for publishing: the wallet (identified cheaply, fetched on demand) and the reference. */
export interface PublishMaterial {
  /** Changes whenever the wallet does; safe to show (OCIDs, times, resource versions). */
  walletIdentity: string;
  walletZip(): Promise<Buffer>;
  adminPasswordRef?: AdminPasswordRef;
}

/** The record's `published` entry: names, versions and whether each changed; never a value. */
export interface PublishRecord {
  keyVault?: { vault: string; secrets: PublishedSecret[] };
  kubernetesSecret?: { namespace: string; name: string; keys: string[]; resourceVersion?: string; changed: boolean };
  adminPasswordRef: string;
}

/**
 * Delivers the database's credentials where the microservices read them: Key Vault (for the CSI driver) and/or a
 * Kubernetes Secret. Change-only: a Key Vault secret gets a new version only when its content or metadata differ,
 * and the wallet is downloaded only when a destination lacks the current one.
 */
export async function publishCredentials(
  ctx: TaskContext,
  o: OracleDbProvisionOptions,
  db: DbState,
  chosen: ConnectionProfile | undefined,
  material: PublishMaterial,
): Promise<PublishRecord> {
  let zipB64: string | undefined;
  const wallet = async (): Promise<string> => {
    if (zipB64 === undefined) {
      const zip = await material.walletZip();
      // Registered before it can reach any log line, error message or request dump.
      zipB64 = ctx.secrets.register(zip.toString('base64'))!;
    }
    return zipB64;
  };
  const adopt = (b64: string): void => {
    zipB64 ??= ctx.secrets.register(b64)!;
  };
  // The wallet's files, each base64 value registered as a secret before it is used anywhere.
  const walletFiles = async (): Promise<[string, string][]> =>
    unzipWallet(Buffer.from(await wallet(), 'base64')).map(([file, data]) => [
      file,
      ctx.secrets.register(data.toString('base64'))!,
    ]);
  const items = plainItems(db, chosen, material.adminPasswordRef);
  const record: PublishRecord = {
    adminPasswordRef: material.adminPasswordRef?.kind ?? 'none (adminPassword came from a pipeline variable)',
  };
  if (!material.adminPasswordRef)
    ctx.host.info(
      'adminPassword came from a pipeline variable, so there is no reference to publish: set adminPasswordSecretId to publish one.',
    );

  const kv = o.publish?.keyVault;
  if (kv) {
    const vault: SecretVault = await createKeyVaultWriter({
      vaultUrl: kv.vaultUrl,
      credential: await createAzureCredential(kv.azure!, ctx.host, ctx.network),
      signal: ctx.signal,
      network: ctx.network,
    });
    const secrets: PublishedSecret[] = await publishWalletToKeyVault({
      vault,
      prefix: kv.prefix,
      dbId: db.id,
      identity: material.walletIdentity,
      files: walletFiles,
      register: (v) => void ctx.secrets.register(v),
    });
    for (const item of items) {
      const name = `${kv.prefix}-${item.suffix}`;
      const current = await vault.current(name);
      if (plainNeedsWrite(current, item)) {
        secrets.push({
          name,
          version: await vault.write(name, item.value, item.contentType, item.tags),
          changed: true,
        });
      } else secrets.push({ name, version: current?.version, changed: false });
    }
    record.keyVault = { vault: vault.host, secrets };
    const changed = secrets.filter((s) => s.changed).map((s) => s.name);
    ctx.host.info(
      changed.length
        ? `Key Vault ${vault.host}: wrote a new version of ${changed.join(', ')}; ${secrets.length - changed.length} unchanged.`
        : `Key Vault ${vault.host}: all ${secrets.length} secrets already current, nothing written.`,
    );
  }

  const target = o.publish?.kubernetesSecret;
  if (target) {
    const kc = await createKubeConfig(o.kubernetes!, ctx);
    const kube = Kube.connect(kc, target.namespace, ctx.signal, ctx.deadline);
    type SecretObj = KubeObject & { data?: Record<string, string> };
    const before = await kube.read<SecretObj>('Secret', target.name);
    const annotation = 'multicloud-devsecops/wallet-identity';
    const kept = before?.data?.[WALLET_K8S_KEY];
    if (kept) ctx.secrets.register(kept);
    const reuse = kept && before?.metadata.annotations?.[annotation] === material.walletIdentity && isZipBase64(kept);
    if (reuse) adopt(kept);
    const zip = reuse ? kept : await wallet();
    // The zip (for clients that unpack it) and each wallet file as a key of its own, so mounting the Secret as a
    // volume gives a TNS_ADMIN directory; a Secret holds up to 1 MiB, far above a wallet's 20-30 KB.
    const data: Record<string, string> = { [WALLET_K8S_KEY]: zip };
    for (const [file, b64] of unzipWallet(Buffer.from(zip, 'base64')))
      data[file] = ctx.secrets.register(b64.toString('base64'))!;
    for (const item of items) data[item.k8sKey] = Buffer.from(item.value, 'utf8').toString('base64');
    const written = await kube.apply({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: target.name,
        namespace: target.namespace,
        labels: MANAGED_BY,
        annotations: { [annotation]: material.walletIdentity, 'multicloud-devsecops/adb-id': db.id },
      },
      type: 'Opaque',
      data,
    });
    const changed = before?.metadata.resourceVersion !== written.metadata.resourceVersion;
    record.kubernetesSecret = {
      namespace: target.namespace,
      name: target.name,
      keys: Object.keys(data).sort(),
      resourceVersion: written.metadata.resourceVersion,
      changed,
    };
    ctx.host.info(
      `Secret ${target.namespace}/${target.name}: ${changed ? (before ? 'updated' : 'created') : 'already current, unchanged'}.`,
    );
  }
  return record;
}
