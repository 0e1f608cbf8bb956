import { azurePipelineOptions } from '../common/network/client-options';
import { createAzureCredential } from '../common/connections/azure-rm';
import { TaskError, errorMessage } from '../common/errors';
import { emptyStats } from '../common/registry/copy-graph';
import { TaskContext } from '../common/runner';
import { AcrPromoteOptions } from './options';
import {
  PromoteDeps,
  PromoteRequest,
  PromoteResult,
  checkTargetTags,
  finishPromotion,
  readTargetTags,
  resolveSource,
} from './promote';

/** The SDK flattens `properties.loginServer` onto the model; older versions did not. */
interface RegistryResource {
  id?: string;
  name?: string;
  loginServer?: string;
  properties?: { loginServer?: string };
}

const loginServer = (r: RegistryResource): string | undefined =>
  (r.loginServer ?? r.properties?.loginServer)?.toLowerCase();

/**
 * Import mode: ACR pulls the image server-side (ARM importImage, a long-running operation),
 * untagged and by digest; then, as in copy mode, referrers are copied by the client (import
 * does not bring them) and the tags are set last over the data plane.
 */
export async function promoteByImport(
  ctx: TaskContext,
  o: AcrPromoteOptions,
  req: PromoteRequest,
  deps: PromoteDeps,
): Promise<PromoteResult> {
  const azure = o.azure;
  if (!azure) throw new TaskError("Import mode needs the 'azureSubscription' input.");
  if (!azure.subscriptionId)
    throw new TaskError(
      `Azure service connection '${azure.connectionId}' has no subscription id.`,
      'Use a subscription-scoped AzureRM connection.',
    );
  const [root, current] = await Promise.all([resolveSource(req), readTargetTags(req)]);
  deps.info(
    `Source ${o.source.registry}/${o.source.repository}${o.source.digest ? '' : `:${o.source.tag}`} is ${root.digest} (${root.mediaType}).`,
  );
  if (req.sourceTagDropped) deps.warn(`Input 'sourceImage': ${req.sourceTagDropped}.`);
  const tags = checkTargetTags(req, current, root.digest);
  await deps.gate?.(root);

  const { ContainerRegistryManagementClient } = await import('@azure/arm-containerregistry');
  const credential = await createAzureCredential(azure, ctx.host, ctx.network);
  const arm = new ContainerRegistryManagementClient(credential, azure.subscriptionId, {
    endpoint: azure.resourceManagerUrl.replace(/\/+$/, ''),
    credentials: { scopes: [azure.armScope] },
    retryOptions: { maxRetries: 5 },
    ...azurePipelineOptions(ctx.network),
  });
  const registries: RegistryResource[] = [];
  try {
    for await (const r of arm.registries.list({ abortSignal: ctx.signal })) registries.push(r);
  } catch (err) {
    throw armError(err, `Listing the container registries of subscription ${azure.subscriptionId}`);
  }
  const byLogin = (host: string): RegistryResource | undefined =>
    registries.find((r) => loginServer(r) === host.toLowerCase());
  const target = byLogin(o.targetRegistry);
  if (!target?.id) {
    throw new TaskError(
      `'${o.targetRegistry}' is not an Azure Container Registry in subscription ${azure.subscriptionId} of connection '${azure.connectionId}' (found: ${registries.map(loginServer).join(', ') || 'none'}).`,
      "Pick the connection whose subscription holds the target registry, or use mode 'copy' for other registries.",
    );
  }
  const rg = /\/resourceGroups\/([^/]+)\//i.exec(target.id)?.[1];
  if (!rg || !target.name) throw new TaskError(`ARM returned the registry id '${target.id}' without a resource group.`);

  const stats = emptyStats();
  if (await req.target.client.resolve(o.targetRepository, root.digest)) {
    stats.manifestsPresent++;
    deps.info(`${o.targetRegistry}/${o.targetRepository}@${root.digest} is already there: no import needed.`);
  } else {
    const sourceAcr = byLogin(o.source.registry);
    const sourceImage = `${o.source.repository}@${root.digest}`;
    const creds = o.sourceCredentials;
    const source = sourceAcr?.id
      ? { resourceId: sourceAcr.id, sourceImage }
      : {
          registryUri: o.source.registry,
          sourceImage,
          ...(creds?.username && creds.password
            ? { credentials: { username: creds.username, password: creds.password } }
            : {}),
        };
    deps.info(
      `Importing ${o.source.registry}/${sourceImage} into ${o.targetRegistry}/${o.targetRepository} (ARM importImage, server-side)…`,
    );
    const started = Date.now();
    try {
      // Untagged: the tags move last, after the referrers, like in copy mode.
      await arm.registries
        .importImage(
          rg,
          target.name,
          { source, untaggedTargetRepositories: [o.targetRepository], mode: 'NoForce' },
          { abortSignal: ctx.signal, updateIntervalInMs: 1000 },
        )
        .pollUntilDone();
    } catch (err) {
      if (ctx.signal.aborted) throw ctx.signal.reason ?? err;
      throw armError(err, `ACR import into ${o.targetRegistry}/${o.targetRepository}`);
    }
    deps.info(`Import finished in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    if (!(await req.target.client.resolve(o.targetRepository, root.digest))) {
      throw new TaskError(
        `ARM reported the import as done, but ${o.targetRegistry}/${o.targetRepository}@${root.digest} is not there.`,
        'Re-run the task; if it persists, check the registry with az acr repository show-manifests.',
      );
    }
    stats.manifestsPushed++;
  }
  return finishPromotion(req, deps, root, tags, stats, {
    signal: ctx.signal,
    deadline: ctx.deadline,
    concurrency: 4,
    stats,
    log: (m: string) => deps.info(m),
    inflight: new Map(),
  });
}

/** ARM errors carry a code and message worth showing as they are (AuthorizationFailed, …). */
function armError(err: unknown, what: string): TaskError {
  const e = err as { code?: string; statusCode?: number; details?: { error?: { code?: string; message?: string } } };
  const code = e.details?.error?.code ?? e.code;
  const message = e.details?.error?.message ?? errorMessage(err);
  const fix =
    e.statusCode === 403 || code === 'AuthorizationFailed'
      ? "Give the connection's service principal Contributor (or the Microsoft.ContainerRegistry/registries/importImage/action permission) on the target registry."
      : undefined;
  return new TaskError(
    `${what} failed${e.statusCode ? ` (HTTP ${e.statusCode}` : ''}${code ? `${e.statusCode ? ', ' : ' ('}${code}` : ''}${e.statusCode || code ? ')' : ''}: ${message}`,
    fix,
  );
}
