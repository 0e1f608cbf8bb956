/** The Run tab's run choice (azure-devops-ui Dropdown with a filter box): newest first, with its pipeline. */
import * as React from 'react';
import { Dropdown } from 'azure-devops-ui/Dropdown';
import { DropdownSelection } from 'azure-devops-ui/Utilities/DropdownSelection';
import { RunEntry } from '../data/model';

export function runLabel(e: RunEntry): string {
  return `${e.run.definitionName ? `${e.run.definitionName} ` : ''}${e.run.buildNumber} (${e.records.length} records)`;
}

export function RunPicker(props: { runs: RunEntry[]; selected?: number; onSelect(runId: number): void }): JSX.Element {
  const selection = React.useMemo(() => new DropdownSelection(), []);
  const items = React.useMemo(() => props.runs.map((e) => ({ id: String(e.run.id), text: runLabel(e) })), [props.runs]);
  React.useEffect(() => {
    const i = props.runs.findIndex((e) => e.run.id === props.selected);
    if (i >= 0) selection.select(i);
    else selection.clear();
  }, [props.runs, props.selected, selection]);
  return (
    <div className="mcd-run-picker" data-testid="run-picker" data-run={props.selected ?? ''}>
      <Dropdown
        ariaLabel="Run"
        placeholder="Choose a run"
        items={items}
        selection={selection}
        showFilterBox={items.length > 8}
        onSelect={(_, item) => props.onSelect(Number(item.id))}
      />
    </div>
  );
}
