import { RouterKind } from '../options';
import { KubeApi } from '../kube/kinds';
import { HeaderMatch } from '../plan/header-route';

export interface RouterDeps {
  api: KubeApi;
  /** The stable Service (required by every router but pod). */
  service?: string;
  /** The HTTPRoute, VirtualService or stable Ingress. */
  route?: string;
  deployment: string;
  /** Annotations recording the pipeline run, put on every object the router writes. */
  annotations: Record<string, string>;
  log: (message: string) => void;
  signal: AbortSignal;
  /** canaryHeader: a header route to the canary from deploy to promote/abort (gatewayApi and istio). */
  header?: HeaderMatch;
  /** Waits until the canary Deployment is available (used by the pod router after scaling). */
  waitCanaryAvailable: () => Promise<void>;
}

/** Sends a share of the traffic to the canary: one implementation per kind of traffic router. */
export interface TrafficRouter {
  readonly kind: RouterKind;
  /**
   * True when traffic is split between the stable Service and a `<service>-canary` Service: the canary
   * pods must then not be selected by the stable Service (their selected label values get a suffix).
   */
  readonly usesCanaryService: boolean;
  /** Checks the route exists and references the stable Service, before anything is changed. */
  verify(): Promise<void>;
  /** The canary's current share of traffic, 0-100, as the cluster objects say. */
  currentWeight(): Promise<number>;
  /** Sets the canary's share; returns the weight actually in effect (the pod router rounds to whole pods). */
  setWeight(weight: number): Promise<number>;
  /** Removes what the router added for the canary, once traffic is 100% stable. */
  reset(): Promise<void>;
}
