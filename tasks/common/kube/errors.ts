import { errorMessage } from '../errors';
import { networkErrorCode } from '../http';
import { Outcome } from '../retry-policy';

/**
 * An API answer that is not a success, with the Status object's reason and message
 * (k8s.io/apimachinery/pkg/apis/meta/v1 types.go, Status). No @kubernetes/client-node import here:
 * options and plans may use these types without loading the client.
 */
export class KubeError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly retryAfter?: string,
  ) {
    super(message);
    this.name = 'KubeError';
  }
}

/** client-node's ApiException (code, body, headers) → KubeError; anything else is returned as it is. */
export function toKubeError(err: unknown): unknown {
  if (err instanceof KubeError) return err;
  const e = err as { code?: unknown; body?: unknown; headers?: Record<string, string> };
  if (typeof e?.code !== 'number') return err;
  let reason = 'Unknown';
  let message = `HTTP ${e.code}`;
  try {
    const status = (typeof e.body === 'string' ? JSON.parse(e.body) : e.body) as { reason?: string; message?: string };
    reason = status?.reason ?? reason;
    message = status?.message ?? message;
  } catch {
    if (e.code === 401) [reason, message] = ['Unauthorized', 'Unauthorized'];
  }
  if (e.code === 401 && reason === 'Unknown') [reason, message] = ['Unauthorized', 'Unauthorized'];
  return new KubeError(e.code, reason, message, e.headers?.['retry-after']);
}

export function statusOf(err: unknown): number | undefined {
  return err instanceof KubeError ? err.code : undefined;
}

/** What the shared retry decision sees of a failed call: a status, a network error code, or nothing retryable. */
export function kubeOutcome(err: unknown): Outcome | undefined {
  if (err instanceof KubeError) return { status: err.code, retryAfter: err.retryAfter };
  const code = networkErrorCode(err);
  return code ? { errorCode: code } : undefined;
}

/** "message (HTTP 403 Forbidden)": what the API server said, for every task's error messages. */
export function kubeErrorText(err: unknown): string {
  if (!(err instanceof KubeError)) return errorMessage(err);
  return `${err.message} (HTTP ${err.code} ${err.reason})`;
}

/** The fix a user needs for an answer, per status; the tasks add their own 403 wording (the rights they need). */
export type KubeFixes = Partial<Record<number, string>>;

export const KUBE_FIXES: KubeFixes = {
  401: 'The cluster rejected the credentials: renew the token or kubeconfig of the Kubernetes service connection.',
};

/** What the API said and, for the errors users fix themselves, how. */
export function describeKubeError(err: unknown, fixes: KubeFixes = KUBE_FIXES): string {
  if (!(err instanceof KubeError)) return errorMessage(err);
  const fix = fixes[err.code] ?? KUBE_FIXES[err.code];
  return `${kubeErrorText(err)}.${fix ? ` ${fix}` : ''}`;
}
