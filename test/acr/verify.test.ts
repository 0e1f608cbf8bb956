import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Endpoint } from '../../devkit/agent/agent-run';
import { ADMIN, LocalRegistry, READER, startLocalRegistry } from '../../devkit/registry/local-registry';
import { Descriptor, OciLayout } from '../../devkit/registry/oci-layout';
import { RegistryProbe, registryEndpoint, skopeoSeed, tempDir } from '../../devkit/registry/world';
import { publicGoodTrustedRoot } from '../../tasks/AcrPromote/verify/public-good-root';
import { notationSignCose } from './support/notation-cose-sign';
import { runAcrPromote } from './support/run-in-process';
import {
  CYCLONEDX,
  CosignKey,
  SPDX,
  SigstorePki,
  attach,
  attachBundle,
  cosignAttest,
  cosignKeyPair,
  cosignSign,
  notationPki,
  notationSign,
  sigstoreBundle,
  sigstorePki,
  statement,
  trivyReport,
  vulnPredicate,
} from './support/supply-chain';

const IDENTITY = 'https://github.com/contoso/shop/.github/workflows/build.yml@refs/heads/main';
const ISSUER = 'https://token.actions.githubusercontent.com';
const COSIGN_SIGN = 'https://sigstore.dev/cosign/sign/v1';

const VULN = 'https://cosign.sigstore.dev/attestation/vuln/v1';
const SPDX_TYPE = 'https://spdx.dev/Document';

