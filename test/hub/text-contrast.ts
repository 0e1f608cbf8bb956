import type { Page } from 'playwright-core';

/** One element with its own text: the first 40 characters of its text and its WCAG 2.x contrast ratio. */
export interface TextContrast {
  text: string;
  ratio: number;
}

type Rgba = [number, number, number, number];

/** A computed colour (`rgb(…)` / `rgba(…)`, as Chromium serialises them); anything else counts as transparent. */
export function parseColor(c: string): Rgba {
  const m = /rgba?\(([^)]+)\)/.exec(c);
  if (!m) return [0, 0, 0, 0];
  const p = m[1].split(',').map(Number);
  return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
}

/** WCAG 2.x relative luminance. */
export function luminance(c: readonly number[]): number {
  const f = (v: number): number => {
    v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  };
  return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
}

export function blend(fg: Rgba, bg: number[]): number[] {
  return [0, 1, 2].map((i) => fg[i] * fg[3] + bg[i] * (1 - fg[3]));
}

/** The ratio rounded to two decimals, as reported. */
export function contrastRatio(a: number[], b: number[]): number {
  const [la, lb] = [luminance(a), luminance(b)];
  return Math.round(((Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05)) * 100) / 100;
}

const STYLES = ['color', 'background-color', 'opacity', 'visibility', 'display'] as const;

/**
 * Every element under body with a non-blank text node of its own, drawn (a box with width and height, not
 * visibility:hidden, not under aria-hidden=true): its colour, faded by its own and its ancestors' opacity, over
 * the stack of its own and its ancestors' background colours up to the first opaque one, on white.
 *
 * Read with one DevTools DOMSnapshot.captureSnapshot and computed in Node: the same figures as
 * getComputedStyle for the element and each ancestor in the page, which cost seconds of Chromium CPU per view
 * (hundreds of text elements, each walking to the root twice). An element without a box (display:none, or
 * display:contents) has no computed style in the snapshot: it draws no background and fades nothing, so it
 * counts as transparent and opacity 1; an element under display:none is not drawn and has no box either.
 */
export async function textContrast(page: Page): Promise<TextContrast[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const snap = await cdp.send('DOMSnapshot.captureSnapshot', { computedStyles: [...STYLES] });
    const str = snap.strings;
    const { nodes, layout } = snap.documents[0];
    const parent = nodes.parentIndex ?? [];
    const type = nodes.nodeType ?? [];
    const name = (n: number): string => str[nodes.nodeName?.[n] ?? -1] ?? '';
    const value = (n: number): string => str[nodes.nodeValue?.[n] ?? -1] ?? '';
    const pseudo = new Set(nodes.pseudoType?.index ?? []);
    const attr = (n: number, key: string): string | undefined => {
      const a = nodes.attributes?.[n] ?? [];
      for (let i = 0; i < a.length; i += 2) if (str[a[i]] === key) return str[a[i + 1]];
      return undefined;
    };
    const box = new Map<number, { style: string[]; bounds: number[] }>();
    layout.nodeIndex.forEach((n, i) =>
      box.set(n, { style: layout.styles[i].map((s) => (s < 0 ? '' : str[s])), bounds: layout.bounds[i] }),
    );
    const children: number[][] = parent.map(() => []);
    parent.forEach((p, n) => p >= 0 && !pseudo.has(n) && children[p].push(n));
    const textOf = (n: number): string =>
      type[n] === 3 ? value(n) : type[n] === 1 ? children[n].map(textOf).join('') : '';
    const body = parent.findIndex((_, n) => type[n] === 1 && name(n) === 'BODY');
    const under = (n: number, a: number): boolean => {
      for (let e = parent[n]; e >= 0; e = parent[e]) if (e === a) return true;
      return false;
    };
    const ancestry = (n: number): number[] => {
      const chain: number[] = [];
      for (let e = n; e >= 0 && type[e] === 1; e = parent[e]) chain.push(e);
      return chain;
    };
    const out: TextContrast[] = [];
    for (let n = 0; n < parent.length; n++) {
      if (type[n] !== 1 || pseudo.has(n) || !under(n, body)) continue;
      if (!children[n].some((c) => type[c] === 3 && value(c).trim())) continue;
      const own = box.get(n);
      if (!own || !own.bounds[2] || !own.bounds[3]) continue;
      const [color, , , visibility, display] = own.style;
      if (visibility === 'hidden' || display === 'none') continue;
      const chain = ancestry(n);
      if (chain.some((e) => attr(e, 'aria-hidden') === 'true')) continue;
      let opacity = 1;
      const stack: Rgba[] = [];
      let opaque = false;
      for (const e of chain) {
        const s = box.get(e)?.style;
        if (!s) continue;
        opacity *= Number(s[2]);
        if (opaque) continue;
        const c = parseColor(s[1]);
        if (c[3] > 0) {
          stack.push(c);
          if (c[3] >= 1) opaque = true;
        }
      }
      let bg = [255, 255, 255];
      for (const c of stack.reverse()) bg = blend(c, bg);
      const fg = parseColor(color);
      const drawn = blend([fg[0], fg[1], fg[2], fg[3] * opacity], bg);
      out.push({ text: textOf(n).trim().slice(0, 40), ratio: contrastRatio(drawn, bg) });
    }
    return out;
  } finally {
    await cdp.detach();
  }
}
