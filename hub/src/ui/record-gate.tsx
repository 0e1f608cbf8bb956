/** AcrPromote's supply-chain gate in the Run view: the policy, the signer, each verified document, what was rejected. */
import * as React from 'react';
import { promoteVerification } from '../data/run-details';
import { LedgerRecord } from '../data/model';
import { StatusIcon } from './status-icon';
import { Truncated } from './truncated';

export function Verification(props: { record: LedgerRecord }): JSX.Element | null {
  const v = promoteVerification(props.record);
  if (!v) return null;
  return (
    <div className="mcd-gate" data-testid="verification" data-passed={String(v.passed)}>
      <div>
        <StatusIcon status={v.passed ? 'succeeded' : 'failed'} />{' '}
        <strong>{v.passed ? 'Verified before promotion' : 'Refused by the supply-chain gate'}</strong>
        {v.policy ? <span className="mcd-secondary"> · {v.policy}</span> : null}
      </div>
      {v.failure ? <div className="mcd-error">{v.failure}</div> : null}
      <ul className="mcd-secrets">
        {v.signer ? (
          <li data-testid="verification-signer">
            signed by <Truncated text={v.signer} label="signer" mono />
            {v.signatureLine ? (
              <div className="mcd-secondary">
                <Truncated text={v.signatureLine} label="signature" copy={false} />
              </div>
            ) : null}
          </li>
        ) : null}
        {v.documents.map((d) => (
          <li key={d}>
            <Truncated text={d} label="verified document" copy={false} />
          </li>
        ))}
        {v.counts ? <li className="mcd-secondary">findings: {v.counts}</li> : null}
        {v.rejected.map((x) => (
          <li key={x.digest} className="mcd-secondary" data-testid="verification-rejected">
            not accepted: <Truncated text={x.digest} label="rejected digest" mono copy={false} /> ·{' '}
            <Truncated text={x.reason} label="reason" copy={false} />
          </li>
        ))}
      </ul>
    </div>
  );
}
