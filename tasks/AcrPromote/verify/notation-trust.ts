import { KeyObject, X509Certificate } from 'node:crypto';
import { SignerFact, untrusted } from './signature';

/**
 * The Notary Project verification policy, shared by every envelope format (notaryproject/specs:
 * signature-specification.md, signature-envelope-jws.md, signature-envelope-cose.md,
 * trust-store-trust-policy.md). An envelope reader (notation-jws.ts, notation-cose.ts) only turns
 * its bytes into a NotaryEnvelope; what makes a signature acceptable is decided here, once.
 */
export const PAYLOAD_TYPE = 'application/vnd.cncf.notary.payload.v1+json';
export const SIGNING_SCHEME = 'io.cncf.notary.signingScheme';
export const AUTHENTIC_SIGNING_TIME = 'io.cncf.notary.authenticSigningTime';
export const EXPIRY = 'io.cncf.notary.expiry';
export const SIGNING_TIME = 'io.cncf.notary.signingTime';

/** The critical headers a verifier must understand (signature-specification.md, "Signed Attributes"). */
const KNOWN_CRITICAL = new Set([SIGNING_SCHEME, AUTHENTIC_SIGNING_TIME, EXPIRY]);
const SCHEMES = new Set(['notary.x509', 'notary.x509.signingAuthority']);

/** What an envelope says, independent of its serialisation. */
export interface NotaryEnvelope {
  format: 'JWS' | 'COSE';
  /** The algorithm by its JOSE name (ES256…PS512), or what the envelope wrote when it is not one of them. */
  alg: string;
  contentType: unknown;
  signingScheme: unknown;
  /** The crit list as written (undefined: absent). */
  crit: unknown;
  /** Labels in the protected header: every critical one must be there (RFC 9052 §3.1, RFC 7515 §4.1.11). */
  protectedLabels: (string | number)[];
  /** A time attribute: undefined when absent; a string (the reason) when present but not a time this format allows. */
  timeOf(label: string): Date | string | undefined;
  chain: X509Certificate[];
  payload: Buffer;
  /** Checks the signature over the envelope's signing input with the leaf's key. */
  verify(leafKey: KeyObject): boolean;
}

export interface NotationTrust {
  roots: X509Certificate[];
  identities: string[];
  now: () => Date;
}

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

export function notationTrust(
  trustStorePem: string[],
  identities: string[],
  now: () => Date = () => new Date(),
): NotationTrust {
  return {
    roots: trustStorePem.map((p) => new X509Certificate(p)),
    identities: identities.map((i) => (i === '*' ? '*' : dnKey(i.replace(/^x509\.subject:\s*/, ''), /,/))),
    now,
  };
}

