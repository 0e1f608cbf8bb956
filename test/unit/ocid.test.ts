import { strict as assert } from 'node:assert';
import { OCI_REGIONS, findRegion } from '../../tasks/common/oci-regions';
import { ocidProblem, parseOcid } from '../../tasks/common/ocid';

/** OCIDs in the shapes Oracle publishes (Resource Identifiers page, console copies, SDK samples). */
const U = 'aaaaaaaa7xtyhu7tbdmgfkdzyvyxmqxzr5znphjokbxxm6ccwszi4cbtkl2a';
const valid: [string, string, string, string | undefined][] = [
  // value, type, realm, region identifier (resolved)
  [`ocid1.tenancy.oc1..${U}`, 'tenancy', 'oc1', undefined],
  [`ocid1.compartment.oc1..${U}`, 'compartment', 'oc1', undefined],
  [`ocid1.user.oc1..${U}`, 'user', 'oc1', undefined],
  [`ocid1.vault.oc1.eu-frankfurt-1.${U}`, 'vault', 'oc1', 'eu-frankfurt-1'],
  [`ocid1.vault.oc1.fra.bbpozmd6aaeug.abtheljs${U}`, 'vault', 'oc1', 'eu-frankfurt-1'],
  [`ocid1.key.oc1.iad.bbpozmd6aaeug.abuwcljr${U}`, 'key', 'oc1', 'us-ashburn-1'],
  [`ocid1.instance.oc1.phx.${U}`, 'instance', 'oc1', 'us-phoenix-1'],
  [`ocid1.vaultsecret.oc1.eu-frankfurt-1.${U}`, 'vaultsecret', 'oc1', 'eu-frankfurt-1'],
  [`ocid1.autonomousdatabase.oc1.uk-london-1.${U}`, 'autonomousdatabase', 'oc1', 'uk-london-1'],
  [`ocid1.vault.oc2.us-langley-1.${U}`, 'vault', 'oc2', 'us-langley-1'],
  [`ocid1.vault.oc3.us-gov-ashburn-1.${U}`, 'vault', 'oc3', 'us-gov-ashburn-1'],
  [`ocid1.vault.oc19.eu-frankfurt-2.${U}`, 'vault', 'oc19', 'eu-frankfurt-2'],
  [`ocid1.tenancy.oc4..${U}`, 'tenancy', 'oc4', undefined],
  // A region newer than the table: accepted, region unresolved.
  [`ocid1.vault.oc1.xx-newcity-1.${U}`, 'vault', 'oc1', undefined],
  [`ocid1.vault.oc1.zzz.${U}`, 'vault', 'oc1', undefined],
];

const invalid: [string, RegExp][] = [
  ['my-vault', /does not start with ocid1/],
  [`OCID1.vault.oc1.fra.${U}`, /does not start with ocid1/],
  [`ocid1.Vault.oc1.fra.${U}`, /capital letters/],
  [`ocid1.vault.oc1.fra.${U} `.replace(' ', ' x'), /white space/],
  [`ocid1.vault.fra.${U}`, /not of the form/],
  [`ocid1.vault.oc1.Frankfurt.${U}`, /capital letters/],
  [`ocid1.vault.oc1.frankfurt.${U}`, /'frankfurt' where a region/],
  ['ocid1.vault.oc1.fra.', /not of the form/],
  ['ocid2.vault.oc1.fra.aaaa', /does not start with ocid1/],
];

describe('OCIDs', () => {
  for (const [value, type, realm, region] of valid) {
    it(`parses ${value.slice(0, 48)}…`, () => {
      const parsed = parseOcid(value);
      assert.ok(!('error' in parsed), JSON.stringify(parsed));
      assert.equal(parsed.resourceType, type);
      assert.equal(parsed.realm, realm);
      assert.equal(parsed.regionName, region);
    });
  }
  for (const [value, error] of invalid) {
    it(`refuses ${value.slice(0, 40)}`, () => {
      const parsed = parseOcid(value);
      assert.ok('error' in parsed);
      assert.match(parsed.error, error);
    });
  }

  const vault = {
    types: ['vault'],
    regional: true,
    example: 'ocid1.vault.oc1.eu-frankfurt-1.aaaa',
    connectionInput: 'ociConnection',
  };
  it('accepts a vault in the connection region, written with the region key or name', () => {
    assert.equal(
      ocidProblem(`ocid1.vault.oc1.fra.bbpozmd6aaeug.${U}`, { ...vault, connectionRegion: 'eu-frankfurt-1' }),
      undefined,
    );
    assert.equal(
      ocidProblem(`ocid1.vault.oc1.eu-frankfurt-1.${U}`, { ...vault, connectionRegion: 'eu-frankfurt-1' }),
      undefined,
    );
  });
  it('refuses a vault in another region than the connection, naming both regions and the connection input', () => {
    const p = ocidProblem(`ocid1.vault.oc1.iad.bbpozmd6aaeug.${U}`, { ...vault, connectionRegion: 'eu-frankfurt-1' });
    assert.ok(p);
    assert.match(p[0], /is in us-ashburn-1, but the OCI connection of 'ociConnection' is in eu-frankfurt-1/);
  });
  it('refuses an OCID of another realm, even for a global resource', () => {
    const p = ocidProblem(`ocid1.compartment.oc2..${U}`, {
      types: ['compartment', 'tenancy'],
      example: 'x',
      connectionRegion: 'eu-frankfurt-1',
    });
    assert.ok(p);
    assert.match(p[0], /realm oc2.*realm oc1/);
  });
  it('refuses the wrong resource type, naming what it is', () => {
    const p = ocidProblem(`ocid1.key.oc1.fra.${U}`, vault);
    assert.match(p![0], /is not a vault OCID: it is a key OCID/);
  });
  it('refuses a regional resource without region', () => {
    assert.match(ocidProblem(`ocid1.vault.oc1..${U}`, vault)![0], /has no region/);
  });
  it('skips the region check for a region the table does not know yet', () => {
    assert.equal(
      ocidProblem(`ocid1.vault.oc1.xx-newcity-1.${U}`, { ...vault, connectionRegion: 'eu-frankfurt-1' }),
      undefined,
    );
  });
  it('truncates a long value in the message', () => {
    const p = ocidProblem(`ocid1.vault.oc1.fra.${'a'.repeat(5000)}X`, vault);
    assert.ok(p![0].length < 400, p![0]);
  });

  it("has the same regions, keys and realms as oci-common's Region table", async () => {
    const common = await import('oci-common');
    const sdk = common.Region.values()
      .map((r) => `${r.regionId} ${r.regionCode} ${r.realm.realmId}`)
      .sort();
    const ours = OCI_REGIONS.map((r) => `${r.name} ${r.key} ${r.realm}`).sort();
    assert.deepEqual(ours, sdk);
    assert.equal(findRegion('FRA')?.name, 'eu-frankfurt-1');
    assert.equal(findRegion('us-ashburn-1')?.key, 'iad');
  });
});
