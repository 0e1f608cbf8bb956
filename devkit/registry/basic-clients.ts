import { HttpClient } from '../../tasks/common/http';
import { DistributionClient } from '../../tasks/common/registry/client';
import { ADMIN, READER } from './local-registry';

/**
 * A source (READER) and target (ADMIN, push) client for two local registries, sharing one HttpClient bound
 * to a signal and deadline: what a promotion test or bench drives promoteByCopy with, directly.
 */
export function basicClientPair(
  sourceHost: string,
  targetHost: string,
  timeoutMs: number,
): { source: DistributionClient; target: DistributionClient; signal: AbortSignal; deadline: number } {
  const signal = new AbortController().signal;
  const deadline = Date.now() + timeoutMs;
  const http = new HttpClient({ signal, deadline });
  const deps = { http, signal, secrets: { register: (v: string | undefined) => v } };
  const basic = (label: string, user: typeof READER) => ({
    kind: 'basic' as const,
    label,
    username: user.username,
    password: user.password,
  });
  return {
    source: new DistributionClient(sourceHost, basic('src', READER), deps),
    target: new DistributionClient(targetHost, basic('dst', ADMIN), deps, 'push'),
    signal,
    deadline,
  };
}
