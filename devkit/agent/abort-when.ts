/**
 * An AbortSignal that aborts once `condition()` holds (checked every `everyMs`): a test cancels a run
 * (runTaskLikeAgent's `signal`, SIGTERM as the agent sends on cancel) when the run has reached the point the
 * test is about (a hung request received, a weight written, a database provisioning), instead of after a fixed
 * delay, which a loaded machine can outlast before the run gets there and a quiet one waits out for nothing.
 *
 *   const cancel = abortWhen(() => svc.hits.has('/slow'));
 *   try { run = await runTaskLikeAgent({ ..., signal: cancel.signal }); } finally { cancel.dispose(); }
 */
export interface AbortWhen {
  signal: AbortSignal;
  /** Stops checking (call it when the run ended, whether or not the condition was met). */
  dispose(): void;
}

export function abortWhen(condition: () => boolean, everyMs = 20): AbortWhen {
  const controller = new AbortController();
  const timer = setInterval(() => {
    if (!condition()) return;
    clearInterval(timer);
    controller.abort();
  }, everyMs);
  return { signal: controller.signal, dispose: () => clearInterval(timer) };
}
