import { RouterKind } from '../options';
import { gatewayApiRouter } from './gateway-api';
import { istioRouter } from './istio';
import { nginxRouter } from './nginx';
import { podRouter } from './pod';
import { RouterDeps, TrafficRouter } from './router';

export type { RouterDeps, TrafficRouter } from './router';

/** One factory per trafficRouter input value. */
export const ROUTERS: Record<RouterKind, (deps: RouterDeps) => TrafficRouter> = {
  gatewayApi: gatewayApiRouter,
  istio: istioRouter,
  nginx: nginxRouter,
  pod: podRouter,
};
