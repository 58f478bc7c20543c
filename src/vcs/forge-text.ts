// Words yardmaster writes on a forge: pull/merge request bodies (with a hidden marker that says
// yardmaster made them) and failure comments.
import type { LandRequest } from './types.js';

export function marker(trackId: string): string {
  return `<!-- yardmaster:track=${trackId} -->`;
}

/** The body of the pull/merge request. Stable for one head, so it is rewritten only when needed. */
export function requestBody(req: LandRequest): string {
  const checks = req.report.results
    .filter((r) => r.status !== 'skip')
    .map((r) => `\`${r.name}\` ${r.status}`)
    .join(', ');
  return [
    marker(req.trackId),
    `Opened by yardmaster for track \`${req.trackId}\`. Yardmaster merges it itself, at exactly \`${req.sha.slice(0, 12)}\`, once the required checks pass on that head; please do not push to this branch.`,
    '',
    req.description.trim(),
    '',
    `Local checks on \`${req.sha.slice(0, 12)}\`: ${checks || 'none configured'}.`,
  ].join('\n');
}

export function failureComment(trackId: string, message: string): string {
  return `${marker(trackId)}\n**yardmaster:** track \`${trackId}\` did not merge.\n\n${message}`;
}
