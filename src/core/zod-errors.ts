// Turns zod issues into one line per problem, each starting with the field path
// (`agents.mybot.command: expected array, received string (got "./bot.sh")`), with a suggestion
// for unknown keys. Parse with `{ reportInput: true }` so each line can show the offending value.
import type { z } from 'zod';
import { closest } from './suggest.js';

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out || '(root)';
}

export function formatIssues(
  issues: readonly z.core.$ZodIssue[],
  knownKeysAt?: (path: readonly PropertyKey[]) => readonly string[],
): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const where = formatPath([...issue.path, key]);
        const suggestion = knownKeysAt ? closest(key, knownKeysAt(issue.path)) : undefined;
        lines.push(`${where}: unknown key${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`);
      }
    } else {
      // Values under an environment (or a token-like key) may be secrets: never echo them.
      const secret = issue.path.some(
        (seg) => typeof seg === 'string' && /env|token|secret|password/i.test(seg),
      );
      const got = secret ? null : shownValue(issue.input);
      const shown = got === null || issue.message.includes(got) ? '' : ` (got ${got})`;
      lines.push(`${formatPath(issue.path)}: ${issue.message}${shown}`);
    }
  }
  return lines;
}

/** The value a field had, short enough for one line; null when there was none. */
function shownValue(input: unknown): string | null {
  if (input === undefined) return null;
  const text = JSON.stringify(input);
  if (text === undefined) return null;
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
