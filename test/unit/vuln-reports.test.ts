import { strict as assert } from 'node:assert';
import { classify, evaluate, severityOfScore } from '../../tasks/AcrPromote/verify/reports';
import { filterIndex, platformMatches } from '../../tasks/AcrPromote/platforms';

describe('supply-chain documents (pure)', () => {
  const docs: [string, unknown, string | undefined, Record<string, unknown>][] = [
    [
      'SPDX 2.3',
      { spdxVersion: 'SPDX-2.3', packages: [{}, {}] },
      undefined,
      { kind: 'sbom', format: 'SPDX', packages: 2 },
    ],
    [
      'CycloneDX',
      { bomFormat: 'CycloneDX', specVersion: '1.5', components: [{}] },
      undefined,
      { kind: 'sbom', format: 'CycloneDX', packages: 1 },
    ],
    [
      'Trivy JSON',
      { SchemaVersion: 2, Results: [{ Vulnerabilities: [{ VulnerabilityID: 'CVE-1', Severity: 'CRITICAL' }] }] },
      undefined,
      { format: 'Trivy' },
    ],
    [
      'Grype JSON',
      { matches: [{ vulnerability: { id: 'GHSA-x', severity: 'Negligible' } }] },
      undefined,
      { format: 'Grype' },
    ],
    [
      'SARIF (Trivy)',
      {
        version: '2.1.0',
        runs: [
          {
            tool: { driver: { name: 'Trivy', rules: [{ id: 'CVE-2', properties: { 'security-severity': '7.5' } }] } },
            results: [{ ruleId: 'CVE-2' }],
          },
        ],
      },
      undefined,
      { format: 'SARIF', scanner: 'Trivy' },
    ],
    [
      'cosign vuln predicate',
      { scanner: { uri: 'pkg:github/anchore/grype', version: '0.74', result: { matches: [] } } },
      'https://cosign.sigstore.dev/attestation/vuln/v1',
      { format: 'Grype', scanner: 'pkg:github/anchore/grype 0.74' },
    ],
    ['something else', { hello: 'world' }, undefined, { kind: 'other' }],
  ];
  for (const [name, doc, predicate, want] of docs) {
    it(`reads ${name}`, () => {
      const got = classify(doc, predicate) as unknown as Record<string, unknown>;
      for (const [k, v] of Object.entries(want)) assert.deepEqual(got[k], v, k);
    });
  }

  it('maps CVSS scores to severities (CVSS v3.1 rating scale)', () => {
    assert.deepEqual([9.8, 9, 7, 6.9, 4, 0.1, 0, NaN].map(severityOfScore), [
      'critical',
      'critical',
      'high',
      'medium',
      'medium',
      'low',
      'unknown',
      'unknown',
    ]);
  });

  it('blocks findings at or above the maximum unless allow-listed (case-insensitive)', () => {
    const f = [
      { id: 'CVE-1', severity: 'critical' as const },
      { id: 'CVE-2', severity: 'high' as const },
      { id: 'CVE-3', severity: 'medium' as const },
    ];
    assert.deepEqual(
      evaluate(f, 'critical', []).blocking.map((x) => x.id),
      ['CVE-1'],
    );
    assert.deepEqual(
      evaluate(f, 'high', ['cve-1']).blocking.map((x) => x.id),
      ['CVE-2'],
    );
    assert.deepEqual(
      evaluate(f, 'high', ['cve-1']).allowed.map((x) => x.id),
      ['CVE-1'],
    );
    assert.deepEqual(evaluate(f, 'low', ['CVE-1', 'CVE-2', 'CVE-3']).blocking, []);
    assert.deepEqual(evaluate(f, 'medium', []).counts, { critical: 1, high: 1, medium: 1, low: 0, unknown: 0 });
  });

  it('matches platforms as Docker does (variant optional when not written)', () => {
    assert.ok(platformMatches('linux/arm64', 'linux/arm64/v8'));
    assert.ok(!platformMatches('linux/arm64/v8', 'linux/arm64'));
    assert.ok(!platformMatches('linux/arm', 'linux/arm64'));
  });

  it('filters an index, keeping other fields and the buildx attestation of each kept platform', () => {
    const d = (n: string) => `sha256:${n.repeat(64)}`;
    const index = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      annotations: { 'org.opencontainers.image.source': 'x' },
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: d('a'),
          size: 1,
          platform: { os: 'linux', architecture: 'amd64' },
        },
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: d('b'),
          size: 1,
          platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
        },
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: d('c'),
          size: 1,
          platform: { os: 'unknown', architecture: 'unknown' },
          annotations: { 'vnd.docker.reference.digest': d('b'), 'vnd.docker.reference.type': 'attestation-manifest' },
        },
      ],
    };
    const bytes = Buffer.from(JSON.stringify(index));
    const s = filterIndex(bytes, index.mediaType, ['linux/arm64'], 'r/x');
    const out = JSON.parse(s.bytes.toString('utf8'));
    assert.deepEqual(
      out.manifests.map((m: { digest: string }) => m.digest),
      [d('b'), d('c')],
    );
    assert.deepEqual(out.annotations, index.annotations);
    assert.deepEqual([s.keptNames, s.droppedNames], [['linux/arm64/v8'], ['linux/amd64']]);
    assert.throws(
      () => filterIndex(bytes, index.mediaType, ['windows/amd64'], 'r/x'),
      /it has linux\/amd64, linux\/arm64\/v8/,
    );
  });
});
