// Words about a track for pull/merge request titles and bodies: spec summary and plan progress.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { countTasks, parsePlan } from '../core/plan-md.js';
import type { RunEnv } from '../runtime/env.js';
import type { TrackRow } from '../state/rows.js';
import { trackDocsPath } from '../tracks/files.js';

export function trackDescription(env: RunEnv, track: TrackRow): string {
  const dir = path.join(track.worktree ?? env.repo.root, trackDocsPath(track.id));
  const read = (f: string) =>
    existsSync(path.join(dir, f)) ? readFileSync(path.join(dir, f), 'utf8') : '';
  const spec = read('spec.md').trim();
  let progress = '';
  try {
    const c = countTasks(parsePlan(read('plan.md')));
    progress = `Plan: ${c.done + c.skipped}/${c.total} tasks done.`;
  } catch {
    progress = 'Plan: unreadable.';
  }
  return [
    `Track \`${track.id}\` (${track.type}), made by yardmaster.`,
    '',
    progress,
    '',
    spec.slice(0, 4000),
  ].join('\n');
}
