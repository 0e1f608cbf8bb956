import { Attached } from './fetch-artifacts';
import { COSE_MEDIA_TYPE, readCose } from './notation-cose';
import { JWS_MEDIA_TYPE, readJws } from './notation-jws';
import { NotaryEnvelope, checkNotaryEnvelope, notationTrust } from './notation-trust';
import { NOTATION_SIGNATURE, SignatureCheck, SignerFact } from './signature';

/**
 * Notary Project signatures as ACR produces them natively (notaryproject/specs: signature-specification.md,
 * trust-store-trust-policy.md): an OCI referrer of artifactType application/vnd.cncf.notary.signature
 * whose one layer is the envelope, JWS (application/jose+json) or COSE (application/cose). Each format
 * has its reader; the policy (chain to the trust store, trusted identity, critical headers, expiry,
 * signed digest) is one, in notation-trust.ts. Loaded only for `verifySignature: notation`
 * (lazy-notation.js, with the CBOR decoder).
 */

const READERS: Record<string, (bytes: Buffer) => NotaryEnvelope | undefined> = {
  [JWS_MEDIA_TYPE]: readJws,
  [COSE_MEDIA_TYPE]: readCose,
};

export function notationCheck(
  trustStorePem: string[],
  identities: string[],
  now: () => Date = () => new Date(),
): SignatureCheck {
  const trust = notationTrust(trustStorePem, identities, now);
  const checkOne = (subject: string, art: Attached): SignerFact | string => {
    const layer = art.layers.find((l) => READERS[l.descriptor.mediaType]);
    if (!layer)
      return `${art.digest} is a Notation signature in an envelope format this task does not read (only JWS and COSE)`;
    const env = READERS[layer.descriptor.mediaType](layer.bytes);
    if (!env) return `${art.digest} is not a readable ${layer.descriptor.mediaType} signature envelope`;
    return checkNotaryEnvelope(env, subject, art.digest, trust);
  };
  return {
    describe: 'Notation signature',
    check(subject, attached) {
      const sigs = attached.filter((a) => a.artifactType === NOTATION_SIGNATURE);
      if (!sigs.length) return `no Notation signature is attached to ${subject}`;
      const problems: string[] = [];
      for (const s of sigs) {
        const r = checkOne(subject, s);
        if (typeof r !== 'string') return r;
        problems.push(r);
      }
      return problems.join('; ');
    },
  };
}
