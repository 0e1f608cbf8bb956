/**
 * AcrPromote's supply-chain gate as the hub shows it (tasks/common/record/details.ts
 * PromoteVerification, written by tasks/AcrPromote/verify/gate.ts): the Run view's list of what was
 * verified, and the matrix cell's "verified" mark with its signer.
 */
import type { PromoteVerification } from '../../../tasks/common/record';
import { isObj, list, text } from './detail-values';
import { LedgerRecord } from './model';

export interface VerificationView {
  passed: boolean;
  /** The policy, one line: "signature cosignKey, SBOM required". */
  policy: string;
  signer?: string;
  signatureLine?: string;
  /** One line per verified SBOM or vulnerability report, with its signer. */
  documents: string[];
  counts?: string;
  rejected: { digest: string; reason: string }[];
  failure?: string;
}

export function promoteVerification(r: LedgerRecord): VerificationView | undefined {
  const v = r.details.verification as PromoteVerification | undefined;
  if (!isObj(v)) return undefined;
  const p = isObj(v.policy) ? v.policy : undefined;
  const sig = isObj(v.signature) ? v.signature : undefined;
  const vulns = isObj(v.vulnerabilities) ? v.vulnerabilities : undefined;
  const c = vulns && isObj(vulns.counts) ? vulns.counts : undefined;
  return {
    passed: v.passed === true,
    policy: [
      p?.signature ? `signature ${p.signature}` : '',
      p?.requireSbom ? 'SBOM required' : '',
      p?.maxSeverity ? `findings up to ${p.maxSeverity}` : '',
      p?.allowedCves?.length ? `accepted ${p.allowedCves.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join(', '),
    signer: sig?.signer,
    signatureLine: sig
      ? [
          `${sig.kind} signature ${sig.signature}`,
          sig.via ? `via ${sig.via}` : '',
          sig.keyId ? `key ${sig.keyId}` : '',
          sig.keyVaultKey ? `Key Vault ${sig.keyVaultKey}` : '',
          sig.issuer ? `issuer ${sig.issuer}` : '',
        ]
          .filter(Boolean)
          .join(' · ')
      : undefined,
    documents: [
      ...list<PromoteVerification['sboms'][number]>(v.sboms).map(
        (s) =>
          `SBOM ${s.format} (${text(s.packages) ?? '?'} packages) ${s.digest} via ${s.via ?? '?'}, signed by ${s.signer ?? 'nobody'}`,
      ),
      ...list<NonNullable<PromoteVerification['vulnerabilities']>['reports'][number]>(vulns?.reports).map(
        (s) =>
          `${s.scanner} report ${s.format} (${text(s.findings) ?? '?'} findings) ${s.digest} via ${s.via ?? '?'}, signed by ${s.signer ?? 'nobody'}`,
      ),
    ],
    counts: c
      ? `critical ${c.critical}, high ${c.high}, medium ${c.medium}, low ${c.low}, unknown ${c.unknown}${vulns?.allowed?.length ? `; accepted ${vulns.allowed.join(', ')}` : ''}`
      : undefined,
    rejected: list<{ digest: string; reason: string }>(v.rejected),
    failure: v.failedPolicy ? `policy '${v.failedPolicy}' failed${v.reason ? `: ${v.reason}` : ''}` : undefined,
  };
}

/** What a matrix cell shows of the gate: passed or refused, and by whom the digest was signed. */
export function verificationMark(r: LedgerRecord): { passed: boolean; signer?: string } | undefined {
  const v = r.details.verification;
  if (!isObj(v) || typeof v.passed !== 'boolean') return undefined;
  const sig = isObj(v.signature) ? v.signature : undefined;
  return { passed: v.passed, signer: typeof sig?.signer === 'string' ? sig.signer : undefined };
}
