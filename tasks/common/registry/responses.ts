import { TaskError } from '../errors';
import { RegistryAuth } from './auth';

/** Reads a small body (a manifest, an index) with a size cap, so a hostile server cannot exhaust memory. */
export async function readLimited(res: Response, limit: number, what: string): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    await res.body?.cancel();
    throw new TaskError(`${what} is ${declared} bytes, more than the ${limit} bytes a manifest may have.`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  if (res.body) {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      total += chunk.length;
      if (total > limit) throw new TaskError(`${what} is more than the ${limit} bytes a manifest may have.`);
      chunks.push(Buffer.from(chunk));
    }
  }
  return Buffer.concat(chunks);
}

/** Distribution-spec error bodies: {"errors":[{"code","message","detail"}]}. */
async function errorText(res: Response): Promise<string> {
  try {
    const text = (await readLimited(res, 64 * 1024, 'error')).toString('utf8');
    try {
      const body = JSON.parse(text) as { errors?: { code?: string; message?: string }[] };
      if (body.errors?.length) return body.errors.map((e) => [e.code, e.message].filter(Boolean).join(': ')).join('; ');
    } catch {
      // not JSON
    }
    return text.trim().slice(0, 300);
  } catch {
    return '';
  }
}

/** Turns a failed registry response into a message that names the registry, the operation and the fix. */
export async function registryError(
  res: Response,
  what: string,
  auth: RegistryAuth,
  repository: string,
  action: string,
): Promise<TaskError> {
  const detail = await errorText(res);
  if (res.status === 401 || res.status === 403) {
    return new TaskError(
      `${what} was refused (HTTP ${res.status}${detail ? `: ${detail}` : ''}): the credentials of ${auth.label} do not grant '${action}' on repository '${repository}'.`,
      'Grant that right to the connection (ACR: AcrPush on the target, AcrPull on the source), or use another connection.',
    );
  }
  return Object.assign(new TaskError(`${what} failed: HTTP ${res.status}${detail ? ` (${detail})` : ''}.`), {
    status: res.status,
  });
}
