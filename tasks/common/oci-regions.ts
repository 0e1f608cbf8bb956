/**
 * OCI regions: identifier, region key and realm, as Oracle publishes them in "Regions and
 * Availability Domains" (https://docs.oracle.com/en-us/iaas/Content/General/Concepts/regions.htm)
 * and as oci-common 2.142 registers them (lib/region.js). test/unit/ocid.test.ts compares this table
 * with the SDK's, so a region the SDK learns is noticed here. A region missing from the table is
 * still accepted (new regions open every few months); only the checks that need its key or realm
 * are skipped for it.
 */
export interface OciRegion {
  /** e.g. eu-frankfurt-1 */
  name: string;
  /** e.g. fra: the short key some OCIDs and the OCIR host (fra.ocir.io) carry. */
  key: string;
  /** e.g. oc1 */
  realm: string;
}

const TABLE: [string, string, string][] = [
  ['ap-chuncheon-1', 'yny', 'oc1'],
  ['ap-mumbai-1', 'bom', 'oc1'],
  ['ap-hyderabad-1', 'hyd', 'oc1'],
  ['ap-seoul-1', 'icn', 'oc1'],
  ['ap-sydney-1', 'syd', 'oc1'],
  ['ap-melbourne-1', 'mel', 'oc1'],
  ['ap-osaka-1', 'kix', 'oc1'],
  ['ap-tokyo-1', 'nrt', 'oc1'],
  ['ca-montreal-1', 'yul', 'oc1'],
  ['ca-toronto-1', 'yyz', 'oc1'],
  ['eu-frankfurt-1', 'fra', 'oc1'],
  ['eu-zurich-1', 'zrh', 'oc1'],
  ['sa-saopaulo-1', 'gru', 'oc1'],
  ['uk-cardiff-1', 'cwl', 'oc1'],
  ['uk-london-1', 'lhr', 'oc1'],
  ['us-ashburn-1', 'iad', 'oc1'],
  ['us-phoenix-1', 'phx', 'oc1'],
  ['eu-amsterdam-1', 'ams', 'oc1'],
  ['me-jeddah-1', 'jed', 'oc1'],
  ['us-sanjose-1', 'sjc', 'oc1'],
  ['me-dubai-1', 'dxb', 'oc1'],
  ['sa-santiago-1', 'scl', 'oc1'],
  ['sa-vinhedo-1', 'vcp', 'oc1'],
  ['il-jerusalem-1', 'mtz', 'oc1'],
  ['eu-marseille-1', 'mrs', 'oc1'],
  ['ap-singapore-1', 'sin', 'oc1'],
  ['me-abudhabi-1', 'auh', 'oc1'],
  ['eu-milan-1', 'lin', 'oc1'],
  ['eu-stockholm-1', 'arn', 'oc1'],
  ['af-johannesburg-1', 'jnb', 'oc1'],
  ['eu-paris-1', 'cdg', 'oc1'],
  ['mx-queretaro-1', 'qro', 'oc1'],
  ['eu-madrid-1', 'mad', 'oc1'],
  ['us-chicago-1', 'ord', 'oc1'],
  ['mx-monterrey-1', 'mty', 'oc1'],
  ['us-saltlake-2', 'aga', 'oc1'],
  ['sa-bogota-1', 'bog', 'oc1'],
  ['sa-valparaiso-1', 'vap', 'oc1'],
  ['ap-singapore-2', 'xsp', 'oc1'],
  ['me-riyadh-1', 'ruh', 'oc1'],
  ['ap-delhi-1', 'onm', 'oc1'],
  ['ap-batam-1', 'hsg', 'oc1'],
  ['eu-madrid-3', 'orf', 'oc1'],
  ['eu-turin-1', 'nrq', 'oc1'],
  ['ap-kulai-2', 'jbp', 'oc1'],
  ['af-casablanca-1', 'lej', 'oc1'],
  ['us-langley-1', 'lfi', 'oc2'],
  ['us-luke-1', 'luf', 'oc2'],
  ['us-gov-ashburn-1', 'ric', 'oc3'],
  ['us-gov-chicago-1', 'pia', 'oc3'],
  ['us-gov-phoenix-1', 'tus', 'oc3'],
  ['uk-gov-london-1', 'ltn', 'oc4'],
  ['uk-gov-cardiff-1', 'brs', 'oc4'],
  ['ap-chiyoda-1', 'nja', 'oc8'],
  ['ap-ibaraki-1', 'ukb', 'oc8'],
  ['me-dcc-muscat-1', 'mct', 'oc9'],
  ['me-ibri-1', 'ibr', 'oc9'],
  ['ap-dcc-canberra-1', 'wga', 'oc10'],
  ['eu-dcc-milan-1', 'bgy', 'oc14'],
  ['eu-dcc-milan-2', 'mxp', 'oc14'],
  ['eu-dcc-dublin-2', 'snn', 'oc14'],
  ['eu-dcc-rating-2', 'dtm', 'oc14'],
  ['eu-dcc-rating-1', 'dus', 'oc14'],
  ['eu-dcc-dublin-1', 'ork', 'oc14'],
  ['eu-jovanovac-1', 'beg', 'oc20'],
  ['eu-madrid-2', 'vll', 'oc19'],
  ['eu-frankfurt-2', 'str', 'oc19'],
  ['eu-dcc-zurich-1', 'avz', 'oc24'],
  ['eu-crissier-1', 'avf', 'oc24'],
  ['me-dcc-doha-1', 'doh', 'oc21'],
  ['me-alrayyan-1', 'vve', 'oc21'],
  ['me-abudhabi-3', 'ahu', 'oc26'],
  ['me-alain-1', 'rba', 'oc26'],
  ['ap-dcc-gazipur-1', 'dac', 'oc15'],
  ['me-abudhabi-2', 'rkt', 'oc29'],
  ['me-abudhabi-4', 'shj', 'oc29'],
  ['us-somerset-1', 'ebb', 'oc23'],
  ['us-thames-1', 'ebl', 'oc23'],
  ['ap-seoul-2', 'dtz', 'oc35'],
  ['ap-suwon-1', 'dln', 'oc35'],
  ['ap-chuncheon-2', 'bno', 'oc35'],
  ['us-ashburn-2', 'yxj', 'oc42'],
  ['us-newark-1', 'pgc', 'oc42'],
  ['eu-budapest-1', 'jsk', 'oc51'],
  ['sa-riodejaneiro-1', 'hnw', 'oc52'],
];

export const OCI_REGIONS: readonly OciRegion[] = TABLE.map(([name, key, realm]) => ({ name, key, realm }));

const BY_NAME = new Map(OCI_REGIONS.map((r) => [r.name, r]));
const BY_KEY = new Map(OCI_REGIONS.map((r) => [r.key, r]));

/** A region by identifier (eu-frankfurt-1) or key (fra, FRA); undefined when not in the table. */
export function findRegion(nameOrKey: string): OciRegion | undefined {
  const s = nameOrKey.trim().toLowerCase();
  return BY_NAME.get(s) ?? BY_KEY.get(s);
}

/** Shapes of a region identifier and of a region key, for regions newer than the table. */
export const REGION_NAME = /^[a-z]{2,}(-[a-z]+)+-\d+$/;
export const REGION_KEY = /^[a-z]{3}$/;
