import { ConnectionProfile } from './model';
import { DbWorkload } from './options';

/** Consumer groups in order of preference: transaction workloads connect to TP, analytics to HIGH. */
const GROUP_PREFERENCE: Record<DbWorkload, string[]> = {
  OLTP: ['TP', 'HIGH', 'MEDIUM', 'TPURGENT', 'LOW'],
  AJD: ['TP', 'HIGH', 'MEDIUM', 'TPURGENT', 'LOW'],
  APEX: ['TP', 'HIGH', 'MEDIUM', 'TPURGENT', 'LOW'],
  DW: ['HIGH', 'MEDIUM', 'LOW', 'TP', 'TPURGENT'],
  LH: ['HIGH', 'MEDIUM', 'LOW', 'TP', 'TPURGENT'],
};

/** The consumer group of a profile, from its field or its `<db>_<group>` name. */
function groupOf(p: ConnectionProfile): string {
  return (p.consumerGroup ?? p.displayName.split('_').pop() ?? '').toUpperCase();
}

/**
 * The connect descriptor a pipeline should hand to its application: the workload's preferred
 * consumer group, with the TLS mode the database enforces (walletless TLS when mTLS is not
 * required, since a descriptor that needs no wallet is what most deployments want), a full
 * descriptor rather than EZConnect, and an FQDN rather than an IP. Descriptors carry no secret.
 */
export function chooseConnectionString(
  profiles: ConnectionProfile[],
  workload: DbWorkload,
  mtlsRequired: boolean,
  group?: string,
): ConnectionProfile | undefined {
  if (!profiles.length) return undefined;
  const preferred = GROUP_PREFERENCE[workload];
  const groups = group ? [group.toUpperCase(), ...preferred.filter((g) => g !== group.toUpperCase())] : preferred;
  const wantTls = mtlsRequired ? 'MUTUAL' : 'SERVER';
  const score = (p: ConnectionProfile): number[] => {
    const g = groups.indexOf(groupOf(p));
    return [
      p.tlsAuthentication && p.tlsAuthentication !== wantTls ? 1 : 0,
      g < 0 ? groups.length : g,
      p.syntaxFormat && p.syntaxFormat !== 'LONG' ? 1 : 0,
      p.hostFormat && p.hostFormat !== 'FQDN' ? 1 : 0,
    ];
  };
  const compare = (a: number[], b: number[]): number => {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
    return 0;
  };
  // Stable: equal scores keep the service's order, so "the first" wins ties.
  return profiles.map((p, i) => ({ p, s: score(p), i })).sort((x, y) => compare(x.s, y.s) || x.i - y.i)[0].p;
}

/** The consumer group a profile serves, for checking that an explicit choice was honoured. */
export function consumerGroupOf(p: ConnectionProfile): string {
  return groupOf(p);
}
