import { TaskError } from '../../common/errors';
import { Endpoint } from '../../common/registry/copy-graph';
import { Descriptor } from '../../common/registry/media-types';
import { DsseEnvelope } from './cosign-key';
import { Attached, attachedTo } from './fetch-artifacts';
import { Severity, SignaturePolicy, VerifyPolicy } from './policy';
import { Document, SeverityCounts, classify, evaluate } from './reports';
import { NOTATION_SIGNATURE, SIGSTORE_BUNDLE, SignatureCheck, SignerFact, untrusted } from './signature';
import { KeySources, signatureCheckFor } from '../signature-checks';

const DSSE = 'application/vnd.dsse.envelope.v1+json';
const SIGNATURE_TYPES = new Set([NOTATION_SIGNATURE, 'application/vnd.dev.cosign.artifact.sig.v1+json']);

export interface AttestationFact {
  format: string;
  /** Digest of the artifact that carried it. */
  digest: string;
  via: Attached['via'];
  signer?: string;
}

/** What the record and the hub show: every verified fact, or the policy that refused. */
export interface VerificationFacts {
  passed: boolean;
  subject: string;
  policy: { signature: SignaturePolicy['kind']; requireSbom: boolean; maxSeverity?: Severity; allowedCves?: string[] };
  signature?: SignerFact;
  sboms: (AttestationFact & { packages: number })[];
  vulnerabilities?: {
    reports: (AttestationFact & { scanner: string; findings: number })[];
    counts: SeverityCounts;
    allowed: string[];
  };
  /** Attached documents not accepted, and why (unsigned, signed by another key…). */
  rejected: { digest: string; reason: string }[];
  failedPolicy?: 'signature' | 'sbom' | 'vulnerabilities';
  reason?: string;
}

export class GateRefusal extends TaskError {
  constructor(
    readonly facts: VerificationFacts,
    fix: string,
  ) {
    super(
      `Supply-chain gate refused ${facts.subject}: policy '${facts.failedPolicy}' failed: ${facts.reason}. Nothing was copied; the target is untouched.`,
      fix,
    );
  }
}

