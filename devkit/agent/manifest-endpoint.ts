import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../project';
import { Endpoint } from './agent-run';

interface Descriptor {
  id: string;
}
interface EndpointType {
  name: string;
  inputDescriptors?: Descriptor[];
  authenticationSchemes?: { type: string; inputDescriptors?: Descriptor[] }[];
}

/** scheme type in vss-extension.json → the scheme name the agent puts in ENDPOINT_AUTH_SCHEME_<id>. */
const SCHEME_NAMES: Record<string, string> = {
  'ms.vss-endpoint.endpoint-auth-scheme-basic': 'UsernamePassword',
  'ms.vss-endpoint.endpoint-auth-scheme-token': 'Token',
  'ms.vss-endpoint.endpoint-auth-scheme-none': 'None',
};

/**
 * A service connection of one of the extension's own types, filled in as Azure DevOps stores it: the
 * endpoint-level input descriptors of vss-extension.json become data (ENDPOINT_DATA_*, never masked),
 * the auth scheme's become authorization parameters (masked by the agent). The split is read from the
 * packaged manifest, so a test sees exactly what a user's connection would carry.
 */
export function endpointFromManifest(typeName: string, values: Record<string, string>, url?: string): Endpoint {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'vss-extension.json'), 'utf8')) as {
    contributions: { type: string; properties: EndpointType }[];
  };
  const type = manifest.contributions.find(
    (c) => c.type === 'ms.vss-endpoint.service-endpoint-type' && c.properties.name === typeName,
  )?.properties;
  if (!type) throw new Error(`vss-extension.json contributes no service connection type '${typeName}'`);
  const scheme = type.authenticationSchemes?.[0];
  const dataIds = new Set((type.inputDescriptors ?? []).map((d) => d.id));
  const authIds = new Set((scheme?.inputDescriptors ?? []).map((d) => d.id));
  const data: Record<string, string> = {};
  const auth: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) {
    if (dataIds.has(k)) data[k] = v;
    else if (authIds.has(k)) auth[k] = v;
    else throw new Error(`'${k}' is not an input of the '${typeName}' connection type`);
  }
  return { url, scheme: SCHEME_NAMES[scheme?.type ?? ''] ?? 'None', auth, data };
}
