import { Descriptor, OciLayout } from '../../../devkit/registry/oci-layout';
import { NotaryAlg, coseSign1 } from '../../../devkit/registry/notation-cose';
import { NotationPki, attachWith } from './supply-chain';

/**
 * A Notation signature referrer in the COSE envelope (`notation sign --signature-format cose`):
 * artifactType application/vnd.cncf.notary.signature, one application/cose layer, chain leaf then root.
 * `tamper` serves a payload other than the signed one; `expiry`, `critical` set those signed attributes.
 */
export function notationSignCose(
  layout: OciLayout,
  subject: Descriptor,
  pki: NotationPki,
  opts: { alg?: NotaryAlg; tamper?: boolean; expiry?: Date; critical?: Record<string, string> } = {},
): Descriptor {
  const target = { mediaType: subject.mediaType, digest: subject.digest, size: subject.size };
  const payload = Buffer.from(JSON.stringify({ targetArtifact: target }));
  const envelope = coseSign1({
    alg: opts.alg ?? 'ES256',
    key: pki.leafKey,
    chain: [pki.leafDer, pki.rootDer],
    payload,
    expiry: opts.expiry,
    critical: opts.critical,
    servedPayload: opts.tamper
      ? Buffer.from(JSON.stringify({ targetArtifact: { ...target, annotations: { x: 'y' } } }))
      : undefined,
  });
  return attachWith(layout, subject, 'application/vnd.cncf.notary.signature', 'application/cose', envelope);
}
