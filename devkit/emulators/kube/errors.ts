import { JsonObject } from './patch';
import { qualifiedName } from './resources';
import type { ResourceRequest } from './handlers';

/** A failure answered with a metav1.Status body, exactly as the API server words it. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: JsonObject,
  ) {
    super(message);
  }
}

export function statusBody(code: number, reason: string, message: string, details?: JsonObject): JsonObject {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

export const details = (r: ResourceRequest, extra: JsonObject = {}): JsonObject => ({
  name: r.name ?? '',
  ...(r.type.group ? { group: r.type.group } : {}),
  kind: r.type.plural,
  ...extra,
});
export const notFound = (r: ResourceRequest): ApiError =>
  new ApiError(404, 'NotFound', `${qualifiedName(r.type)} "${r.name}" not found`, details(r));
export const conflict = (r: ResourceRequest): ApiError =>
  new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedName(r.type)} "${r.name}": the object has been modified; please apply your changes to the latest version and try again`,
    details(r),
  );
export const invalid = (r: ResourceRequest, problems: string[]): ApiError =>
  new ApiError(
    422,
    'Invalid',
    `${r.type.kind}${r.type.group ? `.${r.type.group}` : ''} "${r.name}" is invalid: ${problems.join(', ')}`,
    details(r, { causes: problems.map((p) => ({ reason: 'FieldValueInvalid', message: p, field: p.split(':')[0] })) }),
  );
export const badRequest = (message: string): ApiError => new ApiError(400, 'BadRequest', message);
