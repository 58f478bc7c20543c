// Where track documents live in a checkout (no validation here: cheap to import anywhere).

export const DOCS_DIR = 'yardmaster';
export const TRACKS_DIR = `${DOCS_DIR}/tracks`;

/** Relative path (from a checkout root) of a track's docs, with forward slashes. */
export function trackDocsPath(id: string): string {
  return `${DOCS_DIR}/tracks/${id}`;
}

/** Where `ym archive` moves a finished track's docs: yardmaster/archive/<id>, forward slashes. */
export function archivedDocsPath(id: string): string {
  return `${DOCS_DIR}/archive/${id}`;
}
