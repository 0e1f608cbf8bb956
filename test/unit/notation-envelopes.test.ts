import * as assert from 'node:assert/strict';
import { sign } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeCBOR } from '@levischuck/tiny-cbor';
import { Cbor, cborEncode } from '../../devkit/registry/cbor';
import { CoseSignRequest, coseSign1 } from '../../devkit/registry/notation-cose';
import { tempDir } from '../../devkit/registry/world';
import { Attached } from '../../tasks/AcrPromote/verify/fetch-artifacts';
import { notationCheck } from '../../tasks/AcrPromote/verify/notation';
import { NOTATION_SIGNATURE } from '../../tasks/AcrPromote/verify/signature';
import { NotationPki, notationPki } from '../acr/support/supply-chain';

const SUBJECT = `sha256:${'a'.repeat(64)}`;
const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/**
 * notation-core-go's COSE conformance vector (signature/cose/testdata/conformance.json, "Sign1 - RSASSA-PSS
 * w/ SHA-384"), as fxamacker/cbor encoded it: an older envelope (untagged times, no x5chain) whose crit list
 * names an extended attribute, 'signedCritKey1'.
 */
const CONFORMANCE = hex(`
D284590115A80138250283781C696F2E636E63662E6E6F746172792E7369676E696E67536368656D6575696F2E636E63662E6E6F74
6172792E6578706972796E7369676E6564437269744B65793103782B6170706C69636174696F6E2F766E642E636E63662E6E6F7461
72792E7061796C6F61642E76312B6A736F6E6A7369676E65644B6579316C7369676E656456616C7565316E7369676E656443726974
4B657931707369676E65644372697456616C75653175696F2E636E63662E6E6F746172792E6578706972791A63071444781A696F2E
636E63662E6E6F746172792E7369676E696E6754696D651A6305C2C4781C696F2E636E63662E6E6F746172792E7369676E696E6753
6368656D656B6E6F746172792E78353039A1781B696F2E636E63662E6E6F746172792E7369676E696E674167656E74781D4E6F7461
74696F6E436F6E666F726D616E6365546573742F312E302E304A68656C6C6F20434F534559018031B6CB0CD9C974B39D603465811C
2AA3D96A5DFF89F80B33CB4E321DC6E68A29B4BA65C00F0F9F22EE4376ABFAEC2CBA6FD21C6881ECAAB25775E3FB9226A88CF41660
B2D6FD14184540D07DED3744E19FF9DBDD081E15C8F77BB6CA3072EF57141594FAD4EA57D206C6B8DD3A6E0A0A7ED764FF08DBCC43
9BD722E1B3D282921A579A3D860CCEEA37D633184F9316CB6B4FA4EA550DA5AD9E5BF3C2D768A787DA76E594290CB10B5B1EAD8B7E
75967DE28E9FF429FE9DB814380608A15674F9741563902A620F312213D9DCE5C264017CBCB3BB4F8CEBEE0D5EF32B364F68C11CBA
5630FAC8E3165D06FDEBACA095267223C552FE605B4529F25B65F8FA47B010B9096CEC275307E82B1062F660A73E07D0B85B978B4A
59B5CDE51FC9A031B488A3DEB38FC312A64EF2EC1250238AE16CFEFC00D9AA1CEB938FE6DE51F265EEBE975C29F4CFF8AB0AFB40C4
5E8C985D17347BF20F455851C1A46AB655F51A159CF8910A424C5A8BBDD239E49E43A73C7B5174DE29E835063E5E64B459558DE5`);

