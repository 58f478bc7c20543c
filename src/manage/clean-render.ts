// The plain output of `ym clean`: what goes, and what stays with exactly the work removing it
// would lose (uncommitted files, an operation in progress, commits not on the target).
import type { Output } from '../cli/output.js';
import type { CleanItem } from './clean.js';

export interface CleanReport {
  dryRun: boolean;
  remove: CleanItem[];
  keep: CleanItem[];
  lossy: (item: CleanItem) => boolean;
}

export function renderClean(out: Output, r: CleanReport): void {
  if (r.remove.length === 0 && r.keep.length === 0) {
    out.line(
      'Nothing to clean: no worktree or branch of a merged, cancelled or archived track is left.',
    );
    return;
  }
  if (r.remove.length) out.line(r.dryRun ? 'Would remove:' : 'Removed:');
  for (const item of r.remove) {
    out.line(`  ${item.track} (${item.state}${item.archived ? ', archived' : ''}): ${what(item)}`);
    if (r.lossy(item))
      for (const l of losses(item))
        out.line(`    ${out.c.red(r.dryRun ? 'would lose' : 'lost')} ${l}`);
  }
  if (r.keep.length) {
    out.line(
      `${r.dryRun ? 'Would keep' : 'Kept'} (removing them loses work; --force removes them anyway):`,
    );
    for (const item of r.keep) {
      out.line(
        `  ${item.track} (${item.state}${item.archived ? ', archived' : ''}): ${what(item)}`,
      );
      for (const l of losses(item)) out.line(`    ${out.c.yellow('would lose')} ${l}`);
    }
  }
}

function what(item: CleanItem): string {
  return [
    item.worktree ? `worktree ${item.worktree}` : '',
    item.branch ? `branch ${item.branch}` : '',
  ]
    .filter(Boolean)
    .join(', ');
}

function losses(item: CleanItem): string[] {
  return [
    ...(item.operation ? [`a ${item.operation} in progress in ${item.worktree}`] : []),
    ...item.uncommitted.map((f) => `uncommitted: ${f}`),
    ...item.unmerged.map((c) => `commit ${c.sha.slice(0, 10)} ${c.subject} (not on the target)`),
  ];
}