describe('AcrPromote supply-chain gate: verified on the source digest before anything is copied (docker-registry 2.8)', function () {
  this.timeout(120_000);
  let layout: OciLayout;
  let src: LocalRegistry;
  let dst: LocalRegistry;
  let dstProbe: RegistryProbe;
  let endpoints: Record<string, Endpoint>;
  let key: CosignKey;
  let otherKey: CosignKey;
  let pkiDir: string;
  let rootPem: string;
  let sigstore: SigstorePki;
  const images: Record<string, Descriptor> = {};

  /** One image per scenario, in its own repository, with what the scenario attaches. */
  const seed = async (
    name: string,
    attach: (image: Descriptor) => { sig?: Descriptor; att?: Descriptor; referrers?: Descriptor[] },
  ): Promise<void> => {
    const image = layout.image({ layerSizes: [20_000 + Object.keys(images).length] });
    images[name] = image;
    layout.tag(`${name}-v1`, image);
    const a = attach(image);
    const hexTag = image.digest.replace(':', '-');
    await skopeoSeed(layout.dir, `${name}-v1`, src, `sc/${name}:v1`);
    if (a.sig) {
      layout.tag(`${name}-sig`, a.sig);
      await skopeoSeed(layout.dir, `${name}-sig`, src, `sc/${name}:${hexTag}.sig`);
    }
    if (a.att) {
      layout.tag(`${name}-att`, a.att);
      await skopeoSeed(layout.dir, `${name}-att`, src, `sc/${name}:${hexTag}.att`);
    }
    if (a.referrers?.length) {
      const fallback = layout.referrersIndex(image, a.referrers);
      layout.tag(`${name}-refs`, fallback.descriptor);
      await skopeoSeed(layout.dir, `${name}-refs`, src, `sc/${name}:${fallback.tag}`, { all: true });
    }
  };

  before(async () => {
    [src, dst] = await Promise.all([startLocalRegistry({ name: 'vsrc' }), startLocalRegistry({ name: 'vdst' })]);
    dstProbe = new RegistryProbe(dst);
    layout = new OciLayout(tempDir('vlayout'));
    key = cosignKeyPair();
    otherKey = cosignKeyPair();
    pkiDir = tempDir('pki');
    const release = notationPki(path.join(pkiDir, 'ok'), '/C=US/O=Contoso/CN=release');
    const expired = notationPki(path.join(pkiDir, 'old'), '/C=US/O=Contoso/CN=release', {
      expired: true,
      root: release.root,
    });
    rootPem = release.rootPem;
    const spdx = (i: Descriptor) => statement(i, SPDX_TYPE, JSON.parse(SPDX('app').toString()));
    const vuln = (i: Descriptor, findings: [string, string][]) =>
      statement(i, VULN, vulnPredicate(trivyReport(findings)));
    await seed('good', (i) => ({
      sig: cosignSign(layout, i, key),
      att: cosignAttest(layout, i, key, [
        spdx(i),
        vuln(i, [
          ['CVE-2024-0001', 'HIGH'],
          ['CVE-2024-0002', 'LOW'],
        ]),
      ]),
    }));
    await seed('tampered', (i) => ({
      sig: cosignSign(layout, i, key, { tamper: true }),
      att: cosignAttest(layout, i, key, [spdx(i)]),
    }));
    await seed('otherkey', (i) => ({ sig: cosignSign(layout, i, otherKey) }));
    await seed('nosbom', (i) => ({
      sig: cosignSign(layout, i, key),
      att: cosignAttest(layout, i, key, [vuln(i, [])]),
    }));
    await seed('critical', (i) => ({
      sig: cosignSign(layout, i, key),
      att: cosignAttest(layout, i, key, [
        spdx(i),
        vuln(i, [
          ['CVE-2024-3094', 'CRITICAL'],
          ['CVE-2024-0001', 'HIGH'],
        ]),
      ]),
    }));
    // Documents attached as plain OCI referrers: the SBOM signed with the key (its own .sig), the scan unsigned.
    let sbomRef: Descriptor | undefined;
    await seed('referrers', (i) => {
      sbomRef = attach(layout, i, 'application/vnd.cyclonedx+json', CYCLONEDX);
      const scan = attach(
        layout,
        i,
        'application/vnd.aquasecurity.trivy.report.json',
        Buffer.from(JSON.stringify(trivyReport([]))),
      );
      return { sig: cosignSign(layout, i, key), referrers: [sbomRef, scan] };
    });
    // The SBOM referrer's own cosign signature.
    layout.tag('referrers-sbom-sig', cosignSign(layout, sbomRef!, key));
    await skopeoSeed(layout.dir, 'referrers-sbom-sig', src, `sc/referrers:${sbomRef!.digest.replace(':', '-')}.sig`);
    await seed('notation', (i) => ({ referrers: [notationSign(layout, i, release)] }));
    await seed('notationold', (i) => ({ referrers: [notationSign(layout, i, expired)] }));
    await seed('notationtampered', (i) => ({ referrers: [notationSign(layout, i, release, { tamper: true })] }));
    // The COSE envelope (notation sign --signature-format cose): a P-256 leaf and an RSA 3072 (PS384) leaf
    // under the same root; an expiry in the future, in the past; an extended critical header.
    const rsa = notationPki(path.join(pkiDir, 'rsa'), '/C=US/O=Contoso/CN=release-rsa', {
      rsa: true,
      root: release.root,
    });
    const hours = (h: number) => new Date(Date.now() + h * 3_600_000);
    await seed('cose', (i) => ({ referrers: [notationSignCose(layout, i, release, { expiry: hours(24) })] }));
    await seed('cosersa', (i) => ({ referrers: [notationSignCose(layout, i, rsa, { alg: 'PS384' })] }));
    await seed('cosetampered', (i) => ({ referrers: [notationSignCose(layout, i, release, { tamper: true })] }));
    await seed('coseexpired', (i) => ({ referrers: [notationSignCose(layout, i, release, { expiry: hours(-1) })] }));
    await seed('cosecrit', (i) => ({
      referrers: [notationSignCose(layout, i, release, { critical: { 'io.contoso.mustUnderstand': 'yes' } })],
    }));
    sigstore = sigstorePki(path.join(pkiDir, 'sigstore'));
    const bundle = (i: Descriptor, opts: { integratedAt?: Date; tamper?: boolean } = {}) =>
      attachBundle(layout, i, sigstoreBundle(sigstore, statement(i, COSIGN_SIGN, {}), IDENTITY, ISSUER, opts));
    await seed('keyless', (i) => ({
      referrers: [bundle(i), attachBundle(layout, i, sigstoreBundle(sigstore, spdx(i), IDENTITY, ISSUER))],
    }));
    await seed('keylessold', (i) => ({
      referrers: [bundle(i, { integratedAt: new Date(Date.now() - 400 * 86_400_000) })],
    }));
    await seed('keylesstampered', (i) => ({ referrers: [bundle(i, { tamper: true })] }));
    endpoints = { src: registryEndpoint(src, READER), dst: registryEndpoint(dst, ADMIN) };
  });

  after(async () => {
    if (layout) fs.rmSync(layout.dir, { recursive: true, force: true });
    if (pkiDir) fs.rmSync(pkiDir, { recursive: true, force: true });
    await Promise.all([src?.stop(), dst?.stop()]);
  });

  const cosign = (name: string, target: string, over: Record<string, string> = {}): Record<string, string> => ({
    sourceImage: `${src.host}/sc/${name}:v1`,
    targetRegistry: dst.host,
    targetRepository: `prod/${target}`,
    sourceRegistryConnection: 'src',
    targetRegistryConnection: 'dst',
    verifySignature: 'cosignKey',
    cosignPublicKey: key.publicPem,
    ...over,
  });

  /** A refusal: Failed, naming the policy; not one blob, manifest or tag more in the target. */
  const refused = async (inputs: Record<string, string>, policy: string, reason: RegExp): Promise<void> => {
    const blobs = dstProbe.storedBlobs().length;
    const run = await runAcrPromote(inputs, endpoints);
    assert.equal(run.host.result?.result, 'Failed', run.host.result?.message);
    assert.match(run.host.result.message, new RegExp(`policy '${policy}' failed`));
    assert.match(run.host.result.message, reason);
    assert.match(run.host.result.message, /Nothing was copied; the target is untouched/);
    assert.equal(dstProbe.storedBlobs().length, blobs, 'no blob reached the target');
    assert.deepEqual(dstProbe.tags(inputs.targetRepository), [], 'no tag in the target');
    const v = run.record?.details.verification as { passed: boolean; failedPolicy: string } | undefined;
    assert.equal(v?.passed, false);
    assert.equal(v?.failedPolicy, policy);
  };

  it('promotes a signed image with a signed SBOM and a clean report; the record shows what was verified', async () => {
    const run = await runAcrPromote(
      cosign('good', 'good', {
        targetTags: '1.0',
        requireSbom: 'true',
        requireVulnerabilityReport: 'true',
        maxSeverity: 'critical',
      }),
      endpoints,
    );
    assert.equal(run.host.result?.result, 'Succeeded', run.host.result?.message);
    assert.equal(await dstProbe.manifestDigest('prod/good', '1.0'), images.good.digest);
    const v = run.record!.details.verification as Record<string, any>;
    assert.equal(v.passed, true);
    assert.equal(v.subject, images.good.digest);
    assert.equal(v.signature.kind, 'cosignKey');
    assert.match(v.signature.keyId, /^sha256:[a-f0-9]{64}$/);
    assert.equal(v.signature.via, 'cosign-tag');
    assert.deepEqual(
      v.sboms.map((s: any) => [s.format, s.via, s.packages]),
      [['SPDX', 'cosign-att', 2]],
    );
    assert.match(v.sboms[0].signer, /^key sha256:/);
    assert.deepEqual(v.vulnerabilities.counts, { critical: 0, high: 1, medium: 0, low: 1, unknown: 0 });
    assert.match(String(run.record!.details.verified), /signed \(cosignKey\).*SBOM SPDX.*C0\/H1\/M0\/L1/);
    assert.ok(
      run.host.lines.some((l) => /Verified: cosign signature/.test(l)),
      'the log says what was verified',
    );
    // The signature and attestations travel with the image.
    const hexTag = images.good.digest.replace(':', '-');
    assert.ok(await dstProbe.manifestDigest('prod/good', `${hexTag}.sig`));
    assert.ok(await dstProbe.manifestDigest('prod/good', `${hexTag}.att`));
  });

  it('refuses a tampered signature payload', () =>
    refused(cosign('tampered', 'tampered'), 'signature', /does not verify with key/));

  it('refuses an image signed with another key', () =>
    refused(cosign('otherkey', 'otherkey'), 'signature', /does not verify with key .*signed with another key/));

  it('refuses an unsigned image when a signature is required', () =>
    refused(cosign('notation', 'unsigned'), 'signature', /no cosign signature is attached/));

  it('refuses when the SBOM is missing', () =>
    refused(cosign('nosbom', 'nosbom', { requireSbom: 'true' }), 'sbom', /no validly signed SPDX or CycloneDX SBOM/));

  it('refuses one critical CVE, naming it', () =>
    refused(
      cosign('critical', 'critical', { requireVulnerabilityReport: 'true', maxSeverity: 'critical' }),
      'vulnerabilities',
      /1 finding\(s\) at or above 'critical'.*CVE-2024-3094 \(critical\)/,
    ));

  it('promotes with the critical CVE allow-listed, and records it as allowed', async () => {
    const run = await runAcrPromote(
      cosign('critical', 'allowed', {
        requireVulnerabilityReport: 'true',
        maxSeverity: 'high',
        allowedCves: 'CVE-2024-3094, cve-2024-0001',
      }),
      endpoints,
    );
    assert.equal(run.host.result?.result, 'Succeeded', run.host.result?.message);
    const v = run.record!.details.verification as Record<string, any>;
    assert.deepEqual(v.vulnerabilities.allowed.sort(), ['CVE-2024-0001', 'CVE-2024-3094']);
    assert.equal(v.vulnerabilities.counts.critical, 1);
    assert.equal(await dstProbe.manifestDigest('prod/allowed', 'v1'), images.critical.digest);
  });

  it('accepts a referrer SBOM signed like the image, and refuses an unsigned referrer scan', async () => {
    const ok = await runAcrPromote(cosign('referrers', 'ref-sbom', { requireSbom: 'true' }), endpoints);
    assert.equal(ok.host.result?.result, 'Succeeded', ok.host.result?.message);
    const v = ok.record!.details.verification as Record<string, any>;
    assert.deepEqual(
      v.sboms.map((s: any) => [s.format, s.via]),
      [['CycloneDX', 'referrer']],
    );
    await refused(
      cosign('referrers', 'ref-scan', { requireVulnerabilityReport: 'true' }),
      'vulnerabilities',
      /no validly signed vulnerability report.*not signed as required: no cosign signature/,
    );
  });

  const notation = (name: string, target: string, identities: string): Record<string, string> => ({
    ...cosign(name, target),
    verifySignature: 'notation',
    cosignPublicKey: '',
    notationTrustStore: rootPem,
    notationTrustedIdentities: identities,
  });

  it('promotes an image with a Notation signature from a trusted identity', async () => {
    const run = await runAcrPromote(
      notation('notation', 'notation', 'x509.subject: CN=release, O=Contoso, C=US'),
      endpoints,
    );
    assert.equal(run.host.result?.result, 'Succeeded', run.host.result?.message);
    const v = run.record!.details.verification as Record<string, any>;
    assert.equal(v.signature.kind, 'notation');
    assert.equal(v.signature.signer, 'C=US, O=Contoso, CN=release');
    assert.equal(v.signature.via, 'referrer');
  });

  it('refuses a Notation signer that is not a trusted identity', () =>
    refused(
      notation('notation', 'notation-who', 'x509.subject: C=US, O=Contoso, CN=someone-else'),
      'signature',
      /signer 'C=US, O=Contoso, CN=release' is not a trusted identity/,
    ));

  it('refuses a Notation signature whose certificate expired', () =>
    refused(notation('notationold', 'notation-old', '*'), 'signature', /certificate .*CN=release.* is not valid now/));

  it('refuses a Notation envelope altered after signing', () =>
    refused(
      notation('notationtampered', 'notation-tampered', '*'),
      'signature',
      /does not verify with its certificate/,
    ));

  it('refuses a Notation signature that does not chain to the trust store', async () => {
    const stranger = notationPki(path.join(pkiDir, 'stranger'), '/C=US/O=Contoso/CN=release');
    await refused(
      { ...notation('notation', 'notation-stranger', '*'), notationTrustStore: stranger.rootPem },
      'signature',
      /does not lead to a certificate of the trust store/,
    );
  });

  it('promotes an image with a Notation COSE signature (ES256, P-256 leaf); the record shows the signer', async () => {
    const run = await runAcrPromote(notation('cose', 'cose', 'x509.subject: C=US, O=Contoso, CN=release'), endpoints);
    assert.equal(run.host.result?.result, 'Succeeded', run.host.result?.message);
    assert.equal(await dstProbe.manifestDigest('prod/cose', 'v1'), images.cose.digest);
    const v = run.record!.details.verification as Record<string, any>;
    assert.equal(v.passed, true);
    assert.equal(v.signature.kind, 'notation');
    assert.equal(v.signature.signer, 'C=US, O=Contoso, CN=release');
    assert.match(v.signature.keyId, /^sha256:[a-f0-9]{64}$/);
    assert.ok(run.host.lines.some((l) => /Verified: Notation signature .*CN=release/.test(l)));
  });

  it('promotes an image with a Notation COSE signature made with an RSA-PSS key (PS384, RSA 3072)', async () => {
    const run = await runAcrPromote(
      notation(
        'cosersa',
        'cose-rsa',
        'x509.subject: C=US, O=Contoso, CN=release\nx509.subject: C=US, O=Contoso, CN=release-rsa',
      ),
      endpoints,
    );
    assert.equal(run.host.result?.result, 'Succeeded', run.host.result?.message);
    const v = run.record!.details.verification as Record<string, any>;
    assert.equal(v.signature.signer, 'C=US, O=Contoso, CN=release-rsa');
    assert.equal(await dstProbe.manifestDigest('prod/cose-rsa', 'v1'), images.cosersa.digest);
  });

  it('refuses a COSE envelope whose payload was altered after signing', () =>
    refused(
      notation('cosetampered', 'cose-tampered', '*'),
      'signature',
      /\(COSE\) does not verify with its certificate \(envelope altered\)/,
    ));

  it('refuses a COSE signature that does not chain to the trust store', async () => {
    const stranger = notationPki(path.join(pkiDir, 'stranger-cose'), '/C=US/O=Contoso/CN=release');
    await refused(
      { ...notation('cose', 'cose-stranger', '*'), notationTrustStore: stranger.rootPem },
      'signature',
      /\(COSE\) does not lead to a certificate of the trust store \('notationTrustStore'\)/,
    );
  });

  it('refuses a COSE signer that is not a trusted identity', () =>
    refused(
      notation('cose', 'cose-who', 'x509.subject: C=US, O=Contoso, CN=someone-else'),
      'signature',
      /signer 'C=US, O=Contoso, CN=release' is not a trusted identity \('notationTrustedIdentities'\)/,
    ));

  it('refuses a COSE signature past its signed expiry', () =>
    refused(
      notation('coseexpired', 'cose-expired', '*'),
      'signature',
      /the signature in .*\(COSE\) expired at .*\(io\.cncf\.notary\.expiry\)/,
    ));

  it('refuses a COSE signature with a critical header it does not understand', () =>
    refused(
      notation('cosecrit', 'cose-crit', '*'),
      'signature',
      /marks the header 'io\.contoso\.mustUnderstand' critical, which this verifier does not understand/,
    ));

  const keyless = (name: string, target: string, identity = IDENTITY): Record<string, string> => ({
    ...cosign(name, target),
    verifySignature: 'cosignKeyless',
    cosignPublicKey: '',
    sigstoreTrustedRoot: sigstore.trustedRoot,
    certificateIdentity: identity,
    certificateOidcIssuer: ISSUER,
  });

  it('promotes an image with a keyless Sigstore bundle and a keyless SBOM attestation, verified offline', async () => {
    const run = await runAcrPromote({ ...keyless('keyless', 'keyless'), requireSbom: 'true' }, endpoints);
    assert.equal(run.host.result?.result, 'Succeeded', run.host.result?.message);
    const v = run.record!.details.verification as Record<string, any>;
    assert.equal(v.signature.kind, 'cosignKeyless');
    assert.equal(v.signature.signer, IDENTITY);
    assert.equal(v.signature.issuer, ISSUER);
    assert.deepEqual(
      v.sboms.map((s: any) => [s.format, s.signer]),
      [['SPDX', IDENTITY]],
    );
  });

  it('refuses a keyless signature from another identity', () =>
    refused(
      keyless('keyless', 'keyless-who', 'https://github.com/contoso/shop/.github/workflows/other.yml@refs/heads/main'),
      'signature',
      /does not verify: UNTRUSTED_SIGNER_ERROR/,
    ));

  it('refuses a keyless signature whose certificate was not valid when it was logged', () =>
    refused(keyless('keylessold', 'keyless-old'), 'signature', /does not verify: CERTIFICATE_ERROR/));

  it('refuses a keyless bundle whose payload was altered', () =>
    refused(
      keyless('keylesstampered', 'keyless-tampered'),
      'signature',
      /does not verify: (TLOG_BODY_ERROR|SIGNATURE_ERROR)/,
    ));

  it('without sigstoreTrustedRoot, verifies against the embedded public-good root: a private Fulcio is not trusted', async () => {
    await refused(
      { ...keyless('keyless', 'keyless-public-good'), sigstoreTrustedRoot: '' },
      'signature',
      /does not verify: CERTIFICATE_ERROR.*checked against the embedded Sigstore public-good root/,
    );
  });

  it("the embedded root is @sigstore/tuf's public-good trusted_root.json: Fulcio, Rekor and CT log keys", () => {
    const seeds = JSON.parse(fs.readFileSync(require.resolve('@sigstore/tuf/seeds.json'), 'utf8')) as Record<
      string,
      { targets: Record<string, string> }
    >;
    const shipped = Buffer.from(seeds['https://tuf-repo-cdn.sigstore.dev'].targets['trusted_root.json'], 'base64');
    const root = JSON.parse(publicGoodTrustedRoot()) as {
      certificateAuthorities: { uri: string }[];
      tlogs: { baseUrl: string }[];
      ctlogs: unknown[];
    };
    assert.deepEqual(root, JSON.parse(shipped.toString('utf8')));
    assert.ok(root.certificateAuthorities.every((ca) => ca.uri === 'https://fulcio.sigstore.dev'));
    assert.ok(root.tlogs.some((t) => t.baseUrl === 'https://rekor.sigstore.dev'));
    assert.ok(root.ctlogs.length > 0);
  });
});