describe("devkit's CBOR encoder (the tests' signer, independent of the product's decoder)", () => {
  // RFC 8949 Appendix A.
  const table: [Cbor, string][] = [
    [0, '00'],
    [23, '17'],
    [24, '1818'],
    [100, '1864'],
    [1000, '1903e8'],
    [1000000, '1a000f4240'],
    [1000000000000, '1b000000e8d4a51000'],
    [-1, '20'],
    [-1000, '3903e7'],
    [1.1, 'fb3ff199999999999a'],
    [false, 'f4'],
    [null, 'f6'],
    ['IETF', '6449455446'],
    ['ü', '62c3bc'],
    [Buffer.from('01020304', 'hex'), '4401020304'],
    [[1, [2, 3], [4, 5]], '8301820203820405'],
    [
      new Map<number, Cbor>([
        [3, 4],
        [1, 2],
      ]),
      'a201020304',
    ],
    [{ tag: 1, value: 1363896240 }, 'c11a514b67b0'],
  ];
  for (const [value, expected] of table) {
    it(`${JSON.stringify(value instanceof Map ? [...value] : value)} → ${expected}`, () => {
      assert.equal(cborEncode(value).toString('hex'), expected);
    });
  }

  it("writes notation-core-go's conformance envelope byte for byte from its decoded parts", () => {
    const msg = decodeCBOR(new Uint8Array(CONFORMANCE)) as unknown as { tag: number; value: Uint8Array[] };
    const [prot, unprot, payload, sig] = msg.value as unknown as [
      Uint8Array,
      Map<string, Cbor>,
      Uint8Array,
      Uint8Array,
    ];
    const header = decodeCBOR(prot) as Map<string | number, Cbor>;
    assert.deepEqual(cborEncode(header), Buffer.from(prot), 'deterministic key order as fxamacker/cbor writes it');
    assert.deepEqual(cborEncode({ tag: 18, value: [prot, unprot, payload, sig] }), CONFORMANCE);
  });
});

