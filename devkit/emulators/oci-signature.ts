/**
 * Verifies OCI API request signatures (draft-cavage HTTP signatures, as OCI documents them) for any OCI
 * emulator. Usage inside a request handler, once the body is read:
 *
 *   const check = verifyOciSignature(req, body);            // keys default to OCI_TEST_KEY
 *   if (!check.ok) return sendOciError(res, 401, 'NotAuthenticated', check.message);
 *
 * What OCI checks and so do we: `Authorization: Signature version="1",keyId="tenancy/user/fingerprint",
 * algorithm="rsa-sha256",headers="…",signature="…"`; signed headers include date or x-date,
 * (request-target) and host, plus content-type, content-length and x-content-sha256 for POST/PUT/PATCH;
 * the body hash and length match the body received; the date is within 5 minutes of now; the keyId
 * names a known key and the RSA-SHA256 signature verifies with it.
 */
import * as crypto from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { OCI_TEST_KEY } from '../support/oci-test-key';

export type OciSignatureResult =
  { ok: true; keyId: string; tenancy: string; user: string } | { ok: false; message: string };

export interface OciVerifyOptions {
  /** keyId → public key PEM; default: the test key only. */
  keys?: Record<string, string>;
  maxSkewMs?: number;
  now?: () => number;
}

const BODY_METHODS = ['POST', 'PUT', 'PATCH'];

function parseSignatureHeader(header: string): Record<string, string> | undefined {
  if (!/^Signature\s/i.test(header)) return undefined;
  const params: Record<string, string> = {};
  const re = /([a-zA-Z]+)="([^"]*)"/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(header))) params[m[1]] = m[2];
  return params;
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

export function verifyOciSignature(
  req: IncomingMessage,
  body: Buffer,
  opts: OciVerifyOptions = {},
): OciSignatureResult {
  const keys = opts.keys ?? { [OCI_TEST_KEY.keyId]: OCI_TEST_KEY.publicKeyPem };
  const now = (opts.now ?? Date.now)();
  const fail = (message: string): OciSignatureResult => ({ ok: false, message });
  const params = parseSignatureHeader(headerValue(req, 'authorization') ?? '');
  if (!params) return fail('The required information to complete authentication was not provided.');
  if (params.version !== '1') return fail(`Unsupported signature version '${params.version ?? ''}'.`);
  if ((params.algorithm ?? '').toLowerCase() !== 'rsa-sha256')
    return fail(`Unsupported signature algorithm '${params.algorithm ?? ''}'.`);
  const keyId = params.keyId ?? '';
  const [tenancy, user, fingerprint] = keyId.split('/');
  if (!tenancy || !user || !fingerprint) return fail(`Malformed keyId '${keyId}'; expected tenancy/user/fingerprint.`);
  const publicKey = keys[keyId];
  if (!publicKey) return fail('The required information to complete authentication was not provided or was incorrect.');
  const signed = (params.headers ?? 'date').toLowerCase().split(/\s+/).filter(Boolean);
  const method = (req.method ?? 'GET').toUpperCase();
  const required = [
    '(request-target)',
    'host',
    ...(BODY_METHODS.includes(method) ? ['content-type', 'content-length', 'x-content-sha256'] : []),
  ];
  const missing = required.filter((h) => !signed.includes(h));
  if (!signed.includes('date') && !signed.includes('x-date')) missing.unshift('date');
  if (missing.length) return fail(`The request signature does not cover the required headers: ${missing.join(', ')}.`);

  const date = headerValue(req, 'x-date') ?? headerValue(req, 'date');
  const at = date ? Date.parse(date) : NaN;
  if (Number.isNaN(at)) return fail('The date header is missing or invalid.');
  if (Math.abs(now - at) > (opts.maxSkewMs ?? 5 * 60_000))
    return fail(`The request date '${date}' is outside the allowed clock skew of 5 minutes.`);
  if (BODY_METHODS.includes(method)) {
    const sha = crypto.createHash('sha256').update(body).digest('base64');
    if (headerValue(req, 'x-content-sha256') !== sha)
      return fail('The x-content-sha256 header does not match the request body.');
    if (Number(headerValue(req, 'content-length')) !== body.length)
      return fail('The content-length header does not match the request body.');
  }

  const lines: string[] = [];
  for (const name of signed) {
    if (name === '(request-target)') {
      lines.push(`(request-target): ${method.toLowerCase()} ${req.url ?? '/'}`);
      continue;
    }
    const value = headerValue(req, name);
    if (value === undefined) return fail(`The signed header '${name}' is not present in the request.`);
    lines.push(`${name}: ${value}`);
  }
  const ok = crypto.verify(
    'sha256',
    Buffer.from(lines.join('\n')),
    publicKey,
    Buffer.from(params.signature ?? '', 'base64'),
  );
  if (!ok) return fail('The required information to complete authentication was not provided or was incorrect.');
  return { ok: true, keyId, tenancy, user };
}

/** An OCI error response: {code, message} with an opc-request-id, as every OCI API returns. */
export function sendOciError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    'opc-request-id': crypto.randomUUID().replace(/-/g, '').toUpperCase(),
    ...headers,
  });
  res.end(JSON.stringify({ code, message }));
}

/** Reads a request body fully (emulators need it to verify x-content-sha256). */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
