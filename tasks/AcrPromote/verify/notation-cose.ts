import { CBORTag, CBORType, decodeCBOR, encodeCBOR } from '@levischuck/tiny-cbor';
import { X509Certificate } from 'node:crypto';
import { verifyJoseAlg } from './notation-jws';
import { NotaryEnvelope, SIGNING_SCHEME } from './notation-trust';

/**
 * A Notary Project COSE envelope (notaryproject/specs signature-envelope-cose.md; the header labels as
 * notation-core-go signature/cose/envelope.go writes them): COSE_Sign1_Tagged, i.e. CBOR tag 18 over
 * [protected bstr, unprotected map, payload bstr, signature bstr] (RFC 9052 §4.2). The protected map
 * holds alg (1), crit (2), content type (3) and the io.cncf.notary.* attributes, times as tag-1 epoch
 * seconds; the unprotected map holds x5chain (33, leaf first, DER). The signature covers the CBOR
 * Sig_structure ["Signature1", protected, external_aad = h'', payload] (RFC 9052 §4.4); ECDSA
 * signatures are raw r||s as in JOSE (RFC 9053 §2.1), so the JOSE verifier serves both formats.
 */
export const COSE_MEDIA_TYPE = 'application/cose';

const COSE_SIGN1_TAG = 18;
const EPOCH_TIME_TAG = 1;
const ALG = 1;
const CRIT = 2;
const CONTENT_TYPE = 3;
const X5CHAIN = 33;

/** The COSE algorithm registry's values for the algorithms Notation allows (IANA "COSE Algorithms"). */
const COSE_ALGS: Record<number, string> = {
  [-7]: 'ES256',
  [-35]: 'ES384',
  [-36]: 'ES512',
  [-37]: 'PS256',
  [-38]: 'PS384',
  [-39]: 'PS512',
};

/** tiny-cbor reads plain Uint8Arrays (a Buffer's prototype is not one), with their offset. */
const view = (b: Uint8Array): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

/** A tag-1 epoch time, as notation-core-go requires it (an untagged number is refused there too). */
function epochTime(v: CBORType): Date | string {
  if (!(v instanceof CBORTag) || Number(v.tag) !== EPOCH_TIME_TAG) return 'not a tag-1 epoch time';
  const seconds = v.value;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return 'not a number of seconds';
  return new Date(seconds * 1000);
}

/** x5chain is one bstr for a single certificate, else an array of bstr (RFC 9360 §2). */
function certificates(v: CBORType): X509Certificate[] {
  const items = v instanceof Uint8Array ? [v] : Array.isArray(v) ? v : [];
  return items.map((c) => {
    if (!(c instanceof Uint8Array)) throw new Error('x5chain entry is not a byte string');
    return new X509Certificate(Buffer.from(c));
  });
}

/** The envelope, or undefined when the bytes are not a readable COSE_Sign1_Tagged message. */
export function readCose(bytes: Buffer): NotaryEnvelope | undefined {
  try {
    const msg = decodeCBOR(view(bytes));
    if (!(msg instanceof CBORTag) || Number(msg.tag) !== COSE_SIGN1_TAG) return undefined;
    const parts = msg.value;
    if (!Array.isArray(parts) || parts.length !== 4) return undefined;
    const [protectedBytes, unprotected, payload, signature] = parts;
    if (!(protectedBytes instanceof Uint8Array) || !(unprotected instanceof Map)) return undefined;
    // A detached payload (nil) is not a Notary Project signature: the payload names the artifact.
    if (!(payload instanceof Uint8Array) || !(signature instanceof Uint8Array)) return undefined;
    const header = protectedBytes.length ? decodeCBOR(protectedBytes) : new Map<string | number, CBORType>();
    if (!(header instanceof Map)) return undefined;
    const alg = header.get(ALG);
    const chain = header.get(X5CHAIN) ?? unprotected.get(X5CHAIN);
    // The bytes signed: the protected header exactly as received, never a re-encoding of the decoded map.
    const toBeSigned = Buffer.from(encodeCBOR(['Signature1', protectedBytes, new Uint8Array(0), payload]));
    return {
      format: 'COSE',
      // A text alg is legal COSE but names no algorithm Notation allows: refused by name.
      alg:
        (typeof alg === 'number' && COSE_ALGS[alg]) ||
        `COSE algorithm ${typeof alg === 'number' || typeof alg === 'string' ? alg : typeof alg}`,
      contentType: header.get(CONTENT_TYPE),
      signingScheme: header.get(SIGNING_SCHEME),
      crit: header.get(CRIT),
      protectedLabels: [...header.keys()],
      timeOf: (label) => {
        const v = header.get(label);
        return v === undefined ? undefined : epochTime(v);
      },
      chain: chain === undefined ? [] : certificates(chain),
      payload: Buffer.from(payload),
      verify: (key) => verifyJoseAlg(COSE_ALGS[alg as number], toBeSigned, Buffer.from(signature), key),
    };
  } catch {
    return undefined;
  }
}
