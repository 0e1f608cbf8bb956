import { AzureRmConnection, readAzureRmConnection } from '../common/connections/azure-rm';
import { RegistryCredentials, readDockerRegistryConnection } from '../common/connections/docker-registry';
import { TaskHost } from '../common/host';
import {
  ImageRef,
  checkRegistryHost,
  isLoopbackRegistry,
  isRepository,
  isTag,
  parseImageRef,
  sameRegistry,
} from '../common/image-ref';
import { InputReader } from '../common/inputs';
import { VerifyPolicy, readVerifyPolicy } from './verify/policy';

export interface AcrPromoteOptions {
  mode: 'copy' | 'import';
  source: ImageRef;
  targetRegistry: string;
  targetRepository: string;
  targetTags: string[];
  /** No targetTags input: the target tags are the source tag. */
  tagsFromSource: boolean;
  sourceCredentials?: RegistryCredentials;
  targetCredentials?: RegistryCredentials;
  /** Endpoint ids, to name the connection in errors (the agent gives tasks no connection names). */
  sourceConnectionId?: string;
  targetConnectionId?: string;
  azure?: AzureRmConnection;
  includeReferrers: boolean;
  allowTagOverwrite: boolean;
  lockTarget: boolean;
  timeoutMinutes: number;
  /** `repo:tag@digest` whose tag points elsewhere: fail (default) or promote the digest without that tag. */
  tagDigestMismatch: 'fail' | 'useDigest';
  /** os/arch[/variant] of a multi-arch index to promote; empty: all. */
  platforms: string[];
  /** Supply-chain policy checked on the source digest before anything is copied. */
  verify: VerifyPolicy;
}

export function readAcrPromoteOptions(inputs: InputReader, host: TaskHost): AcrPromoteOptions {
  const mode = inputs.pick<'copy' | 'import'>('mode');
  const sourceText = inputs.string('sourceImage');
  let source: ImageRef = { registry: '', repository: '' };
  if (sourceText) {
    const parsed = parseImageRef(sourceText);
    if (parsed.ok) source = parsed.value;
    else
      inputs.problem(
        'sourceImage',
        `'${sourceText}' is not an image reference: ${parsed.error}.`,
        'Use registry/repository:tag or registry/repository@sha256:<digest>.',
      );
  }
  const targetText = inputs.string('targetRegistry');
  let targetRegistry = '';
  if (targetText) {
    const checked = checkRegistryHost(targetText);
    if (checked.ok) targetRegistry = checked.value;
    else
      inputs.problem(
        'targetRegistry',
        `'${targetText}' is not a registry host: ${checked.error}.`,
        'Write host[:port] only, e.g. contosoprod.azurecr.io or fra.ocir.io.',
      );
  }
  const targetRepository =
    inputs.optionalString('targetRepository', {
      pattern: isRepository,
      expected: 'a repository path such as team/app',
    }) ?? source.repository;
  const tags = inputs.list('targetTags');
  for (const tag of tags)
    if (!isTag(tag))
      inputs.problem(
        'targetTags',
        `'${tag}' is not a valid tag.`,
        'Tags use letters, digits, _ . - (at most 128, not starting with . or -).',
      );
  const targetTags = tags.length ? tags : source.tag ? [source.tag] : [];
  const azure = readAzureRmConnection(inputs, host.endpoints, 'azureSubscription');
  if (mode === 'import' && !inputs.raw('azureSubscription')) {
    inputs.problem(
      'azureSubscription',
      'is required in import mode.',
      'Set an AzureRM service connection with rights on the target registry, or use mode: copy.',
    );
  }
  // An obvious non-ACR fails here; whether it really is an ACR of the subscription is asked of ARM
  // at run time (loginServer). Loopback names are let through: a tunnel to a connected registry.
  if (
    mode === 'import' &&
    targetRegistry &&
    !/\.azurecr\.(io|us|cn)$/.test(targetRegistry.replace(/:\d+$/, '')) &&
    !isLoopbackRegistry(targetRegistry)
  ) {
    inputs.problem(
      'targetRegistry',
      `'${targetRegistry}' is not an Azure Container Registry; import mode needs one.`,
      'Use mode: copy for other registries.',
    );
  }
  const sourceCredentials = readDockerRegistryConnection(inputs, host.endpoints, 'sourceRegistryConnection');
  const targetCredentials = readDockerRegistryConnection(inputs, host.endpoints, 'targetRegistryConnection');
  // Credentials go only to the registry they were made for, never to the other side's host.
  if (sourceCredentials && source.registry && !sameRegistry(sourceCredentials.registry, source.registry)) {
    inputs.problem(
      'sourceRegistryConnection',
      `is for registry '${sourceCredentials.registry}', but 'sourceImage' is on '${source.registry}'.`,
      'Pick the connection of the source registry.',
    );
  }
  if (targetCredentials && targetRegistry && !sameRegistry(targetCredentials.registry, targetRegistry)) {
    inputs.problem(
      'targetRegistryConnection',
      `is for registry '${targetCredentials.registry}', but 'targetRegistry' is '${targetRegistry}'.`,
      'Pick the connection of the target registry.',
    );
  }
  return {
    mode,
    source,
    targetRegistry,
    targetRepository,
    targetTags,
    tagsFromSource: !tags.length,
    sourceCredentials,
    targetCredentials,
    sourceConnectionId: inputs.connection('sourceRegistryConnection'),
    targetConnectionId: inputs.connection('targetRegistryConnection'),
    azure,
    includeReferrers: inputs.boolean('includeReferrers'),
    allowTagOverwrite: inputs.boolean('allowTagOverwrite'),
    lockTarget: inputs.boolean('lockTarget'),
    timeoutMinutes: inputs.number('timeoutMinutes', { min: 1, max: 1440, integer: true }),
    tagDigestMismatch: inputs.pick<'fail' | 'useDigest'>('tagDigestMismatch'),
    platforms: readPlatforms(inputs, mode),
    verify: readVerifyPolicy(inputs, {
      connectionId: inputs.connection('azureSubscription'),
      dnsSuffix: azureKeyVaultSuffix(inputs, host),
    }),
  };
}

/** os/arch[/variant] as Docker writes --platform; import mode copies whole indexes only. */
function readPlatforms(inputs: InputReader, mode: AcrPromoteOptions['mode']): string[] {
  const list = inputs.list('platforms');
  for (const p of list) {
    if (!/^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/i.test(p))
      inputs.problem(
        'platforms',
        `'${p.slice(0, 200)}' is not a platform.`,
        'Write os/arch[/variant], e.g. linux/amd64, linux/arm64/v8.',
      );
  }
  if (list.length && mode === 'import')
    inputs.problem(
      'platforms',
      'cannot be used in import mode (ACR import copies whole indexes).',
      'Use mode: copy to promote a platform subset.',
    );
  return list.map((p) => p.toLowerCase());
}

/** The Key Vault DNS suffix the AzureRM connection carries (sovereign clouds, Azure Stack); undefined: none given. */
function azureKeyVaultSuffix(inputs: InputReader, host: TaskHost): string | undefined {
  const id = inputs.connection('azureSubscription');
  return (id && host.endpoints.data(id, 'AzureKeyVaultDnsSuffix')?.trim()) || undefined;
}
