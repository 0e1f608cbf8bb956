/**
 * The licence policy for what the .vsix bundles. Pure: scripts/sbom.ts feeds it the SBOM's components.
 * The list is what the bundles actually contain (measured with `npm run sbom`), all permissive, so the
 * extension ships under MIT without copyleft terms. A new licence is added here after a review, not by default.
 */
export const ALLOWED_LICENCES: readonly string[] = [
  'MIT', // most of the tree (88 of 116 bundled packages in 0.1.0)
  'ISC', // yaml, semver, once, wrappy
  'Apache-2.0', // @kubernetes/client-node, opossum, ecdsa-sig-formatter, …
  'BSD-3-Clause', // jssha, bcrypt-pbkdf, buffer-equal-constant-time; json-schema (AFL-2.1 OR BSD-3-Clause)
  'UPL-1.0', // Oracle's OCI SDK packages: (UPL-1.0 OR Apache-2.0)
  'Unlicense', // tweetnacl, stream-buffers (public-domain dedication)
  '0BSD', // tslib (azure-devops-ui's Table, Card, MessageCard in the hub): no conditions at all
];

export interface LicencedComponent {
  name: string;
  version: string;
  /** An SPDX licence id or expression, e.g. `MIT`, `(UPL-1.0 OR Apache-2.0)`; undefined when none is declared. */
  licence: string | undefined;
}

/**
 * True when the SPDX expression can be satisfied with allowed licences: for `A OR B` one side suffices, for
 * `A AND B` both are needed; `WITH` exceptions and `+` suffixes are judged by the base licence.
 * Parenthesised groups are handled; an unknown, missing or unreadable licence is never allowed.
 */
export function licenceAllowed(expression: string | undefined, allowed: readonly string[] = ALLOWED_LICENCES): boolean {
  if (!expression?.trim()) return false;
  const tokens = expression
    .replace(/[()]/g, (p) => ` ${p} `)
    .trim()
    .split(/\s+/);
  let at = 0;
  const orExpr = (): boolean => {
    let ok = andExpr();
    while (tokens[at]?.toUpperCase() === 'OR') {
      at++;
      ok = andExpr() || ok;
    }
    return ok;
  };
  const andExpr = (): boolean => {
    let ok = term();
    while (tokens[at]?.toUpperCase() === 'AND') {
      at++;
      ok = term() && ok;
    }
    return ok;
  };
  const term = (): boolean => {
    const token = tokens[at++];
    if (token === '(') {
      const ok = orExpr();
      if (tokens[at++] !== ')') throw new Error(`unbalanced licence expression: ${expression}`);
      return ok;
    }
    if (tokens[at]?.toUpperCase() === 'WITH') at += 2;
    return token !== undefined && allowed.includes(token.replace(/\+$/, ''));
  };
  try {
    // Text that is not an SPDX expression (`SEE LICENSE IN …`) is refused: someone has to read that licence.
    return orExpr() && at === tokens.length;
  } catch {
    return false;
  }
}

/** One line per bundled component whose licence is not allowed, naming it and the fix. */
export function licenceProblems(
  components: readonly LicencedComponent[],
  allowed: readonly string[] = ALLOWED_LICENCES,
): string[] {
  return components
    .filter((c) => !licenceAllowed(c.licence, allowed))
    .map(
      (c) =>
        `${c.name}@${c.version} is bundled but its licence (${c.licence ?? 'none declared'}) is not in the allow-list ` +
        `of scripts/licences.ts: replace the package, keep it out of the bundle, or add the licence after a legal review.`,
    );
}
