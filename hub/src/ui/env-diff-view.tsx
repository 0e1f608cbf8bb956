/** Two environments compared: for each artifact, the version in each and whether they differ (azure-devops-ui Card, Dropdown, Table, Pill). */
import * as React from 'react';
import { Card } from 'azure-devops-ui/Card';
import { Dropdown } from 'azure-devops-ui/Dropdown';
import { DropdownSelection } from 'azure-devops-ui/Utilities/DropdownSelection';
import { ArrayItemProvider } from 'azure-devops-ui/Utilities/Provider';
import { ITableColumn, SimpleTableCell, Table } from 'azure-devops-ui/Table';
import { Pill, PillSize, PillVariant } from 'azure-devops-ui/Pill';
import { DiffRow, VersionAt, environmentDiff } from '../data/env-diff';
import { MatrixView } from '../data/matrix';

function EnvPicker(props: { label: string; envs: string[]; value: string; onChange(env: string): void }): JSX.Element {
  const selection = React.useMemo(() => new DropdownSelection(), []);
  React.useEffect(() => {
    const i = props.envs.indexOf(props.value);
    if (i >= 0) selection.select(i);
  }, [props.envs, props.value, selection]);
  return (
    <Dropdown
      ariaLabel={props.label}
      className="mcd-env-picker"
      items={props.envs.map((e) => ({ id: e, text: e }))}
      selection={selection}
      onSelect={(_, item) => props.onChange(item.id)}
    />
  );
}

function versionCell(v: VersionAt | undefined): JSX.Element {
  return v ? (
    <span className="mcd-trunc-text" title={v.digest ?? v.version}>
      {v.version} <span className="mcd-secondary">run {v.record.run.buildNumber ?? v.record.run.buildId}</span>
    </span>
  ) : (
    <span className="mcd-secondary">nothing</span>
  );
}

export function EnvironmentDiff(props: { matrix: MatrixView }): JSX.Element | null {
  const envs = props.matrix.environments;
  const [a, setA] = React.useState(envs[0]);
  const [b, setB] = React.useState(envs[envs.length - 1]);
  if (envs.length < 2) return null;
  const left = envs.includes(a) ? a : envs[0];
  const right = envs.includes(b) ? b : envs[envs.length - 1];
  const rows = environmentDiff(props.matrix, left, right);
  const columns: ITableColumn<DiffRow>[] = [
    {
      id: 'label',
      name: 'Artifact',
      width: -30,
      renderCell: (r, c, col, item) => cell(c, col, <span>{item.label}</span>),
    },
    { id: 'a', name: left, width: -30, renderCell: (r, c, col, item) => cell(c, col, versionCell(item.a)) },
    { id: 'b', name: right, width: -30, renderCell: (r, c, col, item) => cell(c, col, versionCell(item.b)) },
    {
      id: 'same',
      name: 'Differs',
      width: -10,
      renderCell: (r, c, col, item) =>
        cell(
          c,
          col,
          <Pill size={PillSize.compact} variant={PillVariant.outlined}>
            {item.same ? 'same' : 'differs'}
          </Pill>,
        ),
    },
  ];
  return (
    <Card className="mcd-diff" titleProps={{ text: 'Compare environments', ariaLevel: 2 }}>
      <div className="mcd-diff-body" data-testid="env-diff">
        <div className="mcd-diff-pickers">
          <EnvPicker label="First environment" envs={envs} value={left} onChange={setA} />
          <span className="mcd-secondary">with</span>
          <EnvPicker label="Second environment" envs={envs} value={right} onChange={setB} />
        </div>
        <Table<DiffRow>
          ariaLabel={`Differences between ${left} and ${right}`}
          columns={columns}
          itemProvider={new ArrayItemProvider(rows)}
          role="table"
          containerClassName="mcd-diff-table"
        />
      </div>
    </Card>
  );
}

function cell(columnIndex: number, column: ITableColumn<DiffRow>, children: JSX.Element): JSX.Element {
  return (
    <SimpleTableCell key={column.id} columnIndex={columnIndex} tableColumn={column}>
      <div data-testid="env-diff-cell" className="mcd-diff-cell">
        {children}
      </div>
    </SimpleTableCell>
  );
}
