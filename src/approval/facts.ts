// What the approval gate looks at for one ready track, read from git and state.db (changing
// nothing): its branch head, the SHA its last approval named, and the command-bearing part of
// its diff from the merge-base with the target, as `ym review` shows it. The decision is
// src/flow/approval.ts's.
import type { ApprovalFacts } from '../flow/approval.js';
import { approvedShaOf } from '../flow/approval.js';
import type { Git } from '../git/git.js';
import { readBlobs } from '../git/plans.js';
import type { ProcessRunner } from '../proc/run.js';
import {
  CONFIG_PATH,
  detectCommandBearing,
  type CommandBearingPart,
} from '../review/command-bearing.js';
import { diffFiles } from '../review/diff.js';
import { committedHooksDir } from '../review/gather.js';
import { resolveCommit } from '../review/range.js';
import type { StateStore } from '../state/store.js';

export interface GateInput {
  git: Git;
  run: ProcessRunner;
  root: string;
  store: StateStore;
  target: string;
}

/** The command-bearing parts of `base..head` (yardmaster.json's command keys, CI files, hooks). */
export async function commandBearingBetween(
  input: Pick<GateInput, 'git' | 'run' | 'root'>,
  base: string,
  head: string,
): Promise<CommandBearingPart[]> {
  const [listed, hooksDir] = await Promise.all([
    diffFiles(input.git, base, head),
    committedHooksDir(input.git, input.root),
  ]);
  const touchesConfig = listed.some((f) => f.path === CONFIG_PATH || f.oldPath === CONFIG_PATH);
  const blobs = touchesConfig
    ? await readBlobs(input.run, input.root, [`${base}:${CONFIG_PATH}`, `${head}:${CONFIG_PATH}`])
    : new Map<string, string | null>();
  return detectCommandBearing({
    changes: listed,
    config: {
      before: blobs.get(`${base}:${CONFIG_PATH}`) ?? null,
      after: blobs.get(`${head}:${CONFIG_PATH}`) ?? null,
    },
    hooksDir,
  });
}

/** What a drain looked at already: the target's SHA of this look, the command-bearing parts by range. */
export interface FactsMemo {
  targetSha?: string | null;
  parts?: Map<string, CommandBearingPart[]>;
}

export async function approvalFacts(
  input: GateInput,
  trackId: string,
  branch: string,
  memo: FactsMemo = {},
): Promise<ApprovalFacts> {
  const { git, store } = input;
  const approvedSha = approvedShaOf(store.listEvents({ trackId }));
  const head = await resolveCommit(git, `refs/heads/${branch}`);
  const targetSha =
    memo.targetSha !== undefined
      ? memo.targetSha
      : await resolveCommit(git, `refs/heads/${input.target}`);
  if (head === null || targetSha === null) return { head, approvedSha, commandBearing: [] };
  const base = await git(['merge-base', targetSha, head], { reject: false });
  if (!/^[0-9a-f]{40,64}$/.test(base)) {
    // No common history: nothing to diff from, so nothing can be told about what it runs.
    return { head, approvedSha, commandBearing: ['no common history with the target'] };
  }
  // A range's parts never change: a drain looks at each (fork point, head) once.
  const key = `${base}..${head}`;
  const parts = memo.parts?.get(key) ?? (await commandBearingBetween(input, base, head));
  memo.parts?.set(key, parts);
  if (!parts.length) return { head, approvedSha, commandBearing: [] };
  // What the branch changed that landing it would still change on the target: a change the
  // target already has (a rewritten target holding the same commit) lands nothing.
  const landing = targetSha === base ? parts : await commandBearingBetween(input, targetSha, head);
  const kept = parts.flatMap((p) => {
    const there = landing.find((l) => l.path === p.path && l.rule === p.rule);
    if (!there) return [];
    if (p.rule !== 'config') return [p];
    const keys = p.keys.filter((k) =>
      there.keys.some(
        (t) =>
          t === k ||
          t.startsWith(`${k}.`) ||
          t.startsWith(`${k}[`) ||
          k.startsWith(`${t}.`) ||
          k.startsWith(`${t}[`),
      ),
    );
    return keys.length
      ? [{ ...p, keys, summary: keys.length === p.keys.length ? p.summary : keys.join(', ') }]
      : [];
  });
  return { head, approvedSha, commandBearing: kept.map((p) => `${p.path}: ${p.summary}`) };
}
