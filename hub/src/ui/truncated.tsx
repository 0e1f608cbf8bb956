/** A long value (digest, OCID, tag, URL) on one line: ellipsis, full text in a tooltip, and a copy button. */
import * as React from 'react';
import { ClipboardButton } from 'azure-devops-ui/Clipboard';

export function Truncated(props: {
  text: string;
  label?: string;
  mono?: boolean;
  copy?: boolean;
  className?: string;
}): JSX.Element {
  return (
    <span className={`mcd-trunc${props.mono ? ' mcd-mono' : ''}${props.className ? ` ${props.className}` : ''}`}>
      <span className="mcd-trunc-text" title={props.text}>
        {props.text}
      </span>
      {props.copy === false ? null : (
        <ClipboardButton
          className="mcd-copy"
          subtle
          ariaLabel={`Copy ${props.label ?? props.text}`}
          getContent={() => props.text}
          showCopiedTooltip="Copied"
        />
      )}
    </span>
  );
}
