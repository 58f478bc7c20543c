// What an agent may run itself besides git: the configured checks (commands the user already
// trusted with \`ym trust\`), so it sees its own failures before yardmaster does and a failing
// test costs a turn, not an attempt; plus \`agents.<name>.allow\`. Never a blanket bypass: each
// built-in gets exactly these commands in its own permission form. Pure.
import type { CheckSpec } from '../config/schema.js';

/** A check's command as the agent would type it: the shell string, or the argv joined. */
export function checkCommandLine(check: Pick<CheckSpec, 'run'>): string {
  return typeof check.run === 'string' ? check.run.trim() : check.run.join(' ');
}

/**
 * Claude Code's --allowedTools rules for the checks (\`Bash(<command>:*)\`, the prefix form:
 * the command and any arguments after it) and the agent's own \`allow\` entries, as given.
 * A check whose command holds a newline is left out: a prefix rule cannot name it.
 */
export function claudeAllowRules(
  checks: readonly Pick<CheckSpec, 'run'>[],
  allow: readonly string[],
): string[] {
  const rules = checks
    .map(checkCommandLine)
    .filter((line) => line !== '' && !/[\n\r]/.test(line))
    .map((line) => `Bash(${line}:*)`);
  return [...new Set([...rules, ...allow])];
}

/**
 * aider's own test loop: --test-cmd runs the checks after its edits and --auto-test hands it the
 * failures to fix. Only when there are checks; several run one after another, stopping at the
 * first failure (aider runs the command through the shell).
 */
export function aiderTestArgs(checks: readonly Pick<CheckSpec, 'run'>[]): string[] {
  const lines = checks.map(checkCommandLine).filter((l) => l !== '' && !/[\n\r]/.test(l));
  if (!lines.length) return [];
  return [
    '--test-cmd',
    lines.map((l) => (lines.length > 1 ? `(${l})` : l)).join(' && '),
    '--auto-test',
  ];
}
