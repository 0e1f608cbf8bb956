import { createHash } from 'node:crypto';

/**
 * opc-retry-token (OCI API "Retry Tokens"): the same parts give the same token, so a create repeated
 * after a lost answer, by the SDK's retries or by a re-run within the same job attempt, returns the
 * first one's result instead of creating twice. OCI keeps a token's answer for 24 h, so the parts must
 * name everything that makes a create distinct. At most 64 characters.
 */
export function ociRetryToken(parts: (string | undefined)[]): string {
  return createHash('sha256')
    .update(parts.map((p) => p ?? '').join('\n'))
    .digest('hex')
    .slice(0, 64);
}
