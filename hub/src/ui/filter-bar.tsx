/**
 * The hub's filters as an azure-devops-ui FilterBar: a keyword box and one multi-select dropdown per
 * list (pipeline, environment, artifact, result, task), all over one `Filter` object. The hub owns the
 * state (it is in the URL); this keeps the Filter and that state in step both ways.
 */
import * as React from 'react';
import { DropdownFilterBarItem } from 'azure-devops-ui/Dropdown';
import { FilterBar } from 'azure-devops-ui/FilterBar';
import { KeywordFilterBarItem } from 'azure-devops-ui/TextFilterBarItem';
import { Filter, FILTER_CHANGE_EVENT, IFilterState } from 'azure-devops-ui/Utilities/Filter';
import { DropdownMultiSelection } from 'azure-devops-ui/Utilities/DropdownSelection';
import { HubFilter, LIST_KEYS, ListKey, emptyFilter } from './hub-filter';

const LABEL: Record<ListKey, string> = {
  pipeline: 'Pipeline',
  environment: 'Environment',
  artifact: 'Artifact',
  result: 'Result',
  task: 'Task',
};

function toFilterState(f: HubFilter): IFilterState {
  const s: IFilterState = { keyword: f.keyword ? { value: f.keyword } : null };
  for (const k of LIST_KEYS) s[k] = f[k].length ? { value: [...f[k]] } : null;
  return s;
}

function fromFilterState(s: IFilterState): HubFilter {
  const f = emptyFilter();
  const kw = s.keyword?.value as unknown;
  f.keyword = typeof kw === 'string' ? kw : '';
  for (const k of LIST_KEYS) {
    const v = s[k]?.value as unknown;
    f[k] = Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  }
  return f;
}

function same(a: HubFilter, b: HubFilter): boolean {
  return a.keyword === b.keyword && LIST_KEYS.every((k) => a[k].join('\n') === b[k].join('\n'));
}

export function HubFilterBar(props: {
  value: HubFilter;
  onChange(f: HubFilter): void;
  choices: Record<ListKey, { id: string; text: string }[]>;
  /** The dropdowns this tab offers, in order. */
  lists: ListKey[];
  keywordPlaceholder: string;
}): JSX.Element {
  const filter = React.useMemo(() => new Filter(), []);
  const selections = React.useMemo(
    () =>
      Object.fromEntries(LIST_KEYS.map((k) => [k, new DropdownMultiSelection()])) as Record<
        ListKey,
        DropdownMultiSelection
      >,
    [],
  );
  const latest = React.useRef(props);
  latest.current = props;
  // State → Filter: on mount, and whenever the hub changes it (a URL read, a matrix cell opened in History).
  React.useEffect(() => {
    if (!same(fromFilterState(filter.getState()), props.value)) filter.setState(toFilterState(props.value));
  }, [filter, props.value]);
  // Filter → state: what the person picks or types.
  React.useEffect(() => {
    const observer = (): void => {
      const next = fromFilterState(filter.getState());
      if (!same(next, latest.current.value)) latest.current.onChange(next);
    };
    filter.subscribe(observer, FILTER_CHANGE_EVENT);
    return () => filter.unsubscribe(observer, FILTER_CHANGE_EVENT);
  }, [filter]);
  return (
    <FilterBar filter={filter} className="mcd-filterbar" searchRoleAriaLabel="Filter promotions">
      <KeywordFilterBarItem filterItemKey="keyword" placeholder={props.keywordPlaceholder} ariaLabel="Search records" />
      {props.lists.map((k) => (
        <DropdownFilterBarItem
          key={k}
          filterItemKey={k}
          filter={filter}
          items={props.choices[k]}
          selection={selections[k]}
          placeholder={LABEL[k]}
          showFilterBox={props.choices[k].length > 8}
          className={`mcd-filter-${k}`}
        />
      ))}
    </FilterBar>
  );
}
