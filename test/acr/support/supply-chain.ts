import { execFileSync } from 'node:child_process';
import { KeyObject, X509Certificate, createHash, createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CosignKeys,
  cosignAttestationManifest,
  cosignKeys,
  cosignSignatureManifest,
  dssePae,
  inTotoStatement,
} from '../../../devkit/registry/cosign';
import { Descriptor, OCI_MANIFEST, OciLayout } from '../../../devkit/registry/oci-layout';

/**
 * Signatures and attestations made the way cosign and notation make them (cosign
 * specs/SIGNATURE_SPEC.md and ATTESTATION_SPEC.md; notaryproject specs signature-envelope-jws.md),
 * with the same key types (ECDSA P-256), written into an OCI layout for skopeo to seed.
 */
const EMPTY_CONFIG = {
  mediaType: 'application/vnd.oci.empty.v1+json',
  digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
  size: 2,
};

/** The image reference the signed payloads and statements name. */
const REFERENCE = 'registry.example/app';

/** The devkit's cosign signer (devkit/registry/cosign.ts), under the names these tests use. */
export type CosignKey = CosignKeys;
export const cosignKeyPair = cosignKeys;

function manifest(layout: OciLayout, m: Record<string, unknown>): Descriptor {
  const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, ...m }));
  return {
    mediaType: OCI_MANIFEST,
    ...layout.blob(bytes),
    ...(m.artifactType ? { artifactType: m.artifactType as string } : {}),
  };
}

/** A cosign .sig manifest; `tamper` alters the payload after signing, `payloadDigest` signs another digest. */
export function cosignSign(
  layout: OciLayout,
  subject: Descriptor,
  key: CosignKey,
  opts: { tamper?: boolean; payloadDigest?: string; hash?: string } = {},
): Descriptor {
  return cosignSignatureManifest(layout, subject.digest, REFERENCE, key, opts);
}

export function statement(subject: Descriptor, predicateType: string, predicate: unknown): Record<string, unknown> {
  return inTotoStatement(subject.digest, REFERENCE, predicateType, predicate);
}

/** A cosign .att manifest: one DSSE layer per attestation, as `cosign attest` appends them. */
export function cosignAttest(
  layout: OciLayout,
  _subject: Descriptor,
  key: CosignKey,
  statements: Record<string, unknown>[],
): Descriptor {
  return cosignAttestationManifest(layout, statements, key);
}

/** An OCI 1.1 referrer carrying one document (oras attach --artifact-type …). */
export function attach(layout: OciLayout, subject: Descriptor, artifactType: string, content: Buffer): Descriptor {
  const layer = { mediaType: artifactType, ...layout.blob(content) };
  return manifest(layout, {
    artifactType,
    config: EMPTY_CONFIG,
    layers: [layer],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
  });
}

export const SPDX = (name: string): Buffer =>
  Buffer.from(
    JSON.stringify({
      spdxVersion: 'SPDX-2.3',
      SPDXID: 'SPDXRef-DOCUMENT',
      name,
      packages: [
        { name: 'openssl', versionInfo: '3.0.13' },
        { name: 'zlib', versionInfo: '1.3' },
      ],
    }),
  );
export const CYCLONEDX = Buffer.from(
  JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', components: [{ name: 'openssl', version: '3.0.13' }] }),
);

/** A Trivy JSON report (trivy image --format json) with the given findings. */
export function trivyReport(findings: [string, string][]): Record<string, unknown> {
  return {
    SchemaVersion: 2,
    ArtifactName: 'registry.example/app',
    Results: [
      {
        Target: 'app (debian 12.5)',
        Vulnerabilities: findings.map(([VulnerabilityID, Severity]) => ({
          VulnerabilityID,
          Severity,
          PkgName: 'openssl',
        })),
      },
    ],
  };
}

/** cosign's vuln predicate (cosign attest --type vuln) wrapping a scanner result. */
export function vulnPredicate(result: unknown): Record<string, unknown> {
  return {
    invocation: { uri: 'https://ci.example/run/1' },
    scanner: { uri: 'pkg:github/aquasecurity/trivy@0.50.1', version: '0.50.1', result },
    metadata: { scanStartedOn: '2026-01-01T00:00:00Z', scanFinishedOn: '2026-01-01T00:01:00Z' },
  };
}

