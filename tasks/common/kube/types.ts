/** Objects travel as plain JSON: tasks only need a few fields of each, and must not lose the others. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion?: string;
    generation?: number;
    uid?: string;
  };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  spec?: any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  status?: any;
}

/** apply = server-side apply (needs a field manager); strategic is refused (415) by custom resources. */
export type PatchType = 'merge' | 'json' | 'strategic' | 'apply';

/** Patch content types (k8s.io/apimachinery/pkg/types/patch.go): client-node 1.x needs them set explicitly. */
export const CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

/**
 * A resource type a task reads and writes. group '' = the core API (services, secrets); others go
 * as raw JSON through the generic object endpoints (same REST paths), because typed models drop
 * fields this client version does not know. Versions newest first: older clusters serve only the
 * older ones.
 */
export interface ResourceType {
  group: string;
  plural: string;
  versions: string[];
  /** What to install when the cluster serves none of the versions ("Istio"). */
  missing?: string;
}
