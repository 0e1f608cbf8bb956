import type { SecretsClient, requests } from 'oci-secrets';
import { TaskError } from '../../common/errors';
import { TaskContext } from '../../common/runner';
import { adminPasswordProblems } from '../password-rules';
import { ociFailure } from './clients';

/**
 * Reads the ADMIN password from OCI Vault (the CURRENT version of the secret), registers it as
 * a secret before anything else touches it, and checks it against OCI's rules so a bad secret
 * fails here, with a message that names the secret and never the value.
 */
export async function readAdminPasswordSecret(
  ctx: TaskContext,
  client: SecretsClient,
  secretId: string,
): Promise<string> {
  let content: string | undefined;
  let contentType: string | undefined;
  try {
    const bundle = (
      await client.getSecretBundle({ secretId, stage: 'CURRENT' as requests.GetSecretBundleRequest.Stage })
    ).secretBundle;
    content = bundle.secretBundleContent?.content;
    contentType = bundle.secretBundleContent?.contentType;
  } catch (err) {
    throw ociFailure(err, `read the ADMIN password secret ${secretId}`);
  }
  if (contentType !== 'BASE64' || content === undefined)
    throw new TaskError(
      `OCI secret ${secretId} has no BASE64 content.`,
      "Store the ADMIN password as the secret's content.",
    );
  ctx.secrets.register(content);
  const password = ctx.secrets.register(
    Buffer.from(content, 'base64')
      .toString('utf8')
      .replace(/\r?\n$/, ''),
  ) as string;
  const problems = adminPasswordProblems(password);
  if (problems.length)
    throw new TaskError(
      `The ADMIN password in OCI secret ${secretId} does not meet OCI's rules: it ${problems.join(', ')}.`,
      'Store a new version of the secret that does.',
    );
  return password;
}
