// Predicting that two tracks will conflict before they run: their declared scopes (files or
// directories of track.json's `scope`) overlap when an entry of one is, or lies under, an entry
// of the other. Pure.

const norm = (p: string) => p.replace(/^\.\//, '').replace(/\/+$/, '');

function atOrUnder(file: string, dir: string): boolean {
  return file === dir || file.startsWith(`${dir}/`);
}

/** The entries of `a` that overlap some entry of `b` (empty: no overlap, or no scope). */
export function scopeOverlap(
  a: readonly string[] | undefined,
  b: readonly string[] | undefined,
): string[] {
  if (!a?.length || !b?.length) return [];
  const bs = b.map(norm);
  return a.map(norm).filter((x) => bs.some((y) => atOrUnder(x, y) || atOrUnder(y, x)));
}
