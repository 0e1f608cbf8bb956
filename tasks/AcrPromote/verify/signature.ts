import { DsseEnvelope } from './cosign-key';
import { Attached } from './fetch-artifacts';

/** A Notary Project signature referrer's artifact type (notaryproject/specs signature-specification.md). */
export const NOTATION_SIGNATURE = 'application/vnd.cncf.notary.signature';

/** Sigstore's bundle media type (protobuf-specs), as cosign --new-bundle-format attaches it. */
export const SIGSTORE_BUNDLE = 'application/vnd.dev.sigstore.bundle.v0.3+json';

/** Who signed what, as the record shows it. */
export interface SignerFact {
  kind: 'cosignKey' | 'cosignKeyless' | 'notation';
  /** Key id, certificate subject, or SAN + issuer. */
  signer: string;
  keyId?: string;
  /** The Key Vault key the public key was read from: its versioned key identifier (kid). */
  keyVaultKey?: string;
  issuer?: string;
  /** Digest of the signature artifact ('dsse' for a signature inside an attestation envelope). */
  signature: string;
  via: 'referrer' | 'cosign-tag' | 'envelope';
}

/** One signature policy: checks the artifacts attached to a subject digest; a string is the refusal reason. */
export interface SignatureCheck {
  describe: string;
  check(subject: string, attached: Attached[]): SignerFact | string | Promise<SignerFact | string>;
  /** An attestation carried in a DSSE envelope signed directly (cosign attest); undefined: not this policy's format. */
  checkEnvelope?(env: DsseEnvelope): SignerFact | string;
  /** An attestation carried in a Sigstore bundle; undefined: this policy does not accept bundles. */
  checkBundle?(art: Attached, bytes: Buffer): SignerFact | string;
}

/** Text from a registry shown in a message: no control characters, no pipeline commands, bounded. */
export function untrusted(text: string): string {
  return text
    .replace(/[^\w.:\-/ =,@+]/g, '?')
    .replace(/##vso/gi, '#?vso')
    .slice(0, 200);
}
