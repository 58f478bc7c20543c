// Facts about the environment the CLI runs in.

/** True when running under CI (CI set to anything but "", "0" or "false"). */
export function isCI(env: NodeJS.ProcessEnv): boolean {
  return env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
}
