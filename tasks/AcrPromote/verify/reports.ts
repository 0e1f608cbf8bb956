/* eslint-disable @typescript-eslint/no-base-to-string -- scanner reports are untyped JSON: a field read here is a string,
   a number or absent in every format we read (Trivy, Grype, SARIF, cosign vuln), and String() is the rendering wanted. */
import { Severity } from './policy';

/**
 * Reads the documents a supply chain attaches: SBOMs (SPDX, CycloneDX) and vulnerability reports
 * (Trivy JSON, Grype JSON, SARIF as Trivy/Grype write it, and cosign's vuln predicate, whose
 * scanner.result is one of those). Pure: bytes in, facts out.
 */
export type Document =
  | { kind: 'sbom'; format: 'SPDX' | 'CycloneDX'; packages: number }
  | { kind: 'vulnerabilities'; format: 'Trivy' | 'Grype' | 'SARIF'; scanner: string; findings: Finding[] }
  | { kind: 'other' };

export interface Finding {
  id: string;
  severity: Severity | 'unknown';
}

/** in-toto predicate types (github.com/in-toto/attestation, predicates/) and cosign's. */
export const PREDICATES = {
  spdx: ['https://spdx.dev/Document', 'https://spdx.dev/Document/v2.3'],
  cyclonedx: ['https://cyclonedx.org/bom', 'https://cyclonedx.org/bom/v1.4'],
  vuln: ['https://cosign.sigstore.dev/attestation/vuln/v1'],
};

export function severityOf(text: unknown): Finding['severity'] {
  const s = String(text ?? '').toLowerCase();
  if (s === 'critical' || s === 'high' || s === 'medium' || s === 'low') return s;
  if (s === 'moderate') return 'medium';
  if (s === 'negligible') return 'low';
  return 'unknown';
}

/** CVSS v3 base score bands (FIRST CVSS v3.1 spec, 5. Qualitative Severity Rating Scale). */
export function severityOfScore(score: number): Finding['severity'] {
  if (!Number.isFinite(score)) return 'unknown';
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  if (score > 0) return 'low';
  return 'unknown';
}

type Json = Record<string, unknown>;
const arr = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);

function trivy(doc: Json): Finding[] {
  return arr(doc.Results).flatMap((r) =>
    arr(r.Vulnerabilities).map((v) => ({ id: String(v.VulnerabilityID ?? ''), severity: severityOf(v.Severity) })),
  );
}

function grype(doc: Json): Finding[] {
  return arr(doc.matches).map((m) => {
    const v = (m.vulnerability ?? {}) as Json;
    return { id: String(v.id ?? ''), severity: severityOf(v.severity) };
  });
}

/** SARIF 2.1.0: severity from the rule's security-severity (a CVSS score, as GitHub reads it), else its tags. */
function sarif(doc: Json): Finding[] {
  return arr(doc.runs).flatMap((run) => {
    const driver = ((run.tool as Json | undefined)?.driver ?? {}) as Json;
    const rules = new Map(arr(driver.rules).map((r) => [String(r.id), r]));
    return arr(run.results).map((res) => {
      const rule = rules.get(String(res.ruleId)) ?? {};
      const props = (rule.properties ?? {}) as Json;
      const score = Number(props['security-severity']);
      let severity = severityOfScore(score);
      if (severity === 'unknown') {
        const tag = arr(props.tags)
          .map((t) => String(t))
          .find((t) => severityOf(t) !== 'unknown');
        severity = severityOf(tag);
      }
      return { id: String(res.ruleId ?? ''), severity };
    });
  });
}

/** What a JSON document is, by its own markers (media types on referrers vary by tool). */
export function classify(doc: unknown, predicateType?: string): Document {
  if (!doc || typeof doc !== 'object') return { kind: 'other' };
  const d = doc as Json;
  if (predicateType && PREDICATES.vuln.includes(predicateType)) {
    const scanner = (d.scanner ?? {}) as Json;
    const inner = classify(scanner.result);
    if (inner.kind === 'vulnerabilities')
      return {
        ...inner,
        scanner: `${String(scanner.uri ?? inner.scanner)}${scanner.version ? ` ${String(scanner.version)}` : ''}`,
      };
    return { kind: 'other' };
  }
  if (typeof d.spdxVersion === 'string') return { kind: 'sbom', format: 'SPDX', packages: arr(d.packages).length };
  if (d.bomFormat === 'CycloneDX') return { kind: 'sbom', format: 'CycloneDX', packages: arr(d.components).length };
  if (Array.isArray(d.Results) && ('SchemaVersion' in d || 'ArtifactName' in d))
    return { kind: 'vulnerabilities', format: 'Trivy', scanner: 'trivy', findings: trivy(d) };
  if (Array.isArray(d.matches))
    return { kind: 'vulnerabilities', format: 'Grype', scanner: 'grype', findings: grype(d) };
  if (Array.isArray(d.runs) && (String(d.$schema ?? '').includes('sarif') || d.version === '2.1.0')) {
    const name = String(((arr(d.runs)[0]?.tool as Json | undefined)?.driver as Json | undefined)?.name ?? 'SARIF');
    return { kind: 'vulnerabilities', format: 'SARIF', scanner: name, findings: sarif(d) };
  }
  return { kind: 'other' };
}

export type SeverityCounts = Record<Severity | 'unknown', number>;

const RANK: Record<Finding['severity'], number> = { critical: 4, high: 3, medium: 2, low: 1, unknown: 0 };

/** Counts by severity; the findings at or above `max` that the allow-list does not excuse block. */
export function evaluate(
  findings: Finding[],
  max: Severity,
  allowed: string[],
): { counts: SeverityCounts; blocking: Finding[]; allowed: Finding[] } {
  const counts: SeverityCounts = { critical: 0, high: 0, medium: 0, low: 0, unknown: 0 };
  const blocking: Finding[] = [];
  const excused: Finding[] = [];
  const allow = new Set(allowed.map((a) => a.toUpperCase()));
  for (const f of findings) {
    counts[f.severity]++;
    if (RANK[f.severity] >= RANK[max]) (allow.has(f.id.toUpperCase()) ? excused : blocking).push(f);
  }
  return { counts, blocking, allowed: excused };
}
