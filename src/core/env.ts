// Facts about the environment the CLI runs in.

/** True when running under CI (CI set to anything but "", "0" or "false"). */
export function isCI(env: NodeJS.ProcessEnv): boolean {
  return env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
}

/**
 * The forge tokens yardmaster reads from the environment. They are for yardmaster's own calls
 * to GitHub and GitLab, which happen in this process (octokit, gitbeaker): no child process needs
 * them. The processes that run code an agent wrote or could have changed (the agent itself, the
 * checks, which run the agent's tests, and `worktrees.setup`, which runs in its worktree) get an
 * environment without them, so a prompt-injected or careless agent cannot push, merge or read
 * private repositories with the user's token, nor print it into a log it commits. This is
 * defence in depth, not a sandbox: a process of the same user can still read other processes'
 * environments (/proc/PID/environ). docs/agents.md, "Environment".
 */
export const FORGE_TOKEN_VARIABLES = ['GITHUB_TOKEN', 'GITLAB_TOKEN'] as const;

/** Overlay for RunOptions.env that removes the forge tokens from the inherited environment. */
export function withoutForgeTokens(): Record<(typeof FORGE_TOKEN_VARIABLES)[number], undefined> {
  return { GITHUB_TOKEN: undefined, GITLAB_TOKEN: undefined };
}
