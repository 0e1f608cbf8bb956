import { FaultKind, FaultProxy, FaultRates, startFaultProxy } from './fault-proxy';
import { RewriteFront, startRewriteFront } from './rewrite-front';

/**
 * About 20% of all requests faulted, spread over every kind a cloud produces. Retry-After is 1 s so
 * honouring it is visible yet cheap; slow answers are short to keep the suite fast.
 */
export const FAULT_RATES: FaultRates = {
  throttle: 0.04,
  throttleWithRetryAfter: 0.04,
  unavailable: 0.04,
  resetBefore: 0.03,
  resetAfter: 0.03,
  slow: 0.02,
  slowMs: 40,
  retryAfterSeconds: 1,
};

/** A run is allowed at most this many times the requests of the same run without faults. */
export const ATTEMPTS_BOUND = 4;

export const KINDS: FaultKind[] = [
  'throttle',
  'throttleWithRetryAfter',
  'unavailable',
  'resetBefore',
  'resetAfter',
  'slow',
];

/** The fault proxies in front of every service one task run talks to, seeded per proxy. */
export class FaultNet {
  readonly proxies = new Map<string, FaultProxy>();
  private readonly fronts: RewriteFront[] = [];

  /** `overrides`: rates for some proxies by name, e.g. to leave out the trigger of a reported bug. */
  constructor(
    private readonly rates: FaultRates,
    private readonly seed = 20261123,
    private readonly overrides: Record<string, FaultRates> = {},
  ) {}

  async proxy(
    name: string,
    target: string,
    opts: { tls?: boolean; cert?: { cert: string; key: string }; preserveHost?: boolean } = {},
  ): Promise<FaultProxy> {
    const proxy = await startFaultProxy({
      target,
      rates: this.overrides[name] ?? this.rates,
      seed: this.seed + this.proxies.size * 7919,
      ...opts,
    });
    this.proxies.set(name, proxy);
    return proxy;
  }

  /** A proxy whose service hands out its own URLs (discovery documents, token realms, Locations): they are rewritten to the proxy's. */
  async rewritten(
    name: string,
    target: string,
    opts: { tls?: boolean; also?: [string, string][] } = {},
  ): Promise<{ proxy: FaultProxy; front: RewriteFront }> {
    const front = await startRewriteFront(target);
    this.fronts.push(front);
    const proxy = await this.proxy(name, front.url, { tls: opts.tls });
    front.replace([[target.replace(/\/$/, ''), proxy.url], ...(opts.also ?? [])]);
    return { proxy, front };
  }

  /** Every request that reached a proxy, faulted or not: the attempts a run made. */
  attempts(): number {
    return [...this.proxies.values()].reduce((n, p) => n + p.log.length, 0);
  }

  injected(): Record<FaultKind, number> {
    const out = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
    for (const p of this.proxies.values()) for (const k of KINDS) out[k] += p.injected[k];
    return out;
  }

  totalInjected(): number {
    return Object.values(this.injected()).reduce((a, b) => a + b, 0);
  }

  /** Requests per proxy, for failure messages. */
  describe(): string {
    return [...this.proxies]
      .map(
        ([name, p]) =>
          `${name}: ${p.log.length} requests, ${KINDS.filter((k) => p.injected[k])
            .map((k) => `${k}=${p.injected[k]}`)
            .join(' ')}`,
      )
      .join('; ');
  }

  async close(): Promise<void> {
    await Promise.all([...this.proxies.values()].map((p) => p.close()));
    await Promise.all(this.fronts.map((f) => f.close()));
  }
}

/** Figures of the whole suite, printed once as one summary line when mocha finishes. */
const tally = {
  runs: 0,
  injected: Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<FaultKind, number>,
  duplicates: 0,
  maxRatio: 0,
  tasks: [] as string[],
};

/** Seeds of the faulty runs of each task: each spreads the faults differently over the requests. */
export const SEEDS = [101, 202, 303];

export function recordBaseline(): void {
  tally.runs += 1;
}

export function recordRun(task: string, baseline: FaultNet, faulty: FaultNet, duplicates: number): number {
  const ratio = faulty.attempts() / Math.max(1, baseline.attempts());
  tally.runs += 1;
  for (const [k, n] of Object.entries(faulty.injected())) tally.injected[k as FaultKind] += n;
  tally.duplicates += duplicates;
  tally.maxRatio = Math.max(tally.maxRatio, ratio);
  tally.tasks.push(`${task} ${baseline.attempts()}→${faulty.attempts()} (${faulty.totalInjected()} faults)`);
  return ratio;
}

if (typeof after === 'function') {
  after(() => {
    if (!tally.runs) return;
    const kinds = KINDS.map((k) => `${k}=${tally.injected[k]}`).join(' ');
    console.log(
      `  fault-proxy summary: ${tally.runs} runs, faults injected ${kinds}, duplicate creates ${tally.duplicates}, max attempts ratio ${tally.maxRatio.toFixed(2)} (bound ${ATTEMPTS_BOUND}); ${tally.tasks.join(', ')}`,
    );
  });
}

/**
 * The fault-free baseline, then every fault case (side by side unless oneAtATime): what each task's
 * fault suite runs in its before(). `all` collects runs as they finish, so after() closes even those of
 * a suite whose setup failed half-way.
 */
export class FaultRuns<K, S> {
  readonly all: S[] = [];
  readonly faulty = new Map<K, S>();

  async run(
    baseline: () => Promise<S>,
    cases: K[],
    make: (key: K) => Promise<S>,
    opts: { oneAtATime?: boolean; check?: (clean: S) => void } = {},
  ): Promise<S> {
    const clean = await baseline();
    this.all.push(clean);
    recordBaseline();
    opts.check?.(clean);
    const one = async (key: K): Promise<void> => {
      const s = await make(key);
      this.all.push(s);
      this.faulty.set(key, s);
    };
    if (opts.oneAtATime) for (const key of cases) await one(key);
    else await Promise.all(cases.map(one));
    return clean;
  }
}
