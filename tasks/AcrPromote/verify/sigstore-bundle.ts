import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { Verifier, toSignedEntity, toTrustMaterial } from '@sigstore/verify';
import { Attached } from './fetch-artifacts';
import { publicGoodTrustedRoot } from './public-good-root';
import { SIGSTORE_BUNDLE, SignatureCheck, SignerFact, untrusted } from './signature';

/**
 * Keyless cosign signatures in Sigstore's bundle format (sigstore/protobuf-specs, bundle.proto;
 * cosign --new-bundle-format): an OCI referrer whose artifactType is the bundle media type and
 * whose layer is the bundle JSON, holding a DSSE envelope whose in-toto statement names the image
 * digest as its subject. The bundle is verified offline by @sigstore/verify against the trusted
 * root given, or else the embedded Sigstore public-good root (public-good-root.ts) (Fulcio CAs, Rekor
 * keys, CT logs): certificate chain at the log's integration time,
 * transparency log entry, signature; then the certificate's SAN and OIDC issuer are held to the
 * policy. No Sigstore cryptography is written here.
 */

interface StatementLike {
  subject?: { digest?: { sha256?: string } }[];
}

export function sigstoreBundleCheck(
  trustedRootJson: string | undefined,
  identity: string,
  issuer: string,
): SignatureCheck {
  const root = TrustedRoot.fromJSON(JSON.parse(trustedRootJson ?? publicGoodTrustedRoot()));
  const trust = toTrustMaterial(root);
  // One transparency-log entry is required (it is also the signing time). A root with CT logs (public-good)
  // also requires the certificate's SCT, as cosign does by default; a private root without them cannot.
  const verifier = new Verifier(trust, {
    tlogThreshold: 1,
    ctlogThreshold: root.ctlogs.length ? 1 : 0,
    timestampThreshold: 1,
  });
  const rootName = trustedRootJson === undefined ? 'the embedded Sigstore public-good root' : 'the given trusted root';
  const verifyBundle = (art: Attached, bytes: Buffer, subject?: string): SignerFact | string => {
    let bundle;
    try {
      bundle = bundleFromJSON(JSON.parse(bytes.toString('utf8')));
    } catch (err) {
      return `${art.digest} is not a valid Sigstore bundle (${untrusted((err as Error).message)})`;
    }
    if (bundle.content.$case !== 'dsseEnvelope')
      return `${art.digest} is a message-signature bundle; image signatures are DSSE bundles`;
    if (subject) {
      let statement: StatementLike | undefined;
      try {
        statement = JSON.parse(Buffer.from(bundle.content.dsseEnvelope.payload).toString('utf8')) as StatementLike;
      } catch {
        statement = undefined;
      }
      const hex = subject.split(':')[1];
      if (!statement?.subject?.some((s) => s.digest?.sha256 === hex))
        return `the bundle ${art.digest} is not about ${subject}`;
    }
    try {
      const signer = verifier.verify(toSignedEntity(bundle), {
        subjectAlternativeName: identity,
        extensions: { issuer },
      });
      const san = signer.identity?.subjectAlternativeName ?? identity;
      return {
        kind: 'cosignKeyless',
        signer: san,
        issuer: signer.identity?.extensions?.issuer,
        signature: art.digest,
        via: 'referrer',
      };
    } catch (err) {
      const e = err as { code?: string; message?: string };
      return `the bundle ${art.digest} does not verify: ${untrusted(`${e.code ? `${e.code}: ` : ''}${e.message ?? String(err)}`)}`;
    }
  };
  return {
    describe: `keyless signature by ${untrusted(identity)} (${untrusted(issuer)}), against ${rootName}`,
    check(subject, attached) {
      const bundles = attached.filter((a) => a.artifactType === SIGSTORE_BUNDLE);
      if (!bundles.length) return `no Sigstore bundle is attached to ${subject}`;
      const problems: string[] = [];
      for (const b of bundles) {
        for (const layer of b.layers) {
          const r = verifyBundle(b, layer.bytes, subject);
          if (typeof r !== 'string') return r;
          problems.push(r);
        }
      }
      return `${problems.join('; ')} (checked against ${rootName})`;
    },
    checkBundle: (art, bytes) => verifyBundle(art, bytes),
  };
}
