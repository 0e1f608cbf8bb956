import { generateKeyPairSync } from 'node:crypto';
import { azureRm, dockerRegistry } from '../fixtures';
import { BIG, Row } from './base';

/**
 * AcrPromote: image references and registries as people paste them from `docker pull` lines, ACR
 * and OCIR docs, and connections of the wrong kind. Image-reference wording belongs to the image
 * module, so those rows assert the input name only.
 */
const RSA_PUBLIC = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();

export const ACR_ROWS: Row[] = [
  // Docker normalisation, OCIR and the supply-chain gate (issue 16).
  { task: 'AcrPromote', why: 'upper-case Docker Hub name', inputs: { sourceImage: 'Nginx:1.27' }, input: 'sourceImage', error: /'library\/Nginx' must be lower case/ },
  { task: 'AcrPromote', why: 'OCIR namespace in the registry', inputs: { targetRegistry: 'fra.ocir.io/axaxnpcrorw5' }, input: 'targetRegistry', error: /OCIR tenancy namespace.*targetRepository to 'axaxnpcrorw5\/<repository>'/ },
  { task: 'AcrPromote', why: 'http:// image', inputs: { sourceImage: 'http://r.azurecr.io/web:1' }, input: 'sourceImage' },
  { task: 'AcrPromote', why: 'cosign key that is RSA', inputs: { verifySignature: 'cosignKey', cosignPublicKey: RSA_PUBLIC }, input: 'cosignPublicKey', error: /ECDSA P-256/ },
  { task: 'AcrPromote', why: 'cosign key missing', inputs: { verifySignature: 'cosignKey' }, input: 'cosignPublicKey' },
  { task: 'AcrPromote', why: 'notation trust store missing', inputs: { verifySignature: 'notation', notationTrustStore: '/nonexistent/ca.pem', notationTrustedIdentities: 'CN=me' }, input: 'notationTrustStore' },
  { task: 'AcrPromote', why: 'allowed CVE malformed', inputs: { requireVulnerabilityReport: 'true', allowedCves: 'CVE 2024 1' }, input: 'allowedCves' },
  { task: 'AcrPromote', why: 'unknown severity', inputs: { requireVulnerabilityReport: 'true', maxSeverity: 'severe' }, input: 'maxSeverity' },
  { task: 'AcrPromote', why: 'unknown tag/digest option', inputs: { tagDigestMismatch: 'guess' }, input: 'tagDigestMismatch' },
  { task: 'AcrPromote', why: 'upper-case repository', inputs: { sourceImage: 'r.azurecr.io/Web:1' }, input: 'sourceImage' },
  { task: 'AcrPromote', why: 'truncated digest', inputs: { sourceImage: 'r.azurecr.io/web@sha256:abc' }, input: 'sourceImage' },
  { task: 'AcrPromote', why: 'no tag nor digest', inputs: { sourceImage: 'r.azurecr.io/web' }, input: 'sourceImage' },
  { task: 'AcrPromote', why: 'URL as image', inputs: { sourceImage: 'https://r.azurecr.io/web:1' }, input: 'sourceImage' },
  { task: 'AcrPromote', why: 'path traversal in repository', inputs: { targetRepository: '../../etc' }, input: 'targetRepository' },
  { task: 'AcrPromote', why: 'registry with scheme', inputs: { targetRegistry: 'https://prod.azurecr.io' }, input: 'targetRegistry' },
  { task: 'AcrPromote', why: 'registry with path', inputs: { targetRegistry: 'prod.azurecr.io/shop' }, input: 'targetRegistry' },
  { task: 'AcrPromote', why: 'bad tag', inputs: { targetTags: 'ok, -bad' }, input: 'targetTags', error: /input 'targetTags'.*'-bad'/ },
  { task: 'AcrPromote', why: 'unknown mode', inputs: { mode: 'teleport' }, input: 'mode', error: /input 'mode'.*copy, import/ },
  { task: 'AcrPromote', why: 'import without subscription', inputs: { mode: 'import' }, input: 'azureSubscription', error: /input 'azureSubscription'.*import mode/ },
  { task: 'AcrPromote', why: 'import into a non-ACR registry', inputs: { mode: 'import', azureSubscription: 'azure', targetRegistry: 'fra.ocir.io' }, endpoints: { azure: azureRm() }, input: 'targetRegistry' },
  { task: 'AcrPromote', why: 'non-boolean flag', inputs: { allowTagOverwrite: 'maybe' }, input: 'allowTagOverwrite', error: /input 'allowTagOverwrite'.*not a boolean/ },
  { task: 'AcrPromote', why: 'zero timeout', inputs: { timeoutMinutes: '0' }, input: 'timeoutMinutes', error: /input 'timeoutMinutes'.*out of range/ },
  { task: 'AcrPromote', why: 'registry connection without password', inputs: { targetRegistryConnection: 'prod' }, endpoints: { prod: { ...dockerRegistry('prod.azurecr.io'), auth: { registry: 'prod.azurecr.io', username: 'ci' } } }, input: 'targetRegistryConnection', error: /input 'targetRegistryConnection'.*user name without a password/ },
  { task: 'AcrPromote', why: 'credentials typed into the image', inputs: { sourceImage: 'ci:hunter2@host/shop/web:1.0' }, input: 'sourceImage', secret: 'hunter2' },
  { task: 'AcrPromote', why: 'credentials typed into the target registry', inputs: { targetRegistry: 'ci:hunter2@prod.azurecr.io' }, input: 'targetRegistry', secret: 'hunter2' },
  { task: 'AcrPromote', why: 'source image missing', inputs: { sourceImage: '' }, input: 'sourceImage', error: /is required/ },
  { task: 'AcrPromote', why: 'space after the colon', inputs: { sourceImage: 'prod.azurecr.io/web: 1.0' }, input: 'sourceImage' },
  { task: 'AcrPromote', why: 'docker pull command pasted', inputs: { sourceImage: 'docker pull prod.azurecr.io/web:1.0' }, input: 'sourceImage' },
  { task: 'AcrPromote', why: 'tag longer than 128 characters', inputs: { sourceImage: `prod.azurecr.io/web:${'v'.repeat(129)}` }, input: 'sourceImage' },
  { task: 'AcrPromote', why: 'line break in the image', inputs: { sourceImage: 'prod.azurecr.io/web:1.0\nprod.azurecr.io/api:1.0' }, input: 'sourceImage', error: /line break/ },
  { task: 'AcrPromote', why: '120 KiB image value', inputs: { sourceImage: `prod.azurecr.io/web:${BIG}` }, input: 'sourceImage', error: /KiB long/ },
  { task: 'AcrPromote', why: 'docker:// scheme on the registry', inputs: { targetRegistry: 'docker://prod.azurecr.io' }, input: 'targetRegistry' },
  { task: 'AcrPromote', why: 'trailing slash on the registry', inputs: { targetRegistry: 'prod.azurecr.io/' }, input: 'targetRegistry' },
  { task: 'AcrPromote', why: 'two registries in one input', inputs: { targetRegistry: 'prod.azurecr.io, dr.azurecr.io' }, input: 'targetRegistry' },
  { task: 'AcrPromote', why: 'upper-case target repository', inputs: { targetRepository: 'Shop/Web' }, input: 'targetRepository' },
  { task: 'AcrPromote', why: 'target repository with a tag', inputs: { targetRepository: 'shop/web:1.0' }, input: 'targetRepository' },
  { task: 'AcrPromote', why: 'tag with a space', inputs: { targetTags: 'v 1' }, input: 'targetTags' },
  { task: 'AcrPromote', why: 'tag starting with a dot', inputs: { targetTags: '.hidden' }, input: 'targetTags' },
  { task: 'AcrPromote', why: 'tag of 129 characters', inputs: { targetTags: 't'.repeat(129) }, input: 'targetTags' },
  { task: 'AcrPromote', why: 'mode move', inputs: { mode: 'move' }, input: 'mode', error: /not one of the allowed values/ },
  { task: 'AcrPromote', why: 'yes as a boolean', inputs: { includeReferrers: 'yes' }, input: 'includeReferrers', error: /not a boolean/ },
  { task: 'AcrPromote', why: 'on as a boolean', inputs: { lockTarget: 'on' }, input: 'lockTarget', error: /not a boolean/ },
  { task: 'AcrPromote', why: 'timeout with a unit', inputs: { timeoutMinutes: '10m' }, input: 'timeoutMinutes', error: /not a whole number/ },
  { task: 'AcrPromote', why: 'timeout above a day', inputs: { timeoutMinutes: '1441' }, input: 'timeoutMinutes', error: /out of range/ },
  { task: 'AcrPromote', why: 'Docker connection of an unsupported scheme', inputs: { sourceImage: 'nonprod.azurecr.io/shop/web:1.4.2', sourceRegistryConnection: 'src' }, endpoints: { src: { ...dockerRegistry('nonprod.azurecr.io'), scheme: 'Token' } }, input: 'sourceRegistryConnection', error: /scheme 'Token'/ },
  { task: 'AcrPromote', why: 'Docker connection for another registry', inputs: { sourceImage: 'nonprod.azurecr.io/shop/web:1.4.2', sourceRegistryConnection: 'src' }, endpoints: { src: dockerRegistry('other.azurecr.io') }, input: 'sourceRegistryConnection', error: /is for registry 'other\.azurecr\.io'/ },
  { task: 'AcrPromote', why: 'AzureRM connection of an unsupported scheme', inputs: { azureSubscription: 'azure' }, endpoints: { azure: { ...azureRm(), scheme: 'PublishProfile' } }, input: 'azureSubscription', error: /unsupported scheme/ },
];
