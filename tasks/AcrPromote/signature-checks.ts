import { cosignKeyCheck } from './verify/cosign-key';
import { KeyVaultKeyRef } from './verify/key-vault-ref';
import { VaultVerifyKey } from './verify/key-vault-key';
import { SignaturePolicy } from './verify/policy';
import { SignatureCheck } from './verify/signature';

/** Where keys that are not in the inputs come from (execute.ts: Key Vault through the AzureRM connection). */
export interface KeySources {
  vaultKey?(ref: KeyVaultKeyRef): Promise<VaultVerifyKey>;
}

/**
 * One factory per signature policy. The Sigstore libraries load only for keyless verification
 * (lazy-sigstore.js, bundled apart: scripts/build.ts), the Notation envelope readers and their CBOR
 * decoder only for Notation (lazy-notation.js), so a plain promotion does not parse them.
 */
const CHECKS: {
  [K in SignaturePolicy['kind']]: (
    p: Extract<SignaturePolicy, { kind: K }>,
    keys: KeySources,
  ) => Promise<SignatureCheck | undefined>;
} = {
  none: async () => undefined,
  cosignKey: async (p, keys) => {
    if (p.keyVaultKey) {
      if (!keys.vaultKey) throw new Error('no Key Vault key source');
      return cosignKeyCheck(await keys.vaultKey(p.keyVaultKey));
    }
    if (!p.publicKeyPem) throw new Error('cosignKey policy without a key');
    return cosignKeyCheck(p.publicKeyPem);
  },
  cosignKeyless: async (p) =>
    (await import('./lazy-sigstore')).sigstoreBundleCheck(p.trustedRootJson, p.identity, p.issuer),
  notation: async (p) => (await import('./lazy-notation')).notationCheck(p.trustStorePem, p.identities),
};

export function signatureCheckFor(policy: SignaturePolicy, keys: KeySources = {}): Promise<SignatureCheck | undefined> {
  return (CHECKS[policy.kind] as (p: SignaturePolicy, k: KeySources) => Promise<SignatureCheck | undefined>)(
    policy,
    keys,
  );
}
