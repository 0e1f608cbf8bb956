/**
 * A cosign key-pair signature, as `cosign sign --key` stores it (sigstore/cosign specs/SIGNATURE_SPEC.md):
 * an OCI manifest at tag `sha256-<hex>.sig` whose one layer is the simple-signing payload
 * (application/vnd.dev.cosign.simplesigning.v1+json) and whose `dev.cosignproject.cosign/signature`
 * annotation is the base64 ECDSA P-256 signature of that payload. The demo signs its 1.4.2 and 1.4.3
 * images with it; AcrPromote verifies them with `verifySignature: cosignKey`.
 */
import { KeyObject, generateKeyPairSync, sign } from 'node:crypto';
import { Descriptor, OCI_MANIFEST, OciLayout } from './oci-layout';

export interface CosignKeyPair {
  privateKey: KeyObject;
  /** What `cosign generate-key-pair` writes to cosign.pub (SPKI PEM), the task's cosignPublicKey input. */
  publicPem: string;
}

export function cosignKeyPair(): CosignKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

/** The tag cosign stores a signature under: sha256:<hex> → sha256-<hex>.sig. */
export function signatureTag(digest: string): string {
  return `${digest.replace(':', '-')}.sig`;
}

export function cosignSignature(
  layout: OciLayout,
  subject: Descriptor,
  key: CosignKeyPair,
  reference: string,
): Descriptor {
  const payload = Buffer.from(
    JSON.stringify({
      critical: {
        identity: { 'docker-reference': reference },
        image: { 'docker-manifest-digest': subject.digest },
        type: 'cosign container image signature',
      },
      optional: null,
    }),
  );
  const layer = {
    mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
    ...layout.blob(payload),
    annotations: { 'dev.cosignproject.cosign/signature': sign('sha256', payload, key.privateKey).toString('base64') },
  };
  const config = {
    mediaType: 'application/vnd.oci.image.config.v1+json',
    ...layout.blob(Buffer.from('{"architecture":"","os":"","config":{},"rootfs":{"type":"layers","diff_ids":[]}}')),
  };
  const manifest = { schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: [layer] };
  return { mediaType: OCI_MANIFEST, ...layout.blob(Buffer.from(JSON.stringify(manifest))) };
}
