import { TaskError, errorMessage, isTaskError } from '../errors';

/** The fields of oci-common's OciError (lib/error.ts) a message may quote: never a request body. */
interface OciErrorLike {
  statusCode?: number;
  serviceCode?: string;
  message?: string;
  opcRequestId?: string | null;
}

/** What OCI answered, split out once for every task: status (undefined = no answer), service code, message, request id. */
export interface OciAnswer {
  status?: number;
  code?: string;
  /** "409 IncorrectState: message (opc-request-id …)", without the status when there was no answer. */
  detail: string;
  /** "IncorrectState: message (opc-request-id …)", without the status. */
  reason: string;
}

export function ociAnswer(err: unknown): OciAnswer {
  const e = (err ?? {}) as OciErrorLike;
  const raw = Number(e.statusCode);
  // The SDK reports client-side failures (reset, refused, timeout) as -1 or without a status.
  const status = Number.isNaN(raw) || raw === -1 || e.statusCode === undefined ? undefined : raw;
  const code = e.serviceCode && e.serviceCode !== 'None' ? e.serviceCode : undefined;
  const message = (typeof e.message === 'string' ? e.message : errorMessage(err)).split(/\r?\n/)[0].trim();
  const request = e.opcRequestId ? ` (opc-request-id ${e.opcRequestId})` : '';
  const reason = `${code ? `${code}: ` : ''}${message}${request}`;
  return { status, code, reason, detail: status === undefined ? reason : `${status} ${reason}` };
}

/** A task's fixes per status; `other5xx` and `unreachable` cover server failures and no answer at all. */
export interface OciFixes {
  byStatus: Partial<Record<number, string | ((code: string | undefined) => string)>>;
  server?: string;
  unreachable?: string;
}

/**
 * The one OCI error mapper: `<what>: <status> <code>: <message> (opc-request-id …).` and the fix the
 * task names for that status. `label` prefixes the status ("HTTP ").
 */
export function ociFailure(err: unknown, what: string, fixes: OciFixes, label = ''): Error {
  if (isTaskError(err)) return err;
  const a = ociAnswer(err);
  const byStatus = a.status === undefined ? undefined : fixes.byStatus[a.status];
  const fix = typeof byStatus === 'function' ? byStatus(a.code) : byStatus;
  const server = a.status !== undefined && a.status >= 500 ? fixes.server : undefined;
  const unreachable = a.status === undefined ? fixes.unreachable : undefined;
  const status = a.status === undefined ? '' : `${label}${a.status} `;
  return new TaskError(`${what}: ${status}${a.reason}.`, fix ?? server ?? unreachable);
}
