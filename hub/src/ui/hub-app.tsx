/** The Promotions hub: Matrix, History and Run views over one load of the ledger. */
import * as React from 'react';
// First, where azure-devops-ui's Header was: its command bar's stylesheet precedes Button's in the bundle.
import { HubHeader } from './hub-header';
import { Page } from 'azure-devops-ui/Page';
import { Spinner, SpinnerSize } from 'azure-devops-ui/Spinner';
import { MessageCard, MessageCardSeverity } from 'azure-devops-ui/MessageCard';
import { Tab, TabBar, TabSize } from 'azure-devops-ui/Tabs';
import { HubContext } from '../ado/hub-context';
import { hubLinks } from '../ado/links';
import { LoadHandle, LoadState, startLoad } from '../data/preload';
import { buildMatrix, orderEnvironments } from '../data/matrix';
import { pendingByEnvironment } from '../data/pending';
import { HistoryView } from './history-view';
import { MatrixView } from './matrix-view';
import { EnvironmentDiff } from './env-diff-view';
import { RunDetails } from './run-view';
import { HubFilterBar } from './filter-bar';
import {
  HubFilter,
  ListKey,
  emptyFilter,
  filterChoices,
  filterMatrix,
  fromParams,
  isEmpty,
  matrixRecords,
  toParams,
} from './hub-filter';
import { RunPicker } from './run-picker';
import { useAfterFirstPaint } from './after-paint';

type TabId = 'matrix' | 'history' | 'run';
const MATRIX_LISTS: ListKey[] = ['pipeline', 'environment', 'artifact'];
const HISTORY_LISTS: ListKey[] = ['pipeline', 'environment', 'artifact', 'result', 'task'];

function useHubData(ctx: HubContext, generation: number, first?: LoadHandle): LoadState {
  const [state, setState] = React.useState<LoadState>(() => (generation === 0 && first ? first.current() : {}));
  React.useEffect(() => {
    // The boot script's load serves the first render; Refresh and auto refresh load again.
    const handle = generation === 0 && first ? first : startLoad(ctx);
    let live = true;
    const unsubscribe = handle.subscribe((s) => {
      if (live) setState((prev) => ({ ...s, data: s.data ?? prev.data }));
    });
    return () => {
      live = false;
      unsubscribe();
    };
  }, [ctx, generation, first]);
  return state;
}

/** While a run is in progress (waiting for an approval, canarying), reload this often. */
const AUTO_REFRESH_MS = 30_000;

