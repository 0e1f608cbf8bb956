import { KeyObject, generateKeyPairSync, sign } from 'node:crypto';
import { Descriptor, OCI_MANIFEST, OciLayout } from './oci-layout';

/**
 * Signs an image digest the way `cosign sign --key` and `cosign attest --key` store their results
 * (sigstore/cosign specs/SIGNATURE_SPEC.md and specs/ATTESTATION_SPEC.md): a manifest tagged
 * sha256-<hex>.sig whose simple-signing layer carries an ECDSA P-256 signature in the
 * dev.cosignproject.cosign/signature annotation, and a manifest tagged sha256-<hex>.att with one
 * DSSE envelope (in-toto statement, PAE-signed) per attestation. The one cosign signer of the tree:
 * pipelines that promote signed images (scripts/hub-fixtures.ts, stand-ins) and the supply-chain tests
 * (test/acr/support/supply-chain.ts) build on it; nothing real ships cosign for this machine.
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
const IN_TOTO = 'application/vnd.in-toto+json';

function cosignManifest(layout: OciLayout, layers: Record<string, unknown>[]): Descriptor {
  const config = { mediaType: 'application/vnd.oci.image.config.v1+json', ...layout.blob(Buffer.from(COSIGN_CONFIG)) };
  const body = { schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers };
  return { mediaType: OCI_MANIFEST, ...layout.blob(Buffer.from(JSON.stringify(body))) };
}

/** cosign's simple-signing payload: the signed claim that `reference` is the manifest `digest`. */
export function simpleSigningPayload(digest: string, reference: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      critical: {
        identity: { 'docker-reference': reference },
        image: { 'docker-manifest-digest': digest },
        type: 'cosign container image signature',
      },
      optional: null,
    }),
  );
}

/**
 * The .sig manifest for `digest` (not tagged). For refusal tests: `tamper` alters the payload after signing,
 * `payloadDigest` signs a claim about another digest. `hash`: the digest cosign's KMS signers use for larger
 * keys (Azure Key Vault P-384: SHA-384); cosign's own keys are P-256 with SHA-256.
 */
export function cosignSignatureManifest(
  layout: OciLayout,
  digest: string,
  reference: string,
  keys: CosignKeys,
  opts: { tamper?: boolean; payloadDigest?: string; hash?: string } = {},
): Descriptor {
  const payload = simpleSigningPayload(opts.payloadDigest ?? digest, reference);
  const signature = sign(opts.hash ?? 'sha256', payload, keys.privateKey).toString('base64');
  const served = opts.tamper
    ? Buffer.from(
        payload.toString('utf8').replace('cosign container image signature', 'cosign container image signaturE'),
      )
    : payload;
  const layer = {
    mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
    ...layout.blob(served),
    annotations: { 'dev.cosignproject.cosign/signature': signature },
  };
  return cosignManifest(layout, [layer]);
}

/** The .sig manifest for `digest`, written to the layout under `tag`. */
export function writeCosignSignature(
  layout: OciLayout,
  tag: string,
  digest: string,
  reference: string,
  keys: CosignKeys,
): void {
  layout.tag(tag, cosignSignatureManifest(layout, digest, reference, keys));
}

/** DSSE pre-authentication encoding (secure-systems-lab/dsse protocol.md). */
export function dssePae(payloadType: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`DSSEv1 ${Buffer.byteLength(payloadType)} ${payloadType} ${body.length} `), body]);
}

/** One in-toto statement in a DSSE envelope signed with the key, as `cosign attest --key` writes it. */
export function dsseEnvelope(statement: unknown, keys: CosignKeys): Buffer {
  const body = Buffer.from(JSON.stringify(statement));
  const sig = sign('sha256', dssePae(IN_TOTO, body), keys.privateKey).toString('base64');
  return Buffer.from(
    JSON.stringify({ payloadType: IN_TOTO, payload: body.toString('base64'), signatures: [{ keyid: '', sig }] }),
  );
}

/** An in-toto statement about `digest`. */
export function inTotoStatement(
  digest: string,
  reference: string,
  predicateType: string,
  predicate: unknown,
): Record<string, unknown> {
  return {
    _type: 'https://in-toto.io/Statement/v0.1',
    predicateType,
    subject: [{ name: reference, digest: { sha256: digest.split(':')[1] } }],
    predicate,
  };
}

/** A .att manifest (not tagged): one DSSE layer per statement, as `cosign attest` appends them. */
export function cosignAttestationManifest(
  layout: OciLayout,
  statements: Record<string, unknown>[],
  keys: CosignKeys,
): Descriptor {
  const layers = statements.map((s) => ({
    mediaType: 'application/vnd.dsse.envelope.v1+json',
    ...layout.blob(dsseEnvelope(s, keys)),
    annotations: { predicateType: String(s.predicateType) },
  }));
  return cosignManifest(layout, layers);
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
  const statements = predicates.map((p) => inTotoStatement(digest, reference, p.predicateType, p.predicate));
  layout.tag(tag, cosignAttestationManifest(layout, statements, keys));
}
