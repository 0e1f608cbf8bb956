import { InputReader } from './inputs';
import { REGION_KEY, REGION_NAME, findRegion } from './oci-regions';
import { quote } from './echo';

/**
 * Oracle Cloud IDs as Oracle documents them ("Resource Identifiers",
 * https://docs.oracle.com/en-us/iaas/Content/General/Concepts/identifiers.htm):
 *
 *   ocid1.<RESOURCE TYPE>.<REALM>.[REGION][.FUTURE USE].<UNIQUE ID>
 *
 * - the realm is oc1 (commercial), oc2, oc3… (government and sovereign realms);
 * - the region is empty for global resources (tenancy, compartment, user, group, policy), else a
 *   region identifier (eu-frankfurt-1) or, in older and some service OCIDs, its key (fra, iad, phx);
 * - an optional segment for future use precedes the unique id: vault and key OCIDs carry it
 *   (ocid1.vault.oc1.fra.<segment>.<unique>).
 */
export interface Ocid {
  resourceType: string;
  realm: string;
  /** As written: '' for global resources, a region identifier or a region key. */
  region: string;
  /** The region identifier when the region is in the table (a key is resolved), else undefined. */
  regionName?: string;
  unique: string;
}

const SHAPE = /^ocid1\.([a-z][a-z0-9]*)\.(oc\d+)\.([a-z0-9-]*)\.(?:([a-z0-9]+)\.)?([a-z0-9]+)$/;

/** Parses an OCID, or says in words why the text is not one. */
export function parseOcid(text: string): Ocid | { error: string } {
  const value = text.trim();
  if (!value.startsWith('ocid1.')) return { error: 'does not start with ocid1.' };
  const m = SHAPE.exec(value);
  if (!m) {
    if (/[A-Z]/.test(value)) return { error: 'has capital letters; OCIDs are lower case' };
    if (/\s/.test(value)) return { error: 'contains white space' };
    return { error: 'is not of the form ocid1.<type>.<realm>.[region].<unique id>' };
  }
  const [, resourceType, realm, region, , unique] = m;
  if (region && !REGION_NAME.test(region) && !REGION_KEY.test(region)) {
    return { error: `has '${region}' where a region (e.g. eu-frankfurt-1 or fra) or nothing belongs` };
  }
  return { resourceType, realm, region, regionName: region ? findRegion(region)?.name : undefined, unique };
}

export interface OcidExpectation {
  /** Accepted resource types, e.g. ['compartment', 'tenancy'] (the root compartment is the tenancy). */
  types: readonly string[];
  /** Shown in the fix, e.g. ocid1.vault.oc1.eu-frankfurt-1.aaaa… */
  example: string;
  /** Whether the resource is regional: then an OCID without region is refused. */
  regional?: boolean;
  /** The OCI connection's region identifier: a regional OCID must be in it, any OCID in its realm. */
  connectionRegion?: string;
  /** The connection input, named in a mismatch. */
  connectionInput?: string;
}

/** The problem with `value` for this expectation, as [problem, fix], or undefined when it is fine. */
export function ocidProblem(value: string, expect: OcidExpectation): [string, string] | undefined {
  const parsed = parseOcid(value);
  const types = expect.types.join(' or ');
  if ('error' in parsed)
    return [`${quote(value)} is not an OCID: it ${parsed.error}.`, `Use a ${types} OCID such as ${expect.example}.`];
  if (!expect.types.includes(parsed.resourceType)) {
    return [
      `${quote(value)} is not a ${types} OCID: it is a ${parsed.resourceType} OCID.`,
      `Copy the ${types}'s OCID (e.g. ${expect.example}).`,
    ];
  }
  if (expect.regional && !parsed.region) {
    return [
      `${quote(value)} has no region, but a ${types} is a regional resource.`,
      `Copy the full OCID (e.g. ${expect.example}).`,
    ];
  }
  const home = expect.connectionRegion ? findRegion(expect.connectionRegion) : undefined;
  const via = expect.connectionInput ? ` of '${expect.connectionInput}'` : '';
  if (home && parsed.realm !== home.realm) {
    return [
      `${quote(value)} is in realm ${parsed.realm}, but the OCI connection${via} is in ${home.name} (realm ${home.realm}).`,
      "Use an OCID from the connection's realm, or a connection for that realm.",
    ];
  }
  if (home && parsed.region) {
    const region = findRegion(parsed.region);
    if (region && region.name !== home.name) {
      return [
        `${quote(value)} is in ${region.name}, but the OCI connection${via} is in ${home.name}.`,
        `Use a ${types} in ${home.name}, or an OCI connection whose region is ${region.name}.`,
      ];
    }
  }
  return undefined;
}

/** Reads an OCID input (required or not per task.json), reporting any problem against that input. */
export function readOcid(inputs: InputReader, name: string, expect: OcidExpectation): string {
  const value = inputs.optionalString(name);
  if (value === undefined) return '';
  const problem = ocidProblem(value, expect);
  if (problem) inputs.problem(name, problem[0], problem[1]);
  return value;
}

/** Whether `value` is an OCID of one of these types (no region check): for list entries such as ACLs. */
export function isOcidOf(value: string, ...types: string[]): boolean {
  const parsed = parseOcid(value);
  return !('error' in parsed) && types.includes(parsed.resourceType);
}
