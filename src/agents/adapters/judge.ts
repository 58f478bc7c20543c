// Whether an agent's attempt counts as done. Exit code 0 does not prove it: claude exits 0
// after a denied Edit or an error_max_turns result, codex after a failed turn. This judge is
// deliberately conservative: it fails an attempt only on what the agent's own structured
// output says (an error result, a refused file edit). Whether the work is right is for the
// checks to say, and "nothing changed" for the caller, who can look at the worktree.
import type { AgentSummary } from './types.js';

export interface AgentVerdict {
  ok: boolean;
  /** Why not, in words fit for the feedback file of the next attempt. */
  reason?: string;
}

/**
 * Tools without which an agent cannot change files: claude's Edit/Write/MultiEdit/NotebookEdit,
 * opencode's edit/write/patch permissions. A denied Bash (git commit, npm test) is not here:
 * yardmaster commits what the agent leaves and runs the checks itself.
 */
export const FILE_EDIT_TOOLS: ReadonlySet<string> = new Set([
  'Edit',
  'Write',
  'MultiEdit',
  'NotebookEdit',
  'edit',
  'write',
  'patch',
  'apply_patch',
]);

export function judgeAgentExit(summary: AgentSummary, exitCode: number | null): AgentVerdict {
  if (exitCode !== 0) {
    const how = exitCode === null ? 'was killed by a signal' : `exited with code ${exitCode}`;
    const why = summary.errorText ?? summary.lastActivity;
    return { ok: false, reason: `The agent ${how}${why ? ` (last: ${why})` : ''}.` };
  }
  if (summary.success === false) {
    return {
      ok: false,
      reason: `The agent exited 0 but reported that it failed: ${summary.errorText ?? 'no details'}.`,
    };
  }
  const blocked = summary.denials.filter((d) => FILE_EDIT_TOOLS.has(d.tool));
  if (blocked.length > 0) {
    const list = blocked
      .slice(0, 5)
      .map((d) => d.text)
      .join('; ');
    const more = blocked.length > 5 ? ` and ${blocked.length - 5} more` : '';
    return {
      ok: false,
      reason:
        `The agent was refused permission to change files (${list}${more}), so the work cannot be complete. ` +
        "Check for deny rules in the agent's own settings that override the permissions yardmaster passes.",
    };
  }
  return { ok: true };
}