const FIXES: Record<NonNullable<VerificationFacts['failedPolicy']>, string> = {
  signature:
    "Promote a digest signed as 'verifySignature' requires, or correct the key / trust store / identity inputs.",
  sbom: "Attach a signed SPDX or CycloneDX SBOM (cosign attest, or oras attach + sign), or set 'requireSbom: false'.",
  vulnerabilities: "Fix the findings, attach a current signed scan, or list accepted ids in 'allowedCves'.",
};

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** Verifies the policy on the source digest; throws GateRefusal (fail closed) on the first policy that fails. */
export async function verifySource(
  src: Endpoint,
  root: Descriptor,
  policy: VerifyPolicy,
  log: (m: string) => void,
  keys: KeySources = {},
): Promise<VerificationFacts> {
  const facts: VerificationFacts = {
    passed: false,
    subject: root.digest,
    policy: {
      signature: policy.signature.kind,
      requireSbom: policy.requireSbom,
      maxSeverity: policy.vulnerabilities?.maxSeverity,
      allowedCves: policy.vulnerabilities?.allowed,
    },
    sboms: [],
    rejected: [],
  };
  const refuse = (failed: NonNullable<VerificationFacts['failedPolicy']>, reason: string): never => {
    facts.failedPolicy = failed;
    facts.reason = reason;
    throw new GateRefusal(facts, FIXES[failed]);
  };
  // The key (from Key Vault, say) and the attached artifacts are fetched at once.
  const [check, attached]: [SignatureCheck | undefined, Attached[]] = await Promise.all([
    signatureCheckFor(policy.signature, keys),
    attachedTo(src, root.digest),
  ]);
  if (check) {
    const r = await check.check(root.digest, attached);
    if (typeof r === 'string') refuse('signature', r);
    else {
      facts.signature = r;
      log(`Verified: ${check.describe} of ${root.digest} (${r.signer}).`);
    }
  }

  /** An attestation's signer is checked like the image's: its own envelope, or a signature attached to it. */
  const signerOf = async (art: Attached, bytes: Buffer, env?: DsseEnvelope): Promise<string | { signer?: string }> => {
    if (!check) return {};
    if (art.artifactType === SIGSTORE_BUNDLE) {
      const r = check.checkBundle
        ? check.checkBundle(art, bytes)
        : `a Sigstore bundle does not satisfy '${policy.signature.kind}'`;
      return typeof r === 'string' ? r : { signer: r.signer };
    }
    if (env && check.checkEnvelope) {
      const r = check.checkEnvelope(env);
      return typeof r === 'string' ? r : { signer: r.signer };
    }
    const r = await check.check(art.digest, await attachedTo(src, art.digest));
    return typeof r === 'string' ? `not signed as required: ${r}` : { signer: r.signer };
  };

  const docs: { doc: Document; art: Attached; signer?: string }[] = [];
  for (const art of attached) {
    if (art.via === 'cosign-sig' || SIGNATURE_TYPES.has(art.artifactType ?? '')) continue;
    for (const layer of art.layers) {
      const json = parseJson(layer.bytes);
      let doc: Document;
      let env: DsseEnvelope | undefined;
      const bundle = art.artifactType === SIGSTORE_BUNDLE;
      if (layer.descriptor.mediaType === DSSE || bundle) {
        const statement = dsseStatement(bundle ? (json as { dsseEnvelope?: unknown } | undefined)?.dsseEnvelope : json);
        if (!statement) continue;
        env = bundle ? undefined : (json as DsseEnvelope);
        const hex = root.digest.split(':')[1];
        if (!statement.subject?.some((s) => s.digest?.sha256 === hex)) {
          facts.rejected.push({ digest: art.digest, reason: 'its statement is about another subject' });
          continue;
        }
        doc = classify(statement.predicate, statement.predicateType);
        if (doc.kind === 'other' && statement.predicateType)
          doc = classifyByPredicate(statement.predicateType, statement.predicate);
      } else {
        doc = classify(json);
      }
      if (doc.kind === 'other') continue;
      const signer = await signerOf(art, layer.bytes, env);
      if (typeof signer === 'string') {
        facts.rejected.push({ digest: art.digest, reason: untrusted(signer) });
        continue;
      }
      docs.push({ doc, art, signer: signer.signer });
    }
  }

  for (const { doc, art, signer } of docs) {
    if (doc.kind === 'sbom')
      facts.sboms.push({ format: doc.format, packages: doc.packages, digest: art.digest, via: art.via, signer });
  }
  const rejectedText = (): string =>
    facts.rejected.length ? `; not accepted: ${facts.rejected.map((r) => `${r.digest} (${r.reason})`).join('; ')}` : '';
  if (policy.requireSbom && !facts.sboms.length)
    refuse(
      'sbom',
      `no${check ? ' validly signed' : ''} SPDX or CycloneDX SBOM is attached to ${root.digest}${rejectedText()}`,
    );
  if (policy.requireSbom)
    log(`Verified: SBOM ${facts.sboms.map((s) => `${s.format} ${s.digest.slice(0, 19)}…`).join(', ')}.`);

  if (policy.vulnerabilities) {
    const { maxSeverity, allowed } = policy.vulnerabilities;
    const reports = docs.filter((d) => d.doc.kind === 'vulnerabilities');
    if (!reports.length)
      refuse(
        'vulnerabilities',
        `no${check ? ' validly signed' : ''} vulnerability report is attached to ${root.digest}${rejectedText()}`,
      );
    const findings = reports.flatMap((r) => (r.doc.kind === 'vulnerabilities' ? r.doc.findings : []));
    const result = evaluate(findings, maxSeverity, allowed);
    facts.vulnerabilities = {
      reports: reports.map((r) => ({
        format: r.doc.kind === 'vulnerabilities' ? r.doc.format : '',
        scanner: r.doc.kind === 'vulnerabilities' ? untrusted(r.doc.scanner) : '',
        findings: r.doc.kind === 'vulnerabilities' ? r.doc.findings.length : 0,
        digest: r.art.digest,
        via: r.art.via,
        signer: r.signer,
      })),
      counts: result.counts,
      allowed: [...new Set(result.allowed.map((f) => untrusted(f.id)))],
    };
    if (result.blocking.length) {
      const ids = [...new Set(result.blocking.map((f) => `${untrusted(f.id)} (${f.severity})`))];
      refuse(
        'vulnerabilities',
        `${result.blocking.length} finding(s) at or above '${maxSeverity}' not in 'allowedCves': ${ids.slice(0, 10).join(', ')}${ids.length > 10 ? ', …' : ''}`,
      );
    }
    const c = result.counts;
    log(
      `Verified: vulnerability report(s) within policy (critical ${c.critical}, high ${c.high}, medium ${c.medium}, low ${c.low}; allowed: ${facts.vulnerabilities.allowed.join(', ') || 'none'}).`,
    );
  }
  facts.passed = true;
  return facts;
}

interface Statement {
  predicateType?: string;
  predicate?: unknown;
  subject?: { digest?: { sha256?: string } }[];
}

function dsseStatement(json: unknown): Statement | undefined {
  const env = json as DsseEnvelope | undefined;
  if (!env || typeof env.payload !== 'string') return undefined;
  return parseJson(Buffer.from(env.payload, 'base64')) as Statement | undefined;
}

/** An SBOM predicate that does not carry its own markers (some tools wrap the document): trust the predicate type. */
function classifyByPredicate(type: string, predicate: unknown): Document {
  if (type.startsWith('https://spdx.dev/Document'))
    return {
      kind: 'sbom',
      format: 'SPDX',
      packages: Array.isArray((predicate as { packages?: unknown[] })?.packages)
        ? (predicate as { packages: unknown[] }).packages.length
        : 0,
    };
  if (type.startsWith('https://cyclonedx.org/bom'))
    return {
      kind: 'sbom',
      format: 'CycloneDX',
      packages: Array.isArray((predicate as { components?: unknown[] })?.components)
        ? (predicate as { components: unknown[] }).components.length
        : 0,
    };
  return { kind: 'other' };
}

/** One line for the markdown summary. */
export function describeFacts(f: VerificationFacts): string {
  if (!f.passed) return `refused: ${f.failedPolicy}`;
  const parts: string[] = [];
  if (f.signature) parts.push(`signed (${f.signature.kind}) by ${f.signature.signer}`);
  if (f.sboms.length) parts.push(`SBOM ${f.sboms.map((s) => s.format).join(', ')}`);
  if (f.vulnerabilities) {
    const c = f.vulnerabilities.counts;
    parts.push(
      `vulnerabilities C${c.critical}/H${c.high}/M${c.medium}/L${c.low}${f.vulnerabilities.allowed.length ? ` (allowed: ${f.vulnerabilities.allowed.join(', ')})` : ''}`,
    );
  }
  return parts.join('; ');
}