// ---- Notation: an X.509 chain made by openssl, a JWS envelope signed with the leaf's key.

export interface NotationPki {
  rootPem: string;
  leafKey: KeyObject;
  leafDer: Buffer;
  rootDer: Buffer;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * A root CA and a code-signing leaf (ECDSA P-256, or RSA 3072 with `rsa`: Notation's PS384 key size);
 * `expired` dates the leaf in the past (openssl ca -startdate/-enddate).
 */
export function notationPki(
  dir: string,
  subject: string,
  opts: { expired?: boolean; rsa?: boolean; root?: { key: string; cert: string } } = {},
): NotationPki & { root: { key: string; cert: string } } {
  fs.mkdirSync(dir, { recursive: true });
  const root = opts.root ?? { key: path.join(dir, 'root.key'), cert: path.join(dir, 'root.pem') };
  if (!opts.root) {
    openssl(
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        root.key,
        '-out',
        root.cert,
        '-days',
        '30',
        '-subj',
        '/C=US/O=Contoso/CN=Contoso Signing Root',
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
      ],
      dir,
    );
  }
  const ca = path.join(dir, `ca-${Date.now()}-${Math.random().toString(16).slice(2)}`);
  fs.mkdirSync(path.join(ca, 'new'), { recursive: true });
  fs.writeFileSync(path.join(ca, 'index.txt'), '');
  fs.writeFileSync(path.join(ca, 'serial'), `${createHash('sha1').update(ca).digest('hex').slice(0, 16)}\n`);
  fs.writeFileSync(
    path.join(ca, 'ca.cnf'),
    [
      '[ ca ]',
      'default_ca = test',
      '[ test ]',
      `dir = ${ca}`,
      'database = $dir/index.txt',
      'serial = $dir/serial',
      'new_certs_dir = $dir/new',
      'default_md = sha256',
      'policy = any',
      'x509_extensions = leaf',
      'copy_extensions = none',
      'unique_subject = no',
      '[ any ]',
      'countryName = optional',
      'stateOrProvinceName = optional',
      'organizationName = optional',
      'commonName = supplied',
      '[ leaf ]',
      'basicConstraints = critical,CA:FALSE',
      'keyUsage = critical,digitalSignature',
      'extendedKeyUsage = codeSigning',
      '',
    ].join('\n'),
  );
  const key = path.join(ca, 'leaf.key');
  const csr = path.join(ca, 'leaf.csr');
  const cert = path.join(ca, 'leaf.pem');
  openssl(
    [
      'req',
      '-newkey',
      ...(opts.rsa ? ['rsa:3072'] : ['ec', '-pkeyopt', 'ec_paramgen_curve:P-256']),
      '-nodes',
      '-keyout',
      key,
      '-out',
      csr,
      '-subj',
      subject,
    ],
    ca,
  );
  const dates = opts.expired ? ['-startdate', '20240101000000Z', '-enddate', '20250101000000Z'] : ['-days', '7'];
  openssl(
    [
      'ca',
      '-batch',
      '-config',
      path.join(ca, 'ca.cnf'),
      '-cert',
      root.cert,
      '-keyfile',
      root.key,
      '-in',
      csr,
      '-out',
      cert,
      ...dates,
    ],
    ca,
  );
  return {
    root,
    rootPem: fs.readFileSync(root.cert, 'utf8'),
    rootDer: new X509Certificate(fs.readFileSync(root.cert)).raw,
    leafKey: createPrivateKey(fs.readFileSync(key)),
    leafDer: new X509Certificate(fs.readFileSync(cert)).raw,
  };
}

/** A Notation signature referrer: JWS JSON serialisation, ES256, x5c leaf first. */
export function notationSign(
  layout: OciLayout,
  subject: Descriptor,
  pki: NotationPki,
  opts: { tamper?: boolean } = {},
): Descriptor {
  const protectedHeader = {
    alg: 'ES256',
    crit: ['io.cncf.notary.signingScheme'],
    cty: 'application/vnd.cncf.notary.payload.v1+json',
    'io.cncf.notary.signingScheme': 'notary.x509',
    'io.cncf.notary.signingTime': new Date().toISOString(),
  };
  const payload = { targetArtifact: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size } };
  const p = Buffer.from(JSON.stringify(protectedHeader)).toString('base64url');
  let b = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const signature = sign('sha256', Buffer.from(`${p}.${b}`), { key: pki.leafKey, dsaEncoding: 'ieee-p1363' }).toString(
    'base64url',
  );
  if (opts.tamper)
    b = Buffer.from(
      JSON.stringify({ ...payload, targetArtifact: { ...payload.targetArtifact, annotations: { x: 'y' } } }),
    ).toString('base64url');
  const jws = {
    payload: b,
    protected: p,
    header: {
      x5c: [pki.leafDer.toString('base64'), pki.rootDer.toString('base64')],
      'io.cncf.notary.signingAgent': 'notation-go/1.1.0',
    },
    signature,
  };
  return attachWith(
    layout,
    subject,
    'application/vnd.cncf.notary.signature',
    'application/jose+json',
    Buffer.from(JSON.stringify(jws)),
  );
}