describe('Notation envelopes (JWS and COSE) under one policy', function () {
  this.timeout(30_000);
  let dir: string;
  let pki: NotationPki;
  let other: NotationPki;

  before(() => {
    dir = tempDir('notation-unit');
    pki = notationPki(path.join(dir, 'ok'), '/C=US/O=Contoso/CN=release');
    other = notationPki(path.join(dir, 'other'), '/C=US/O=Contoso/CN=release');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const attached = (mediaType: string, bytes: Buffer): Attached[] => [
    {
      digest: `sha256:${'5'.repeat(64)}`,
      via: 'referrer',
      artifactType: NOTATION_SIGNATURE,
      manifest: {} as Attached['manifest'],
      layers: [{ descriptor: { mediaType, digest: 'sha256:0', size: bytes.length }, bytes }],
    },
  ];
  const payload = (digest = SUBJECT) => Buffer.from(JSON.stringify({ targetArtifact: { digest, size: 1 } }));
  const cose = (over: Partial<CoseSignRequest> = {}): Buffer =>
    coseSign1({ alg: 'ES256', key: pki.leafKey, chain: [pki.leafDer, pki.rootDer], payload: payload(), ...over });
  /** The four parts of a COSE_Sign1_Tagged message, read back with the product's decoder. */
  const parts = (b: Buffer): Cbor[] => (decodeCBOR(new Uint8Array(b)) as unknown as { value: Cbor[] }).value;
  const check = (mediaType: string, bytes: Buffer, identities = ['*']) =>
    notationCheck([pki.rootPem], identities).check(SUBJECT, attached(mediaType, bytes));

  it('accepts a COSE envelope signed by a trusted leaf; the signer is the leaf subject', () => {
    const r = check('application/cose', cose(), ['x509.subject: C=US, O=Contoso, CN=release']);
    assert.equal(typeof r, 'object', String(r));
    assert.equal((r as { signer: string }).signer, 'C=US, O=Contoso, CN=release');
  });

  const refusals: [string, () => Buffer, RegExp][] = [
    [
      'an alg other than the one the leaf key selects (ES384 over a P-256 key)',
      () => cose({ alg: 'ES384' }),
      /says 'ES384' but its signing certificate's key signs with ES256/,
    ],
    [
      'a text alg',
      () => cose({ editProtected: (h) => h.set(1, 'ES256') }),
      /uses the algorithm 'COSE algorithm ES256', which Notation does not allow/,
    ],
    [
      'an untagged signing time',
      () => cose({ editProtected: (h) => h.set('io.cncf.notary.signingTime', 1700000000) }),
      /no readable io\.cncf\.notary\.signingTime \(not a tag-1 epoch time\)/,
    ],
    [
      'a critical header listed but absent',
      () => cose({ editProtected: (h) => h.set(2, ['io.cncf.notary.signingScheme', 'io.cncf.notary.expiry']) }),
      /marks the header 'io\.cncf\.notary\.expiry' critical but does not carry it/,
    ],
    [
      'an expiry not marked critical',
      () =>
        cose({
          editProtected: (h) => {
            h.set('io.cncf.notary.expiry', { tag: 1, value: Math.floor(Date.now() / 1000) + 3600 });
            h.set(2, ['io.cncf.notary.signingScheme']);
          },
        }),
      /does not mark io\.cncf\.notary\.expiry critical/,
    ],
    [
      'a signing scheme Notation does not define',
      () => cose({ editProtected: (h) => h.set('io.cncf.notary.signingScheme', 'notary.default.x509') }),
      /signing scheme 'notary\.default\.x509', which Notation does not define/,
    ],
    [
      'another content type',
      () => cose({ editProtected: (h) => h.set(3, 'application/json') }),
      /does not carry a Notary Project payload/,
    ],
    [
      'a signature over another digest',
      () => cose({ payload: payload(`sha256:${'b'.repeat(64)}`) }),
      /is for sha256:b{64}, not sha256:a{64}/,
    ],
    [
      'a chain from another root',
      () => cose({ key: other.leafKey, chain: [other.leafDer, other.rootDer] }),
      /does not lead to a certificate of the trust store/,
    ],
    ['a COSE_Sign1 without tag 18', () => cborEncode(parts(cose())), /not a readable application\/cose/],
    [
      'a detached payload (nil)',
      () => {
        const [p, u, , s] = parts(cose());
        return cborEncode({ tag: 18, value: [p, u, null, s] });
      },
      /not a readable application\/cose/,
    ],
    ['bytes that are not CBOR', () => Buffer.from('{"payload":""}'), /not a readable application\/cose/],
  ];
  for (const [name, make, reason] of refusals) {
    it(`refuses ${name}`, () => {
      const r = check('application/cose', make());
      assert.equal(typeof r, 'string', 'refused');
      assert.match(r as string, reason);
    });
  }

  it("reads notation-core-go's conformance envelope and refuses its extended critical attribute", () => {
    const r = check('application/cose', CONFORMANCE);
    assert.match(String(r), /marks the header 'signedCritKey1' critical, which this verifier does not understand/);
  });

  it('applies the same critical-header rule to a JWS envelope', () => {
    const header = {
      alg: 'ES256',
      crit: ['io.cncf.notary.signingScheme', 'io.contoso.mustUnderstand'],
      cty: 'application/vnd.cncf.notary.payload.v1+json',
      'io.cncf.notary.signingScheme': 'notary.x509',
      'io.cncf.notary.signingTime': new Date().toISOString(),
      'io.contoso.mustUnderstand': 'yes',
    };
    const p = Buffer.from(JSON.stringify(header)).toString('base64url');
    const b = payload().toString('base64url');
    const signature = sign('sha256', Buffer.from(`${p}.${b}`), { key: pki.leafKey, dsaEncoding: 'ieee-p1363' });
    const jws = {
      protected: p,
      payload: b,
      header: { x5c: [pki.leafDer.toString('base64'), pki.rootDer.toString('base64')] },
      signature: signature.toString('base64url'),
    };
    const r = check('application/jose+json', Buffer.from(JSON.stringify(jws)));
    assert.match(String(r), /\(JWS\) marks the header 'io\.contoso\.mustUnderstand' critical/);
  });
});