const EC_ALG: Record<string, string> = { prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' };
const RSA_ALG: Record<number, string> = { 2048: 'PS256', 3072: 'PS384', 4096: 'PS512' };

/**
 * The one algorithm a key may sign with ("Algorithm Selection": the key's type and size decide it;
 * a verifier that followed the header instead would allow algorithm substitution).
 */
export function algorithmForKey(key: KeyObject): string | undefined {
  const d = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'ec') return EC_ALG[d?.namedCurve ?? ''];
  if (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') return RSA_ALG[d?.modulusLength ?? 0];
  return undefined;
}

const subjectText = (c: X509Certificate): string => c.subject.replace(/\n/g, ', ');

/** The signed attributes every format carries: algorithm, payload type, scheme, critical list, expiry. */
function checkHeaders(env: NotaryEnvelope, where: string, at: Date): string | undefined {
  if (!/^(PS|ES)(256|384|512)$/.test(env.alg))
    return `${where} uses the algorithm '${untrusted(env.alg)}', which Notation does not allow`;
  if (env.contentType !== PAYLOAD_TYPE) return `${where} does not carry a Notary Project payload`;
  if (typeof env.signingScheme !== 'string' || !SCHEMES.has(env.signingScheme))
    return `${where} has the signing scheme '${untrusted(String(env.signingScheme))}', which Notation does not define`;
  if (!Array.isArray(env.crit)) return `${where} has no list of critical headers (crit)`;
  const crit = env.crit as unknown[];
  for (const label of crit) {
    if (typeof label !== 'string' || !KNOWN_CRITICAL.has(label)) {
      const name = untrusted(String(label));
      return `${where} marks the header '${name}' critical, which this verifier does not understand`;
    }
    if (!env.protectedLabels.includes(label))
      return `${where} marks the header '${label}' critical but does not carry it`;
  }
  // notary.x509 signs with an (untrusted, informative) signing time; notary.x509.signingAuthority with an
  // authentic one, which must then be critical too.
  const authority = env.signingScheme === 'notary.x509.signingAuthority';
  const timeLabel = authority ? AUTHENTIC_SIGNING_TIME : SIGNING_TIME;
  const expiry = env.timeOf(EXPIRY);
  const mustBeCritical = [SIGNING_SCHEME, ...(authority ? [AUTHENTIC_SIGNING_TIME] : [])];
  if (expiry !== undefined) mustBeCritical.push(EXPIRY);
  const missing = mustBeCritical.filter((h) => !crit.includes(h));
  if (missing.length) return `${where} does not mark ${missing.join(', ')} critical`;
  const signed = env.timeOf(timeLabel);
  if (!(signed instanceof Date)) return `${where} has no readable ${timeLabel} (${signed ?? 'absent'})`;
  if (typeof expiry === 'string') return `${where} has an unreadable ${EXPIRY} (${expiry})`;
  if (expiry && expiry.getTime() <= at.getTime())
    return `the signature in ${where} expired at ${expiry.toISOString()} (${EXPIRY})`;
  return undefined;
}

/** The certificate chain: each valid now, each issued by the next, the last one anchored in the trust store. */
function checkChain(chain: X509Certificate[], trust: NotationTrust, where: string, at: Date): string | undefined {
  if (!chain.length) return `${where} has no certificate chain`;
  for (const c of chain) {
    if (new Date(c.validTo) < at || new Date(c.validFrom) > at) {
      const cn = untrusted(subjectText(c));
      return `the certificate '${cn}' in ${where} is not valid now (valid ${c.validFrom} to ${c.validTo})`;
    }
  }
  for (let i = 0; i + 1 < chain.length; i++) {
    if (!chain[i].checkIssued(chain[i + 1]) || !chain[i].verify(chain[i + 1].publicKey))
      return `the certificate chain in ${where} is broken at position ${i}`;
  }
  const last = chain[chain.length - 1];
  const anchored = trust.roots.some(
    (r) => r.fingerprint256 === last.fingerprint256 || (last.checkIssued(r) && last.verify(r.publicKey)),
  );
  if (!anchored)
    return `the certificate chain in ${where} does not lead to a certificate of the trust store ('notationTrustStore')`;
  return undefined;
}

/** One signature artifact against the policy: the signer it proves, or why it is refused. */
export function checkNotaryEnvelope(
  env: NotaryEnvelope,
  subject: string,
  artifact: string,
  trust: NotationTrust,
): SignerFact | string {
  const where = `${artifact} (${env.format})`;
  const at = trust.now();
  const problem = checkHeaders(env, where, at) ?? checkChain(env.chain, trust, where, at);
  if (problem) return problem;
  const leaf = env.chain[0];
  const keyAlg = algorithmForKey(leaf.publicKey);
  if (keyAlg !== env.alg) {
    const expected = keyAlg ?? 'no Notation algorithm';
    return `${where} says '${env.alg}' but its signing certificate's key signs with ${expected}`;
  }
  let valid: boolean;
  try {
    valid = env.verify(leaf.publicKey);
  } catch {
    valid = false;
  }
  if (!valid) return `the signature in ${where} does not verify with its certificate (envelope altered)`;
  let payload: { targetArtifact?: { digest?: unknown } };
  try {
    payload = JSON.parse(env.payload.toString('utf8')) as typeof payload;
  } catch {
    return `the signed payload of ${where} is not JSON`;
  }
  const target = payload?.targetArtifact?.digest;
  if (target !== subject) return `the valid signature in ${where} is for ${untrusted(String(target))}, not ${subject}`;
  const subjectDn = dnKey(leaf.subject, /\n/);
  if (!trust.identities.some((t) => t === '*' || t === subjectDn))
    return `the signer '${untrusted(subjectText(leaf))}' is not a trusted identity ('notationTrustedIdentities')`;
  return {
    kind: 'notation',
    signer: subjectText(leaf),
    keyId: `sha256:${leaf.fingerprint256.replace(/:/g, '').toLowerCase()}`,
    signature: artifact,
    via: 'referrer',
  };
}
