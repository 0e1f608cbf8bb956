import { KeyObject, X509Certificate, constants, verify } from 'node:crypto';
import { NotaryEnvelope } from './notation-trust';

/**
 * A Notary Project JWS envelope (notaryproject/specs signature-envelope-jws.md): JSON serialisation,
 * the protected header (base64url JSON) names the algorithm and the signed attributes, the
 * unprotected header carries the chain (x5c, leaf first, base64 DER), the payload is base64url JSON.
 * The signing input is ASCII(protected '.' payload) (RFC 7515 §5.2).
 */
export const JWS_MEDIA_TYPE = 'application/jose+json';

interface Jws {
  payload: string;
  protected: string;
  header?: { x5c?: string[] };
  signature: string;
}

const b64url = (s: string): Buffer => Buffer.from(s, 'base64url');

/** ES*: raw r||s (RFC 7518 §3.4); PS*: RSASSA-PSS with MGF1 of the same hash and a salt of the hash's length. */
export function verifyJoseAlg(alg: string, data: Buffer, sig: Buffer, key: KeyObject): boolean {
  const bits = Number(alg.slice(2));
  const hash = `sha${bits}`;
  if (alg.startsWith('ES')) return verify(hash, data, { key, dsaEncoding: 'ieee-p1363' }, sig);
  return verify(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: bits / 8 }, sig);
}

/** JWS times are RFC 3339 text (signature-envelope-jws.md); anything else is refused by the policy. */
function rfc3339(v: unknown): Date | string | undefined {
  if (v === undefined) return undefined;
  const d = typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v) ? new Date(v) : undefined;
  return d && !Number.isNaN(d.getTime()) ? d : 'not an RFC 3339 time';
}

/** The envelope, or undefined when the bytes are not a readable JWS. */
export function readJws(bytes: Buffer): NotaryEnvelope | undefined {
  try {
    const jws = JSON.parse(bytes.toString('utf8')) as Jws;
    const header = JSON.parse(b64url(jws.protected).toString('utf8')) as Record<string, unknown>;
    return {
      format: 'JWS',
      alg: String(header.alg),
      contentType: header.cty,
      signingScheme: header['io.cncf.notary.signingScheme'],
      crit: header.crit,
      protectedLabels: Object.keys(header),
      timeOf: (label) => rfc3339(header[label]),
      chain: (jws.header?.x5c ?? []).map((c) => new X509Certificate(Buffer.from(c, 'base64'))),
      payload: b64url(jws.payload),
      verify: (key) =>
        verifyJoseAlg(
          String(header.alg),
          Buffer.from(`${jws.protected}.${jws.payload}`, 'ascii'),
          b64url(jws.signature),
          key,
        ),
    };
  } catch {
    return undefined;
  }
}
