import { vsixPath } from '../devkit/project';
import { MissingToolError } from '../devkit/support/system-tool';
import type { SeriesResult } from './demo/run-series';

/**
 * `npm run demo`: three releases of shop/web (scripts/demo/series.ts) through the packaged .vsix's tasks,
 * run as the agent runs them against local stand-ins, with production approvals decided in a fake Azure
 * DevOps host; then the Promotions hub inside that host (the real SDK). `--once` exits after the series
 * (non-zero if a stage ended otherwise than the table expects); otherwise Ctrl-C stops everything.
 */
function summary(r: SeriesResult, log: (l: string) => void): void {
  const byRelease = new Map<string, string[]>();
  for (const s of r.stages) byRelease.set(s.version, [...(byRelease.get(s.version) ?? []), `${s.stage} ${s.result}`]);
  log('Summary:');
  for (const [version, stages] of byRelease) log(`  ${version}: ${stages.join(', ')}`);
  log(`  ${r.records.length} promotion records; series ${(r.ms / 1000).toFixed(1)} s`);
  for (const s of r.surprises) log(`  ✘ unexpected: ${s.version} ${s.stage} ${s.result}, expected ${s.expected}`);
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const log = (line: string): void => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${line}`);
  const once = process.argv.includes('--once');
  log(`Multicloud DevSecOps demo: releases 1.4.1, 1.4.2, 1.4.3 of shop/web, tasks from ${vsixPath()}`);
  const abort = new AbortController();
  const live: { stop?: () => Promise<void> } = {};
  let stopping = false;
  const stop = async (code: number): Promise<never> => {
    if (!stopping) {
      stopping = true;
      abort.abort();
      await live.stop?.();
    }
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.on(signal, () => {
      log('stopping every task, stand-in and server…');
      void stop(0);
    });
  // Loaded after the first line: the stand-ins' and servers' modules take a moment to load on a busy machine.
  const { TOKEN, runDemoSession } = await import('./demo/session');
  const session = await runDemoSession(log, abort.signal, (s) => (live.stop = s));
  summary(session.result, log);
  if (once) return stop(session.result.surprises.length ? 1 : 0);
  const host = await session.serveHost();
  log(`Promotions hub in the (fake) Azure DevOps host: ${host.url({ frameOrigin: session.hub.origin, token: TOKEN })}`);
  log(`Whole demo ${((Date.now() - t0) / 1000).toFixed(1)} s. Press Ctrl-C to stop the hub and every stand-in.`);
}

main().catch((err: unknown) => {
  // A stand-in or tool that cannot start is said in one line; anything else is a bug and keeps its stack.
  // (StandInError by name: its module is loaded lazily, after the first line.)
  const expected = err instanceof MissingToolError || (err instanceof Error && err.name === 'StandInError');
  console.error(expected ? `demo stopped: ${err.message}` : err);
  process.exit(1);
});
