import { KeyObject, constants, sign } from 'node:crypto';
import { Cbor, cborEncode } from './cbor';

/**
 * Signs a Notary Project payload the way `notation sign --signature-format cose` does
 * (notaryproject/specs signature-envelope-cose.md; header labels as in notation-core-go
 * signature/cose/envelope.go): COSE_Sign1_Tagged with alg, crit, content type and the
 * io.cncf.notary.* attributes protected, times as tag-1 epoch seconds, the chain in x5chain (33).
 * Encoded with devkit's own CBOR encoder, not the product's library.
 */
export type NotaryAlg = 'ES256' | 'ES384' | 'ES512' | 'PS256' | 'PS384' | 'PS512';

/** IANA "COSE Algorithms" values for the algorithms Notation allows. */
const COSE_ALG: Record<NotaryAlg, number> = {
  ES256: -7,
  ES384: -35,
  ES512: -36,
  PS256: -37,
  PS384: -38,
  PS512: -39,
};

export interface CoseSignRequest {
  alg: NotaryAlg;
  key: KeyObject;
  /** DER certificates, leaf first. */
  chain: Buffer[];
  payload: Buffer;
  signingTime?: Date;
  expiry?: Date;
  /** Extra protected headers, each also listed in crit (a signer's extended critical attribute). */
  critical?: Record<string, string>;
  /** The payload the envelope carries instead of the signed one (altered after signing). */
  servedPayload?: Buffer;
  /** Changes the protected header before it is encoded and signed (malformed-but-signed envelopes). */
  editProtected?: (header: Map<string | number, Cbor>) => void;
}

const epoch = (d: Date): Cbor => ({ tag: 1, value: Math.floor(d.getTime() / 1000) });

export function coseSign1(req: CoseSignRequest): Buffer {
  const crit: Cbor[] = ['io.cncf.notary.signingScheme'];
  const protectedHeader = new Map<string | number, Cbor>([
    [1, COSE_ALG[req.alg]],
    [3, 'application/vnd.cncf.notary.payload.v1+json'],
    ['io.cncf.notary.signingScheme', 'notary.x509'],
    ['io.cncf.notary.signingTime', epoch(req.signingTime ?? new Date())],
  ]);
  if (req.expiry) {
    crit.push('io.cncf.notary.expiry');
    protectedHeader.set('io.cncf.notary.expiry', epoch(req.expiry));
  }
  for (const [k, v] of Object.entries(req.critical ?? {})) {
    crit.push(k);
    protectedHeader.set(k, v);
  }
  protectedHeader.set(2, crit);
  req.editProtected?.(protectedHeader);
  const protectedBytes = cborEncode(protectedHeader);
  // RFC 9052 §4.4: Sig_structure for COSE_Sign1, external_aad empty.
  const toBeSigned = cborEncode(['Signature1', protectedBytes, Buffer.alloc(0), req.payload]);
  const bits = Number(req.alg.slice(2));
  const signature = req.alg.startsWith('ES')
    ? sign(`sha${bits}`, toBeSigned, { key: req.key, dsaEncoding: 'ieee-p1363' })
    : sign(`sha${bits}`, toBeSigned, {
        key: req.key,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: bits / 8,
      });
  const unprotected = new Map<string | number, Cbor>([
    [33, req.chain],
    ['io.cncf.notary.signingAgent', 'notation-go/1.3.0'],
  ]);
  return cborEncode({ tag: 18, value: [protectedBytes, unprotected, req.servedPayload ?? req.payload, signature] });
}