export function attachWith(
  layout: OciLayout,
  subject: Descriptor,
  artifactType: string,
  layerType: string,
  content: Buffer,
): Descriptor {
  const layer = { mediaType: layerType, ...layout.blob(content) };
  return manifest(layout, {
    artifactType,
    config: EMPTY_CONFIG,
    layers: [layer],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
  });
}

// ---- Sigstore keyless: a test "Fulcio" CA and "Rekor" log key in a trusted root of our own; bundles signed
// with a short-lived leaf whose SAN and OIDC-issuer extension say who signed, logged with a signed entry
// timestamp (bundle v0.1 form: inclusion promise). @sigstore/verify checks them as it checks the real ones.

export interface SigstorePki {
  trustedRoot: string;
  root: { key: string; cert: string };
  rootDer: Buffer;
  logKey: KeyObject;
  logId: Buffer;
  dir: string;
}

const FULCIO_ISSUER_V2 = '1.3.6.1.4.1.57264.1.8';

export function sigstorePki(dir: string): SigstorePki {
  fs.mkdirSync(dir, { recursive: true });
  const root = { key: path.join(dir, 'fulcio.key'), cert: path.join(dir, 'fulcio.pem') };
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      root.key,
      '-out',
      root.cert,
      '-days',
      '3650',
      '-subj',
      '/O=sigstore.test/CN=test-fulcio',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  const rootDer = new X509Certificate(fs.readFileSync(root.cert)).raw;
  const { privateKey: logKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const logId = createHash('sha256').update(spki).digest();
  const trustedRoot = JSON.stringify({
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [
      {
        baseUrl: 'https://rekor.sigstore.test',
        hashAlgorithm: 'SHA2_256',
        publicKey: {
          rawBytes: spki.toString('base64'),
          keyDetails: 'PKIX_ECDSA_P256_SHA_256',
          validFor: { start: '2020-01-01T00:00:00Z' },
        },
        logId: { keyId: logId.toString('base64') },
      },
    ],
    certificateAuthorities: [
      {
        subject: { organization: 'sigstore.test', commonName: 'test-fulcio' },
        uri: 'https://fulcio.sigstore.test',
        certChain: { certificates: [{ rawBytes: rootDer.toString('base64') }] },
        validFor: { start: '2020-01-01T00:00:00Z' },
      },
    ],
    ctlogs: [],
    timestampAuthorities: [],
  });
  return { trustedRoot, root, rootDer, logKey, logId, dir };
}

/** A Fulcio-style leaf: ECDSA P-256, SAN = the identity (URI or email), the OIDC issuer in Fulcio's extension. */
function fulcioLeaf(pki: SigstorePki, identity: string, issuer: string): { key: KeyObject; der: Buffer } {
  const ca = path.join(pki.dir, `leaf-${Date.now()}-${Math.random().toString(16).slice(2)}`);
  fs.mkdirSync(ca);
  const san = identity.includes('@') && !identity.includes('://') ? `email:${identity}` : `URI:${identity}`;
  fs.writeFileSync(
    path.join(ca, 'ext.cnf'),
    `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=codeSigning\nsubjectAltName=critical,${san}\n${FULCIO_ISSUER_V2}=ASN1:UTF8String:${issuer}\n`,
  );
  openssl(
    [
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      'leaf.key',
      '-out',
      'leaf.csr',
      '-subj',
      '/O=sigstore.test',
    ],
    ca,
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'leaf.csr',
      '-CA',
      pki.root.cert,
      '-CAkey',
      pki.root.key,
      '-CAcreateserial',
      '-out',
      'leaf.pem',
      '-days',
      '1',
      '-extfile',
      'ext.cnf',
    ],
    ca,
  );
  return {
    key: createPrivateKey(fs.readFileSync(path.join(ca, 'leaf.key'))),
    der: new X509Certificate(fs.readFileSync(path.join(ca, 'leaf.pem'))).raw,
  };
}

