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

/**
 * `refs/yardmaster/docs/<id>`: the commit in which yardmaster copied a track's docs from the
 * user's checkout onto its branch. It tells the checkout's untracked copies (which are not the
 * user's changes) from edited ones, and keeps those bytes in git.
 */
export function trackDocsRef(id: string): string {
  return `refs/yardmaster/docs/${id}`;
}
