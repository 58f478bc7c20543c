// Which commits a review compares: a track's branch against the target's current head from
// their merge-base (as a pull request shows it), or, for a merged track, what its merge landed:
// `targetBefore..mergedSha` from the merge record, which needs no branch (it may be deleted).
import { UsageError } from '../core/errors.js';
import type { Git } from '../git/git.js';
import { lastMergeRecord } from '../merge/record.js';
import type { TrackRow } from '../state/rows.js';
import type { StateStore } from '../state/store.js';

export const noBranchYet = (id: string) =>
  new UsageError(`Track ${id} has no branch yet (it is planned): there is nothing to review.`, {
    hint: `Run \`ym implement ${id}\` first; \`ym review ${id}\` shows its diff once its agent has worked on it.`,
  });

export interface Range {
  kind: 'merge-base' | 'landed';
  base: string;
  head: string;
  landing: { mergedSha: string; targetBefore: string | null; strategy: string | null } | null;
}

export async function chooseRange(
  git: Git,
  store: StateStore,
  row: TrackRow,
  refs: { target: string; targetSha: string | null; branch: string; branchSha: string | null },
): Promise<Range> {
  const landed = (row.state === 'merged' || row.state === 'reverted') && row.mergedSha !== null;
  if (landed && row.mergedSha !== null) {
    const mergedSha = row.mergedSha;
    if ((await resolveCommit(git, mergedSha)) === null) {
      throw new UsageError(
        `The merge of ${row.id} (${mergedSha.slice(0, 12)}) is not in this repository.`,
        {
          hint: 'Fetch the target branch that holds it, then run `ym review` again.',
        },
      );
    }
    const record = lastMergeRecord(store, row.id);
    const recorded = record?.targetBefore ?? null;
    const before =
      recorded !== null && (await resolveCommit(git, recorded)) !== null
        ? recorded
        : await landedBase(git, row.id, mergedSha);
    return {
      kind: 'landed',
      base: before,
      head: mergedSha,
      landing: { mergedSha, targetBefore: recorded, strategy: record?.strategy ?? null },
    };
  }
  if (refs.branchSha === null) {
    if (row.state === 'planned' || row.state === 'queued' || row.state === 'provisioning')
      throw noBranchYet(row.id);
    throw new UsageError(
      `Track ${row.id} (${row.state}) has no branch ${refs.branch}: there is nothing to review.`,
      {
        hint: 'Its branch was deleted (`ym clean`?); `ym status` shows the track.',
      },
    );
  }
  if (refs.targetSha === null) {
    throw new UsageError(`The target branch ${refs.target} does not exist.`, {
      hint: 'Create it, or set "target" in yardmaster.json to the branch tracks merge into.',
    });
  }
  const base = await git(['merge-base', refs.targetSha, refs.branchSha], { reject: false });
  if (!/^[0-9a-f]{40,64}$/.test(base)) {
    throw new UsageError(`${refs.branch} and ${refs.target} have no common history.`, {
      hint: 'A track branch starts from the target.',
    });
  }
  return { kind: 'merge-base', base, head: refs.branchSha, landing: null };
}

/**
 * A merge recorded without the target's previous commit (crash recovery): the parent of the
 * oldest first-parent commit carrying the track's trailer, as revert finds a track's commits.
 */
async function landedBase(git: Git, id: string, mergedSha: string): Promise<string> {
  const log = await git(
    [
      'log',
      '--first-parent',
      '--format=%H',
      '--fixed-strings',
      `--grep=Yardmaster-Track: ${id}`,
      mergedSha,
      '--',
    ],
    { reject: false },
  );
  const oldest = log.split('\n').filter(Boolean).pop() ?? mergedSha;
  const parent = await resolveCommit(git, `${oldest}^1`);
  if (parent === null)
    throw new UsageError(
      `Cannot tell what the merge of ${id} landed: ${oldest.slice(0, 12)} has no parent.`,
    );
  return parent;
}

export async function resolveCommit(git: Git, rev: string): Promise<string | null> {
  const sha = await git(
    ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`],
    { reject: false },
  );
  return /^[0-9a-f]{40,64}$/.test(sha) ? sha : null;
}
