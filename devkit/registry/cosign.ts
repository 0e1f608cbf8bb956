import { KeyObject, generateKeyPairSync, sign } from 'node:crypto';
import { OCI_MANIFEST, OciLayout } from './oci-layout';

/**
 * Signs an image digest the way `cosign sign --key` and `cosign attest --key` store their results
 * (sigstore/cosign specs/SIGNATURE_SPEC.md and specs/ATTESTATION_SPEC.md): a manifest tagged
 * sha256-<hex>.sig whose simple-signing layer carries an ECDSA P-256 signature in the
 * dev.cosignproject.cosign/signature annotation, and a manifest tagged sha256-<hex>.att with one
 * DSSE envelope (in-toto statement, PAE-signed) per attestation. Used where a pipeline promotes a
 * signed image (scripts/hub-fixtures.ts); nothing real ships cosign for this machine.
 */
export interface CosignKeys {
  privateKey: KeyObject;
  publicPem: string;
}

export function cosignKeys(): CosignKeys {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

const COSIGN_CONFIG = '{"architecture":"","os":"","config":{},"rootfs":{"type":"layers","diff_ids":[]}}';

function cosignManifest(layout: OciLayout, layers: Record<string, unknown>[]) {
  const config = { mediaType: 'application/vnd.oci.image.config.v1+json', ...layout.blob(Buffer.from(COSIGN_CONFIG)) };
  const body = { schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers };
  return { mediaType: OCI_MANIFEST, ...layout.blob(Buffer.from(JSON.stringify(body))) };
}

/** The .sig manifest for `digest`, written to the layout under `tag`. */
export function writeCosignSignature(
  layout: OciLayout,
  tag: string,
  digest: string,
  reference: string,
  keys: CosignKeys,
): void {
  const payload = Buffer.from(
    JSON.stringify({
      critical: {
        identity: { 'docker-reference': reference },
        image: { 'docker-manifest-digest': digest },
        type: 'cosign container image signature',
      },
      optional: null,
    }),
  );
  const layer = {
    mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
    ...layout.blob(payload),
    annotations: { 'dev.cosignproject.cosign/signature': sign('sha256', payload, keys.privateKey).toString('base64') },
  };
  layout.tag(tag, cosignManifest(layout, [layer]));
}

/** The .att manifest for `digest`: one signed in-toto statement per predicate. */
export function writeCosignAttestations(
  layout: OciLayout,
  tag: string,
  digest: string,
  reference: string,
  keys: CosignKeys,
  predicates: { predicateType: string; predicate: unknown }[],
): void {
  const payloadType = 'application/vnd.in-toto+json';
  const layers = predicates.map(({ predicateType, predicate }) => {
    const body = Buffer.from(
      JSON.stringify({
        _type: 'https://in-toto.io/Statement/v0.1',
        predicateType,
        subject: [{ name: reference, digest: { sha256: digest.split(':')[1] } }],
        predicate,
      }),
    );
    // DSSE pre-authentication encoding (secure-systems-lab/dsse protocol.md).
    const pae = Buffer.concat([
      Buffer.from(`DSSEv1 ${Buffer.byteLength(payloadType)} ${payloadType} ${body.length} `),
      body,
    ]);
    const envelope = {
      payloadType,
      payload: body.toString('base64'),
      signatures: [{ keyid: '', sig: sign('sha256', pae, keys.privateKey).toString('base64') }],
    };
    return {
      mediaType: 'application/vnd.dsse.envelope.v1+json',
      ...layout.blob(Buffer.from(JSON.stringify(envelope))),
      annotations: { predicateType },
    };
  });
  layout.tag(tag, cosignManifest(layout, layers));
}
