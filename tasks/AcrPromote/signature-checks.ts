import { cosignKeyCheck } from './verify/cosign-key';
import { SignaturePolicy } from './verify/policy';
import { SignatureCheck } from './verify/signature';

/**
 * One factory per signature policy. The Sigstore libraries load only for keyless verification
 * (lazy-sigstore.js, bundled apart: scripts/build.ts), the Notation envelope readers and their CBOR
 * decoder only for Notation (lazy-notation.js), so a plain promotion does not parse them.
 */
const CHECKS: {
  [K in SignaturePolicy['kind']]: (p: Extract<SignaturePolicy, { kind: K }>) => Promise<SignatureCheck | undefined>;
} = {
  none: async () => undefined,
  cosignKey: async (p) => cosignKeyCheck(p.publicKeyPem),
  cosignKeyless: async (p) =>
    (await import('./lazy-sigstore')).sigstoreBundleCheck(p.trustedRootJson, p.identity, p.issuer),
  notation: async (p) => (await import('./lazy-notation')).notationCheck(p.trustStorePem, p.identities),
};

export function signatureCheckFor(policy: SignaturePolicy): Promise<SignatureCheck | undefined> {
  return (CHECKS[policy.kind] as (p: SignaturePolicy) => Promise<SignatureCheck | undefined>)(policy);
}
