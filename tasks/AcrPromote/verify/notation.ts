import { X509Certificate, constants, verify } from 'node:crypto';
import { Attached } from './fetch-artifacts';
import { SignatureCheck, SignerFact, untrusted } from './signature';

/**
 * Notary Project signatures as ACR produces them natively (notaryproject/specs: signature-specification.md,
 * signature-envelope-jws.md, trust-store-trust-policy.md): an OCI referrer of artifactType
 * application/vnd.cncf.notary.signature whose layer is a JWS in JSON serialisation. The protected
 * header names the algorithm; the unprotected header carries the certificate chain (x5c, leaf
 * first); the payload names the target artifact's digest. The chain must end at a certificate of
 * the trust store, and the leaf's subject must be a trusted identity.
 */
export const NOTATION_SIGNATURE = 'application/vnd.cncf.notary.signature';
const JWS = 'application/jose+json';
const PAYLOAD_TYPE = 'application/vnd.cncf.notary.payload.v1+json';

interface Jws {
  payload: string;
  protected: string;
  header?: { x5c?: string[] };
  signature: string;
}

const b64url = (s: string): Buffer => Buffer.from(s, 'base64url');

/** "C=US, O=Contoso, CN=release" and Node's "C=US\nO=Contoso\nCN=release" as one comparable form. */
export function dnKey(dn: string, separator: RegExp): string {
  return dn
    .split(separator)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => {
      const eq = p.indexOf('=');
      return `${p.slice(0, eq).trim().toUpperCase()}=${p.slice(eq + 1).trim()}`;
    })
    .sort()
    .join('\n');
}

function verifyJws(jws: Jws, alg: string, leaf: X509Certificate): boolean {
  const data = Buffer.from(`${jws.protected}.${jws.payload}`, 'ascii');
  const sig = b64url(jws.signature);
  const hash = `sha${alg.slice(2)}`;
  const key = leaf.publicKey;
  if (alg.startsWith('ES')) return verify(hash, data, { key, dsaEncoding: 'ieee-p1363' }, sig);
  return verify(
    hash,
    data,
    { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(alg.slice(2)) / 8 },
    sig,
  );
}

export function notationCheck(
  trustStorePem: string[],
  identities: string[],
  now: () => Date = () => new Date(),
): SignatureCheck {
  const roots = trustStorePem.map((p) => new X509Certificate(p));
  const trusted = identities.map((i) => (i === '*' ? '*' : dnKey(i.replace(/^x509\.subject:\s*/, ''), /,/)));
  const checkOne = (subject: string, art: Attached): SignerFact | string => {
    const layer = art.layers.find((l) => l.descriptor.mediaType === JWS);
    if (!layer) return `${art.digest} is a Notation signature in an envelope format this task does not read (only JWS)`;
    let jws: Jws;
    let header: Record<string, unknown>;
    let payload: { targetArtifact?: { digest?: string } };
    let chain: X509Certificate[];
    try {
      jws = JSON.parse(layer.bytes.toString('utf8')) as Jws;
      header = JSON.parse(b64url(jws.protected).toString('utf8')) as Record<string, unknown>;
      payload = JSON.parse(b64url(jws.payload).toString('utf8')) as typeof payload;
      chain = (jws.header?.x5c ?? []).map((c) => new X509Certificate(Buffer.from(c, 'base64')));
    } catch {
      return `${art.digest} is not a readable JWS signature envelope`;
    }
    const alg = String(header.alg);
    if (!/^(PS|ES)(256|384|512)$/.test(alg))
      return `${art.digest} uses the algorithm '${untrusted(alg)}', which Notation does not allow`;
    if (header.cty !== PAYLOAD_TYPE) return `${art.digest} does not carry a Notary Project payload`;
    if (!chain.length) return `${art.digest} has no certificate chain (x5c)`;
    const at = now();
    for (const c of chain) {
      if (new Date(c.validTo) < at || new Date(c.validFrom) > at) {
        return `the certificate '${untrusted(c.subject.replace(/\n/g, ', '))}' in ${art.digest} is not valid now (valid ${c.validFrom} to ${c.validTo})`;
      }
    }
    for (let i = 0; i + 1 < chain.length; i++) {
      if (!chain[i].checkIssued(chain[i + 1]) || !chain[i].verify(chain[i + 1].publicKey))
        return `the certificate chain in ${art.digest} is broken at position ${i}`;
    }
    const last = chain[chain.length - 1];
    const anchored = roots.some(
      (r) => r.fingerprint256 === last.fingerprint256 || (last.checkIssued(r) && last.verify(r.publicKey)),
    );
    if (!anchored)
      return `the certificate chain in ${art.digest} does not lead to a certificate of the trust store ('notationTrustStore')`;
    const leaf = chain[0];
    let valid: boolean;
    try {
      valid = verifyJws(jws, alg, leaf);
    } catch {
      valid = false;
    }
    if (!valid) return `the signature in ${art.digest} does not verify with its certificate (envelope altered)`;
    if (payload.targetArtifact?.digest !== subject)
      return `the valid signature in ${art.digest} is for ${untrusted(String(payload.targetArtifact?.digest))}, not ${subject}`;
    const subjectDn = dnKey(leaf.subject, /\n/);
    if (!trusted.some((t) => t === '*' || t === subjectDn)) {
      return `the signer '${untrusted(leaf.subject.replace(/\n/g, ', '))}' is not a trusted identity ('notationTrustedIdentities')`;
    }
    return {
      kind: 'notation',
      signer: leaf.subject.replace(/\n/g, ', '),
      keyId: `sha256:${leaf.fingerprint256.replace(/:/g, '').toLowerCase()}`,
      signature: art.digest,
      via: 'referrer',
    };
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
