/**
 * Drops the stylesheet rules no element of the hub can match: azure-devops-ui's CSS comes whole with
 * every component the hub imports (~175 KB, ~1,800 rules), most of it for variants the hub never
 * renders. The browser parses every rule and matches them on each style pass of the first render.
 *
 * A selector is kept unless it names a class that appears nowhere in the hub's bundled scripts or
 * markup, neither whole nor assembled from a literal prefix/suffix and another word of the scripts
 * (`"depth-" + n`, `` `mcd-filter-${k}` ``, `"ms-Icon--" + iconName`).
 * Classes inside functional pseudo-classes (`:not(.x)`, `:is(.a, .b)`) are not required (`:not` matches
 * without them). Everything else (element, attribute, id selectors, @font-face, @keyframes, custom
 * properties) stays. test/hub/css-prune.test.ts checks every selector the rendered hub matches survives.
 *
 * Works on esbuild's minified CSS (no comments; strings and escapes respected).
 */

/** A rule or at-rule of the stylesheet: `prelude{body}` (or `prelude;` for a statement at-rule). */
export interface CssNode {
  prelude: string;
  /** Undefined for a statement (`@import …;`, `@charset …;`). */
  body?: string;
}

/** Index just past the string starting at `i` (a quote), escapes included. */
function skipString(css: string, i: number): number {
  const quote = css[i];
  let j = i + 1;
  while (j < css.length && css[j] !== quote) j += css[j] === '\\' ? 2 : 1;
  return j + 1;
}

/** Top-level nodes of a block of CSS (a stylesheet, or the body of @media/@supports). */
export function parseCss(css: string): CssNode[] {
  const nodes: CssNode[] = [];
  let start = 0;
  let i = 0;
  while (i < css.length) {
    const c = css[i];
    if (c === '"' || c === "'") i = skipString(css, i);
    else if (c === '\\') i += 2;
    else if (c === '/' && css[i + 1] === '*') {
      const end = css.indexOf('*/', i + 2);
      i = end < 0 ? css.length : end + 2;
    } else if (c === ';' && css.slice(start, i).trim().startsWith('@')) {
      nodes.push({ prelude: css.slice(start, i).trim() });
      start = ++i;
    } else if (c === '{') {
      let depth = 1;
      let j = i + 1;
      while (j < css.length && depth > 0) {
        const d = css[j];
        if (d === '"' || d === "'") {
          j = skipString(css, j);
          continue;
        }
        if (d === '\\') j++;
        else if (d === '{') depth++;
        else if (d === '}') depth--;
        j++;
      }
      nodes.push({ prelude: css.slice(start, i).trim(), body: css.slice(i + 1, j - 1) });
      start = i = j;
    } else if (c === '}' || (c === ';' && !css.slice(start, i).trim())) {
      start = ++i;
    } else i++;
  }
  return nodes.filter((n) => n.prelude || n.body !== undefined);
}

/**
 * Calls `visit` for each character outside strings, escapes, parentheses and brackets, in order; `visit` may
 * return the index to continue after (it consumed more than one character).
 */
function forEachTopLevel(text: string, visit: (c: string, i: number) => number | void): void {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'") i = skipString(text, i) - 1;
    else if (c === '\\') i++;
    else if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (depth === 0) i = visit(c, i) ?? i;
  }
}

/** Splits at top-level commas (not inside parentheses, brackets or strings). */
export function splitSelectors(list: string): string[] {
  const out: string[] = [];
  let start = 0;
  forEachTopLevel(list, (c, i) => {
    if (c !== ',') return;
    out.push(list.slice(start, i).trim());
    start = i + 1;
  });
  out.push(list.slice(start).trim());
  return out.filter(Boolean);
}

/** Classes a selector requires: those outside functional pseudo-classes, attribute selectors and strings. */
export function requiredClasses(selector: string): string[] {
  const classes: string[] = [];
  forEachTopLevel(selector, (c, i) => {
    if (c !== '.') return;
    const m = /^(?:\\.|[\w-])+/.exec(selector.slice(i + 1));
    if (!m) return;
    classes.push(m[0].replace(/\\(.)/g, '$1'));
    return i + m[0].length;
  });
  return classes;
}

/** What the hub's scripts and markup can put in a class attribute: whole words, and assembled pieces. */
export interface ClassVocabulary {
  words: Set<string>;
  /** Literal pieces a class is assembled from at run time (`"depth-"`, `"-focused"`). */
  prefixes: string[];
  suffixes: string[];
}

export function classVocabulary(texts: string[]): ClassVocabulary {
  const words = new Set<string>();
  const prefixes = new Set<string>();
  const suffixes = new Set<string>();
  for (const text of texts) {
    for (const m of text.matchAll(/[\w-]+/g)) words.add(m[0]);
    // A literal ending in a dash, followed by `+` or a template substitution: the start of an assembled class.
    for (const m of text.matchAll(/([A-Za-z_][\w-]*-)(?:["'`]\s*\+|\$\{)/g)) prefixes.add(m[1]);
    // One starting with a dash, after `+` or a substitution: its end.
    for (const m of text.matchAll(/(?:\+\s*["'`]|\})(-[\w-]*[A-Za-z0-9_])/g)) suffixes.add(m[1]);
  }
  return { words, prefixes: [...prefixes], suffixes: [...suffixes] };
}

/** The rest of an assembled class must itself appear in the scripts (`"ms-Icon--" + iconName`: "Refresh"). */
export function classUsed(name: string, v: ClassVocabulary): boolean {
  return (
    v.words.has(name) ||
    v.prefixes.some((p) => name.startsWith(p) && v.words.has(name.slice(p.length))) ||
    v.suffixes.some((s) => name.endsWith(s) && v.words.has(name.slice(0, -s.length)))
  );
}

/** Keyframes and font faces are kept whole; rules inside @media/@supports/@layer are pruned like top-level ones. */
const GROUPING = /^@(media|supports|layer|container|document)\b/i;

export function pruneCss(css: string, vocabulary: ClassVocabulary): string {
  const out: string[] = [];
  for (const node of parseCss(css)) {
    if (node.body === undefined) out.push(`${node.prelude};`);
    else if (node.prelude.startsWith('@')) {
      if (!GROUPING.test(node.prelude)) out.push(`${node.prelude}{${node.body}}`);
      else {
        const inner = pruneCss(node.body, vocabulary);
        if (inner) out.push(`${node.prelude}{${inner}}`);
      }
    } else {
      const kept = splitSelectors(node.prelude).filter((s) =>
        requiredClasses(s).every((c) => classUsed(c, vocabulary)),
      );
      if (kept.length) out.push(`${kept.join(',')}{${node.body}}`);
    }
  }
  return out.join('');
}

/** Every selector of a stylesheet's style rules, @media/@supports included (tests compare two sheets by these). */
export function selectorsOf(css: string): string[] {
  return parseCss(css).flatMap((n) => {
    if (n.body === undefined) return [];
    if (n.prelude.startsWith('@')) return GROUPING.test(n.prelude) ? selectorsOf(n.body) : [];
    return splitSelectors(n.prelude);
  });
}
