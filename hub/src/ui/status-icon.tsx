import * as React from 'react';
import { Status, Statuses, StatusSize } from 'azure-devops-ui/Status';
import { statusType } from './format';

export function StatusIcon(props: { status?: string; size?: StatusSize }): JSX.Element {
  const type = statusType(props.status);
  return (
    <Status
      {...Statuses[type]}
      size={props.size ?? StatusSize.s}
      ariaLabel={props.status ?? type}
      className="mcd-status"
    />
  );
}