export function HubApp(props: { ctx: HubContext; first?: LoadHandle }): JSX.Element {
  const [generation, setGeneration] = React.useState(0);
  const { data, error, loading } = useHubData(props.ctx, generation, props.first);
  const refresh = React.useCallback(() => setGeneration((g) => g + 1), []);
  const running = !!data?.runs.some((e) => e.run.status !== 'completed');
  const [clock, setClock] = React.useState(() => Date.now());
  // Approvals land and canaries move: reload while something is in progress; relative times move anyway.
  React.useEffect(() => {
    const tick = setInterval(() => setClock(Date.now()), 60_000);
    const reload = running ? setInterval(refresh, AUTO_REFRESH_MS) : undefined;
    return () => {
      clearInterval(tick);
      if (reload) clearInterval(reload);
    };
  }, [running, refresh]);
  const links = React.useMemo(() => hubLinks(props.ctx.api.collectionUrl, props.ctx.api.project), [props.ctx]);
  const [tab, setTabState] = React.useState<TabId>('matrix');
  const [filter, setFilterState] = React.useState<HubFilter>(emptyFilter);
  const [runId, setRunIdState] = React.useState<number>();
  // Hub state in the URL: read once, written on every change (deep links to a tab and a run).
  React.useEffect(() => {
    void props.ctx.state
      ?.get()
      .then((q) => {
        if (q.tab === 'matrix' || q.tab === 'history' || q.tab === 'run') setTabState(q.tab);
        if (Number(q.runId) > 0) setRunIdState(Number(q.runId));
        setFilterState(fromParams(q));
      })
      .catch(() => undefined);
  }, [props.ctx]);
  const setTab = (t: TabId): void => {
    setTabState(t);
    props.ctx.state?.set({ tab: t });
  };
  const setFilter = (f: HubFilter): void => {
    setFilterState(f);
    props.ctx.state?.set(toParams(f));
  };
  const setRunId = (id: number): void => {
    setRunIdState(id);
    props.ctx.state?.set({ runId: String(id) });
  };
  // The pipeline narrows the records a matrix is built from; environment, artifact and keyword narrow the built one.
  const pipelineKey = filter.pipeline.join('\n');
  const fullMatrix = React.useMemo(() => {
    if (!data) return undefined;
    // Columns are the environments promotions went to (not every environment of the project).
    const pipeline = pipelineKey.split('\n').filter(Boolean);
    const records = matrixRecords(data.records, { ...emptyFilter(), pipeline });
    return buildMatrix(records, data.stageOrder);
  }, [data, pipelineKey]);
  const matrix = React.useMemo(() => fullMatrix && filterMatrix(fullMatrix, filter), [fullMatrix, filter]);
  const choices = React.useMemo(() => {
    const c = filterChoices(data?.records ?? []);
    // Environments in the matrix's (stage) order, then any that only failed or were flagged.
    const order = data
      ? orderEnvironments(
          data.records.filter((r) => !r.flag),
          data.stageOrder,
        )
      : [];
    const rank = (id: string): number => (order.includes(id) ? order.indexOf(id) : order.length);
    c.environment.sort((a, b) => rank(a.id) - rank(b.id) || a.text.localeCompare(b.text));
    return c;
  }, [data]);
  const now = React.useMemo(() => Math.max(clock, Date.now()), [data, clock]);
  const pending = React.useMemo(
    () => (data && matrix ? pendingByEnvironment(data.runs, data.records, matrix.environments) : new Map()),
    [data, matrix],
  );
  const runs = React.useMemo(() => (data ? data.runs.filter((e) => e.records.length > 0) : []), [data]);
  // By default the newest run whose records are trusted (a PR build's forged record is not news).
  const selectedRun = runId ?? (runs.find((e) => e.records.some((r) => !r.flag)) ?? runs[0])?.run.id;
  const known = React.useMemo(() => {
    const entry = data?.runs.find((e) => e.run.id === selectedRun);
    if (!entry || entry.run.status !== 'completed') return undefined;
    return entry.slim ? { run: entry.run } : { run: entry.run, records: entry.records };
  }, [data, selectedRun]);

  // The benchmark reads this mark: time from navigation to the first committed matrix (a layout
  // effect runs right after the commit; a passive one could wait behind the next long task).
  React.useLayoutEffect(() => {
    // This load's data is on screen: the load may go on sending requests (data/preload.ts).
    if (data || error) props.first?.rendered();
    if (!data || tab !== 'matrix') return;
    if (performance.getEntriesByName('mcd-matrix-rendered').length === 0) performance.mark('mcd-matrix-rendered');
    if (!loading && performance.getEntriesByName('mcd-matrix-complete').length === 0)
      performance.mark('mcd-matrix-complete');
  }, [data, error, tab, loading, props.first]);

  // What is not the first matrix (filter controls, environment comparison) renders a frame after it.
  const settled = useAfterFirstPaint(!!matrix);

  const openRun = (id: number): void => {
    setRunId(id);
    setTab('run');
  };

  return (
    <Page className="mcd-page flex-grow">
      <HubHeader onRefresh={refresh} />
      <TabBar selectedTabId={tab} onSelectedTabChanged={(id) => setTab(id as TabId)} tabSize={TabSize.Tall}>
        <Tab id="matrix" name="Matrix" />
        <Tab id="history" name="History" />
        <Tab id="run" name="Run" />
      </TabBar>
      <main className="page-content page-content-top mcd-content">
        {error ? (
          <MessageCard
            className="mcd-message"
            severity={MessageCardSeverity.Error}
            buttonProps={[{ text: 'Retry', onClick: refresh, ariaLabel: 'Retry loading promotion records' }]}
          >
            <span data-testid="load-error">Could not load promotion records: {error}</span>
          </MessageCard>
        ) : null}
        <Throttled ctx={props.ctx} busy={!data || !!loading} />
        {!data || !matrix ? (
          error ? null : (
            <Spinner size={SpinnerSize.large} label="Loading promotion records…" />
          )
        ) : (
          <>
            {loading ? (
              <div className="mcd-loading" data-testid="loading-more" role="status">
                <Spinner size={SpinnerSize.small} /> Reading older runs: {loading[0]} of {loading[1]}. Cells may still
                change.
              </div>
            ) : null}
            {data.partial.length ? (
              <MessageCard
                className="mcd-message"
                severity={MessageCardSeverity.Warning}
                buttonProps={[{ text: 'Retry', onClick: refresh, ariaLabel: 'Read the left-out runs again' }]}
              >
                <span data-testid="partial">
                  {data.partial.length} runs or records could not be read; they are left out. First: run{' '}
                  {data.partial[0].runId}: {data.partial[0].reason}
                </span>
              </MessageCard>
            ) : null}
            {tab !== 'run' && !settled ? (
              // The filter bar's place is kept while it waits a frame: the matrix below does not move.
              <div className="vss-FilterBar mcd-filterbar mcd-filterbar-slot" aria-hidden="true" />
            ) : null}
            {tab !== 'run' && settled ? (
              <HubFilterBar
                value={filter}
                onChange={setFilter}
                choices={choices}
                lists={tab === 'matrix' ? MATRIX_LISTS : HISTORY_LISTS}
                keywordPlaceholder="Filter by tag, digest, run, summary…"
              />
            ) : null}
            {tab === 'matrix' ? (
              <MatrixView
                links={links}
                runs={data.runs}
                records={data.records}
                matrix={matrix}
                environments={data.environments}
                pending={pending}
                now={now}
                onOpenRun={openRun}
                onClearFilter={isEmpty(filter) ? undefined : () => setFilter(emptyFilter())}
                onOpenCell={(artifact, environment) => {
                  const { pipeline } = filter;
                  setFilter({ ...emptyFilter(), pipeline, artifact: [artifact], environment: [environment] });
                  setTab('history');
                }}
              />
            ) : null}
            {tab === 'matrix' && fullMatrix && settled ? <EnvironmentDiff matrix={fullMatrix} /> : null}
            {tab === 'history' ? (
              <HistoryView
                records={data.records}
                filter={filter}
                links={links}
                onClearFilter={() => setFilter(emptyFilter())}
                onOpenRun={openRun}
              />
            ) : null}
            {tab === 'run' ? (
              <>
                <RunPicker runs={runs} selected={selectedRun} onSelect={setRunId} />
                {selectedRun !== undefined ? (
                  <RunDetails api={props.ctx.api} runId={selectedRun} known={known} />
                ) : (
                  <p className="mcd-empty">No runs with promotion records yet.</p>
                )}
              </>
            ) : null}
          </>
        )}
      </main>
    </Page>
  );
}

/** While Azure DevOps throttles this user (429 with Retry-After), every request waits: say so, and for how long. */
function Throttled(props: { ctx: HubContext; busy: boolean }): JSX.Element | null {
  const [until, setUntil] = React.useState(0);
  React.useEffect(() => {
    if (!props.busy) return undefined;
    const tick = setInterval(() => setUntil(props.ctx.api.rest.throttledUntil()), 500);
    return () => clearInterval(tick);
  }, [props.ctx, props.busy]);
  if (!until || !props.busy) return null;
  return (
    <MessageCard className="mcd-message" severity={MessageCardSeverity.Info}>
      <span data-testid="throttled">
        Azure DevOps asked the hub to slow down; reading continues in{' '}
        {Math.max(1, Math.ceil((until - Date.now()) / 1000))} s.
      </span>
    </MessageCard>
  );
}
