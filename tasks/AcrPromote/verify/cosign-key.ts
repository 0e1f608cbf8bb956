import { KeyObject, createHash, createPublicKey, verify } from 'node:crypto';
import { Attached } from './fetch-artifacts';
import { SignatureCheck, SignerFact, untrusted } from './signature';

/**
 * cosign's key-based signatures (github.com/sigstore/cosign, specs/SIGNATURE_SPEC.md): a manifest
 * under the sha256-<hex>.sig tag (or an OCI 1.1 referrer of artifactType
 * application/vnd.dev.cosign.artifact.sig.v1+json) whose layers are "simple signing" payloads,
 * each signed (ECDSA P-256, SHA-256, ASN.1 DER, base64) in the layer's
 * dev.cosignproject.cosign/signature annotation. The payload names the signed manifest digest.
 */
export const SIMPLE_SIGNING = 'application/vnd.dev.cosign.simplesigning.v1+json';
export const COSIGN_SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';
const COSIGN_REFERRER_TYPE = 'application/vnd.dev.cosign.artifact.sig.v1+json';

/** cosign's key id: the SHA-256 of the public key's DER (SubjectPublicKeyInfo). */
export function keyId(key: KeyObject): string {
  return `sha256:${createHash('sha256')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest('hex')}`;
}

/** DSSE pre-authentication encoding (github.com/secure-systems-lab/dsse, protocol.md). */
export function pae(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${payload.length} `), payload]);
}

export interface DsseEnvelope {
  payloadType: string;
  payload: string;
  signatures: { keyid?: string; sig: string }[];
}

/** True when one of the envelope's signatures verifies with the key. */
export function dsseSignedBy(env: DsseEnvelope, key: KeyObject, hash = 'sha256'): boolean {
  const message = pae(env.payloadType, Buffer.from(env.payload, 'base64'));
  return env.signatures.some((s) => {
    try {
      return verify(hash, message, key, Buffer.from(s.sig, 'base64'));
    } catch {
      return false;
    }
  });
}

/** A cosign verifying key: a PEM (cosign.pub, SHA-256), or a Key Vault key with the digest its size implies. */
export interface CosignVerifyKey {
  key: KeyObject;
  hash: string;
  /** The Key Vault key (versioned kid) it was read from. */
  keyUrl?: string;
}

export function cosignKeyCheck(publicKey: string | CosignVerifyKey): SignatureCheck {
  const { key, hash, keyUrl } =
    typeof publicKey === 'string' ? { key: createPublicKey(publicKey), hash: 'sha256', keyUrl: undefined } : publicKey;
  const id = keyId(key);
  // The record names the vault key too: a key id alone does not say where the key lives.
  const signer = keyUrl ? `key ${id} (${keyUrl})` : `key ${id}`;
  const fromVault = keyUrl ? { keyVaultKey: keyUrl } : {};
  return {
    describe: `cosign signature by key ${id.slice(0, 19)}…${keyUrl ? ` (${keyUrl})` : ''}`,
    check(subject: string, attached: Attached[]): SignerFact | string {
      const candidates = attached.filter((a) => a.via === 'cosign-sig' || a.artifactType === COSIGN_REFERRER_TYPE);
      if (!candidates.length)
        return `no cosign signature is attached to ${subject} (no ${subject.replace(':', '-')}.sig tag, no cosign referrer)`;
      const problems: string[] = [];
      for (const art of candidates) {
        for (const layer of art.layers.filter((l) => l.descriptor.mediaType === SIMPLE_SIGNING)) {
          const sig = layer.descriptor.annotations?.[COSIGN_SIGNATURE_ANNOTATION];
          if (!sig) {
            problems.push(`${art.digest} has a payload without a signature annotation`);
            continue;
          }
          let valid: boolean;
          try {
            valid = verify(hash, layer.bytes, key, Buffer.from(sig, 'base64'));
          } catch {
            valid = false;
          }
          if (!valid) {
            problems.push(
              `the signature in ${art.digest} does not verify with key ${id.slice(0, 19)}… (payload altered, or signed with another key)`,
            );
            continue;
          }
          let signed: string | undefined;
          try {
            signed = (JSON.parse(layer.bytes.toString('utf8')) as { critical?: { image?: Record<string, string> } })
              .critical?.image?.['docker-manifest-digest'];
          } catch {
            signed = undefined;
          }
          if (signed !== subject) {
            problems.push(
              `the valid signature in ${art.digest} is for ${untrusted(signed ?? 'no digest')}, not ${subject}`,
            );
            continue;
          }
          return {
            kind: 'cosignKey',
            signer,
            keyId: id,
            ...fromVault,
            signature: art.digest,
            via: art.via === 'referrer' ? 'referrer' : 'cosign-tag',
          };
        }
      }
      return problems.join('; ') || `the cosign signature of ${subject} has no simple-signing payload`;
    },
    checkEnvelope(env: DsseEnvelope): SignerFact | string {
      return dsseSignedBy(env, key, hash)
        ? { kind: 'cosignKey', signer, keyId: id, ...fromVault, signature: 'dsse', via: 'envelope' }
        : `its DSSE envelope is not signed by key ${id.slice(0, 19)}…`;
    },
  };
}
