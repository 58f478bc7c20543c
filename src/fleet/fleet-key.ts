// Which fleet a clone belongs to: the root commit of the remote's target. Every clone of one
// repository agrees on it whatever URL it uses for the remote, so fleets of different
// repositories share one Redis without seeing each other's jobs.
import { WorkFailedError } from '../core/errors.js';
import type { Git } from '../git/git.js';

export async function fleetKey(git: Git, remote: string, target: string): Promise<string> {
  const roots = (
    await git(['rev-list', '--max-parents=0', `refs/remotes/${remote}/${target}`]).catch(() => '')
  )
    .split('\n')
    .filter(Boolean)
    .sort();
  const root = roots[0];
  if (!root)
    throw new WorkFailedError(
      `${remote}/${target} has no commits: push ${target} to ${remote} first.`,
    );
  return root.slice(0, 16);
}
