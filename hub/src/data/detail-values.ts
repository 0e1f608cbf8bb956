/** Helpers for reading `details` the validator already cleaned (only well-typed values remain). */
export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
export const list = <T>(v: unknown): T[] => (Array.isArray(v) ? (v.filter(isObj) as unknown as T[]) : []);

export function text(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  try {
    return JSON.stringify(v);
  } catch {
    return undefined;
  }
}
