/**
 * The demo's story as data: three releases of shop/web through one multi-stage pipeline (platform →
 * staging AKS → production AKS and OKE in parallel, each production environment behind an approval).
 * The orchestrator (run-series.ts) plays this table; steps.ts turns each step into task inputs.
 */
import type { Cluster, RegistryName } from '../../devkit/stand-ins/series-world';

export type Strategy = 'canary' | 'blueGreen';

/** Where a release lands: an Azure Pipelines environment, its cluster and the registry its nodes pull from. */
export interface Target {
  environment: string;
  cluster: Cluster;
  registry: RegistryName;
  strategy: Strategy;
}

export const TARGETS = {
  staging: { environment: 'aks-staging', cluster: 'aks-staging', registry: 'acr', strategy: 'canary' },
  aksProd: { environment: 'aks-production', cluster: 'aks-prod', registry: 'acr', strategy: 'blueGreen' },
  okeProd: { environment: 'oke-production', cluster: 'oke-prod', registry: 'ocir', strategy: 'canary' },
} satisfies Record<string, Target>;

/** Environment that holds the platform rows (secrets, database) in the matrix. */
export const PLATFORM_ENV = 'oci-platform';

export type Step =
  | { kind: 'syncSecrets'; onSourceRemoved?: 'keep' | 'disable' | 'scheduleDeletion' }
  | { kind: 'ensureDatabase'; computeCount: number }
  | { kind: 'scaleDatabase'; computeCount: number }
  | { kind: 'promote'; from: RegistryName; to: RegistryName; verifySignature: boolean }
  | { kind: 'release'; target: Target; successRate: number[] };

/** A change made outside the pipeline before a release (someone rotates or revokes a secret in Key Vault). */
export type WorldChange =
  { kind: 'rotateSecret'; name: string; value: string } | { kind: 'revokeSecret'; name: string };

export interface Stage {
  /** System.StageName (the stage identifier in YAML). */
  name: string;
  environment: string;
  /** Jobs of the stage, run in parallel; each is its steps in order. */
  jobs: { name: string; steps: Step[] }[];
}

export interface Release {
  version: string;
  buildId: number;
  changes?: WorldChange[];
  /** Waves of stages: the stages of a wave run in parallel once the previous wave succeeded. */
  waves: Stage[][];
  /** The result each stage must end with (the demo says so when it does not). */
  expect: Record<string, 'succeeded' | 'failed'>;
}

const PASS = [0.998];

function stages(version: string, prodOke: number[], platform: Step[][]): Stage[][] {
  const signed = version !== '1.4.1';
  const waves: Stage[][] = [];
  if (platform.length)
    waves.push([
      {
        name: 'platform',
        environment: PLATFORM_ENV,
        jobs: platform.map((steps, i) => ({ name: ['Secrets', 'Database'][i] ?? `Platform ${i + 1}`, steps })),
      },
    ]);
  waves.push([
    {
      name: 'staging',
      environment: TARGETS.staging.environment,
      jobs: [
        {
          name: 'Deploy to AKS staging',
          steps: [
            { kind: 'promote', from: 'nonprod', to: 'acr', verifySignature: signed },
            { kind: 'release', target: TARGETS.staging, successRate: PASS },
          ],
        },
      ],
    },
  ]);
  waves.push([
    {
      name: 'production_aks',
      environment: TARGETS.aksProd.environment,
      jobs: [
        { name: 'Deploy to AKS production', steps: [{ kind: 'release', target: TARGETS.aksProd, successRate: PASS }] },
      ],
    },
    {
      name: 'production_oke',
      environment: TARGETS.okeProd.environment,
      jobs: [
        {
          name: 'Deploy to OKE production',
          steps: [
            { kind: 'promote', from: 'acr', to: 'ocir', verifySignature: signed },
            { kind: 'release', target: TARGETS.okeProd, successRate: prodOke },
          ],
        },
      ],
    },
  ]);
  return waves;
}

const ALL_GOOD = { staging: 'succeeded', production_aks: 'succeeded', production_oke: 'succeeded' } as const;

export const SERIES: Release[] = [
  {
    version: '1.4.1',
    buildId: 3101,
    waves: stages('1.4.1', PASS, [[{ kind: 'syncSecrets' }], [{ kind: 'ensureDatabase', computeCount: 2 }]]),
    expect: { platform: 'succeeded', ...ALL_GOOD },
  },
  {
    version: '1.4.2',
    buildId: 3102,
    // The OKE canary's success rate drops below 0.99 at its first analysis: abort, 100% back to stable.
    waves: stages('1.4.2', [0.93], []),
    expect: { ...ALL_GOOD, production_oke: 'failed' },
  },
  {
    version: '1.4.3',
    buildId: 3103,
    changes: [
      { kind: 'rotateSecret', name: 'orders-admin-password', value: 'Orders-Adm1n-Rotated-2026' },
      { kind: 'revokeSecret', name: 'payments-webhook-secret' },
    ],
    waves: stages('1.4.3', PASS, [
      [{ kind: 'syncSecrets', onSourceRemoved: 'disable' }],
      [{ kind: 'scaleDatabase', computeCount: 4 }],
    ]),
    expect: { platform: 'succeeded', ...ALL_GOOD },
  },
];

/** Environments with an Approval check (Environments → Approvals and checks), and who approves. */
export const APPROVAL_ENVIRONMENTS = [TARGETS.aksProd.environment, TARGETS.okeProd.environment];
export const APPROVER = {
  id: '5e3c0000-0000-4000-8000-00000000bbbb',
  displayName: 'Dana Okafor',
  uniqueName: 'dana@contoso.com',
};
export const RELEASE_MANAGERS = {
  id: '5e3c0000-0000-4000-8000-00000000aaaa',
  displayName: '[shop]\\Release Managers',
  uniqueName: 'release-managers',
};
