import { AzureRmConnection, readAzureRmConnection } from '../common/connections/azure-rm';
import { RegistryCredentials, readDockerRegistryConnection } from '../common/connections/docker-registry';
import { TaskHost } from '../common/host';
import { ImageRef, isRegistryHost, isRepository, isTag, parseImageRef } from '../common/image-ref';
import { InputReader } from '../common/inputs';

export interface AcrPromoteOptions {
  mode: 'copy' | 'import';
  source: ImageRef;
  targetRegistry: string;
  targetRepository: string;
  targetTags: string[];
  sourceCredentials?: RegistryCredentials;
  targetCredentials?: RegistryCredentials;
  azure?: AzureRmConnection;
  includeReferrers: boolean;
  allowTagOverwrite: boolean;
  lockTarget: boolean;
  timeoutMinutes: number;
}

export function readAcrPromoteOptions(inputs: InputReader, host: TaskHost): AcrPromoteOptions {
  const mode = inputs.pick<'copy' | 'import'>('mode');
  const sourceText = inputs.string('sourceImage');
  let source: ImageRef = { registry: '', repository: '' };
  if (sourceText) {
    const parsed = parseImageRef(sourceText);
    if (parsed.ok) source = parsed.value;
    else inputs.problem('sourceImage', `'${sourceText}' is not an image reference: ${parsed.error}.`, 'Use registry/repository:tag or registry/repository@sha256:<digest>.');
  }
  const targetRegistry = inputs.string('targetRegistry', { pattern: isRegistryHost, expected: 'host[:port] without scheme or path, e.g. contosoprod.azurecr.io' }).toLowerCase();
  const targetRepository = inputs.optionalString('targetRepository', { pattern: isRepository, expected: 'a repository path such as team/app' }) ?? source.repository;
  const tags = inputs.list('targetTags');
  for (const tag of tags) if (!isTag(tag)) inputs.problem('targetTags', `'${tag}' is not a valid tag.`, 'Tags use letters, digits, _ . - (at most 128, not starting with . or -).');
  const targetTags = tags.length ? tags : source.tag ? [source.tag] : [];
  const azure = readAzureRmConnection(inputs, host.endpoints, 'azureSubscription');
  if (mode === 'import' && !inputs.raw('azureSubscription')) {
    inputs.problem('azureSubscription', 'is required in import mode.', 'Set an AzureRM service connection with rights on the target registry, or use mode: copy.');
  }
  if (mode === 'import' && targetRegistry && !/\.azurecr\.(io|us|cn)$/.test(targetRegistry.replace(/:\d+$/, ''))) {
    inputs.problem('targetRegistry', `'${targetRegistry}' is not an Azure Container Registry; import mode needs one.`, 'Use mode: copy for other registries.');
  }
  return {
    mode,
    source,
    targetRegistry,
    targetRepository,
    targetTags,
    sourceCredentials: readDockerRegistryConnection(inputs, host.endpoints, 'sourceRegistryConnection'),
    targetCredentials: readDockerRegistryConnection(inputs, host.endpoints, 'targetRegistryConnection'),
    azure,
    includeReferrers: inputs.boolean('includeReferrers'),
    allowTagOverwrite: inputs.boolean('allowTagOverwrite'),
    lockTarget: inputs.boolean('lockTarget'),
    timeoutMinutes: inputs.number('timeoutMinutes', { min: 1, max: 1440, integer: true }),
  };
}