/**
 * A keyless signature bundle over an in-toto statement about `subject`. `integratedAt` moves the log time
 * (outside the leaf's validity: an expired certificate); `tamper` alters the payload after signing.
 */
export function sigstoreBundle(
  pki: SigstorePki,
  stmt: Record<string, unknown>,
  identity: string,
  issuer: string,
  opts: { integratedAt?: Date; tamper?: boolean } = {},
): Buffer {
  const leaf = fulcioLeaf(pki, identity, issuer);
  const payloadType = 'application/vnd.in-toto+json';
  const payload = Buffer.from(JSON.stringify(stmt));
  const sig = sign('sha256', dssePae(payloadType, payload), leaf.key);
  const leafPem = `-----BEGIN CERTIFICATE-----\n${leaf.der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`;
  const envelope = Buffer.from(
    JSON.stringify({
      payloadType,
      payload: payload.toString('base64'),
      signatures: [{ sig: sig.toString('base64'), keyid: '' }],
    }),
  );
  // Rekor's dsse 0.0.1 entry (rekor pkg/types/dsse/v0.0.1): hashes of the envelope and payload, the signature and its verifier.
  const body = Buffer.from(
    JSON.stringify({
      apiVersion: '0.0.1',
      kind: 'dsse',
      spec: {
        envelopeHash: { algorithm: 'sha256', value: createHash('sha256').update(envelope).digest('hex') },
        payloadHash: { algorithm: 'sha256', value: createHash('sha256').update(payload).digest('hex') },
        signatures: [{ signature: sig.toString('base64'), verifier: Buffer.from(leafPem).toString('base64') }],
      },
    }),
  );
  const integratedTime = Math.floor((opts.integratedAt ?? new Date()).getTime() / 1000);
  const logIndex = 7;
  // The signed entry timestamp: the log's signature over the canonical JSON of body, time, log id, index (keys sorted).
  const setPayload = `{"body":"${body.toString('base64')}","integratedTime":${integratedTime},"logID":"${pki.logId.toString('hex')}","logIndex":${logIndex}}`;
  const set = sign('sha256', Buffer.from(setPayload), pki.logKey);
  const served = opts.tamper ? Buffer.from(JSON.stringify({ ...stmt, predicate: { tampered: true } })) : payload;
  return Buffer.from(
    JSON.stringify({
      mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.1',
      verificationMaterial: {
        x509CertificateChain: { certificates: [{ rawBytes: leaf.der.toString('base64') }] },
        tlogEntries: [
          {
            logIndex: String(logIndex),
            logId: { keyId: pki.logId.toString('base64') },
            kindVersion: { kind: 'dsse', version: '0.0.1' },
            integratedTime: String(integratedTime),
            inclusionPromise: { signedEntryTimestamp: set.toString('base64') },
            canonicalizedBody: body.toString('base64'),
          },
        ],
        timestampVerificationData: { rfc3161Timestamps: [] },
      },
      dsseEnvelope: {
        payload: served.toString('base64'),
        payloadType,
        signatures: [{ sig: sig.toString('base64'), keyid: '' }],
      },
    }),
  );
}

export const SIGSTORE_BUNDLE_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';

/** As cosign --new-bundle-format attaches it: a referrer whose artifact type and layer are the bundle. */
export function attachBundle(layout: OciLayout, subject: Descriptor, bundle: Buffer): Descriptor {
  return attachWith(layout, subject, SIGSTORE_BUNDLE_TYPE, SIGSTORE_BUNDLE_TYPE, bundle);
}
