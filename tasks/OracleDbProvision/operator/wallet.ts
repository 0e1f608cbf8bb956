import { KubeObject } from '../../common/kube/types';
import { pollUntil, Transition, WaitContext } from '../wait';
import { passwordSecret } from './cr';
import { Kube } from './kube';
import { zipFiles } from './zip';

export type WalletSecret = KubeObject & { data?: Record<string, string> };

/**
 * The wallet zip from the Secret the operator writes: validateWallet (controllers/database/
 * autonomousdatabase_controller.go) stores one key per extracted file plus the downloaded zip itself under
 * `Wallet_<dbName>.zip`. That zip is OCI's own and is used as is; without it (an older operator), the files are
 * zipped the way OCI lays out a wallet.
 */
export function walletZipFromSecret(data: Record<string, string>): Buffer {
  const original = Object.keys(data).find((k) => /^Wallet_.*\.zip$/.test(k));
  if (original) return Buffer.from(data[original], 'base64');
  const files = Object.entries(data)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, b64]) => [name, Buffer.from(b64, 'base64')] as [string, Buffer]);
  return zipFiles(files);
}

/** The file names a wallet Secret holds (for the log), without the zip the operator adds. */
export function walletFileNames(data: Record<string, string>): string[] {
  return Object.keys(data)
    .filter((k) => !/^Wallet_.*\.zip$/.test(k))
    .sort();
}

export interface WalletRequest {
  kube: Kube;
  namespace: string;
  secretName: string;
  passwordSecretName: string;
  password: string;
  /** Points spec.wallet of the AutonomousDatabase at the two Secrets (a merge patch). */
  patchCr: (wallet: { secretName: string; passwordSecret: string }) => Promise<unknown>;
  wait: WaitContext;
  /** Remove the Secret first, so the operator downloads a new wallet (the wallet action); else reuse it. */
  fresh: boolean;
}

/**
 * The operator downloads the wallet into the Secret named by spec.wallet.name when that Secret is missing (a
 * present one is left alone): write the password Secret, point spec.wallet at both, wait for the data.
 */
export async function operatorWallet(r: WalletRequest): Promise<{ secret: WalletSecret; transitions: Transition[] }> {
  if (!r.fresh) {
    const existing = await r.kube.read<WalletSecret>('Secret', r.secretName);
    if (existing?.data && Object.keys(existing.data).length) return { secret: existing, transitions: [] };
  }
  await r.kube.apply(passwordSecret(r.passwordSecretName, r.namespace, r.password));
  if (r.fresh) await r.kube.remove('Secret', r.secretName);
  await r.patchCr({ secretName: r.secretName, passwordSecret: r.passwordSecretName });
  r.wait.log(`Asked the operator for the wallet in Secret ${r.namespace}/${r.secretName}.`);
  const { value, transitions } = await pollUntil(
    `Secret ${r.namespace}/${r.secretName}`,
    () => r.kube.read<WalletSecret>('Secret', r.secretName),
    (s) => {
      const written = Boolean(s?.data && Object.keys(s.data).length);
      return { state: written ? 'written' : 'waiting for the operator', done: written };
    },
    r.wait,
  );
  return { secret: value!, transitions };
}
