// `worktrees.setup`: the repository's own commands run in each new worktree (e.g. `npm ci`).
// They come from yardmaster.json, so implement checks trust before anything starts.
import { WorkFailedError } from '../core/errors.js';
import { withoutForgeTokens } from '../core/env.js';
import { describeSpec } from '../config/commands.js';
import type { RunEnv } from '../runtime/env.js';

export async function runSetupCommands(env: RunEnv, worktree: string): Promise<void> {
  for (const spec of env.config.worktrees.setup) {
    const [file, ...args] = typeof spec === 'string' ? [spec] : spec;
    const r = await env.ctx.run(file!, args, {
      cwd: worktree,
      // They run in the agent's worktree (e.g. its package.json scripts): no forge tokens.
      env: withoutForgeTokens(),
      shell: typeof spec === 'string',
      detached: true,
      timeoutMs: 20 * 60_000,
      reject: false,
      keepTail: true,
      maxBuffer: 64 * 1024,
      signal: env.ctx.signal,
    });
    if (r.exitCode !== 0) {
      throw new WorkFailedError(
        `worktrees.setup command \`${describeSpec(spec)}\` failed in ${worktree} (${r.timedOut ? 'timed out' : `exit ${String(r.exitCode)}`}):\n${r.stderr.trim().split('\n').slice(-10).join('\n')}`,
      );
    }
  }
}
