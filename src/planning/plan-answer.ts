// Where the planner agent's plan is read from: the file it was asked to write
// ($YM_OUTPUT_FILE) first, else its final message as its adapter reads it (a fenced ```json
// block, or a bare JSON object). Pure: the caller reads the file and runs the agent.
import { UsageError } from '../core/errors.js';
import { oneLine } from '../agents/adapters/lines.js';

export interface PlanAnswer {
  text: string;
  /** Names the source in validation messages: "plan.json", "the agent's final message". */
  name: string;
}

export interface PlanSources {
  outputFile: string;
  /** The output file's text, or null when the agent did not write it. */
  fileText: string | null;
  /** The agent's final message (finalMessage), or null when its output had none. */
  message: string | null;
  /** Where the final message was taken from (FINAL_MESSAGE_SOURCE), for the error. */
  messageSource: string;
}

/** The plan's text and where it came from; a UsageError saying where it looked when none. */
export function findPlanAnswer(src: PlanSources): PlanAnswer {
  if (src.fileText !== null && src.fileText.trim())
    return { text: src.fileText, name: 'plan.json' };
  const fromMessage = src.message === null ? null : planInMessage(src.message);
  if (fromMessage !== null) return { text: fromMessage, name: "the agent's final message" };
  const file = src.fileText === null ? 'was not written' : 'is empty';
  const message =
    src.message === null || !src.message.trim()
      ? 'there was none'
      : `it holds no \`\`\`json block and no JSON object (it begins: "${oneLine(src.message, 80)}")`;
  throw new UsageError(
    `no plan found. yardmaster looked in the output file $YM_OUTPUT_FILE (${src.outputFile}), which ${file}, ` +
      `and in the agent's final message (${src.messageSource}): ${message}. ` +
      'Write the plan to that file, or end with it in a ```json block.',
  );
}

interface Fence {
  lang: string;
  body: string;
}

/**
 * The plan in a message: its last ```json block; else its last unlabelled fenced block that
 * holds an object; else a bare JSON object (the whole message, or from a line starting with
 * "{" to the last "}"). Null when there is none. A block that does not parse is still returned,
 * so the agent hears what is wrong with it.
 */
export function planInMessage(message: string): string | null {
  const fences = fencedBlocks(message);
  const json = fences.filter((f) => f.lang === 'json' || f.lang === 'jsonc').at(-1);
  if (json) return json.body;
  const bare = fences.filter((f) => f.lang === '' && f.body.trimStart().startsWith('{')).at(-1);
  if (bare) return bare.body;
  return bareObject(message);
}

const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})[ \t]*([\w+-]*)/;
const FENCE_CLOSE = /^ {0,3}(`{3,}|~{3,})[ \t]*$/;

/** Fenced blocks, read line by line so a ```ts block's closing fence never opens another. */
function fencedBlocks(text: string): Fence[] {
  const fences: Fence[] = [];
  let open: { marker: string; lang: string; lines: string[] } | null = null;
  for (const line of text.split(/\r?\n/)) {
    if (open === null) {
      const m = FENCE_OPEN.exec(line);
      if (m) open = { marker: m[1] ?? '```', lang: (m[2] ?? '').toLowerCase(), lines: [] };
      continue;
    }
    const close = FENCE_CLOSE.exec(line)?.[1];
    if (close && close[0] === open.marker[0] && close.length >= open.marker.length) {
      fences.push({ lang: open.lang, body: open.lines.join('\n') });
      open = null;
    } else {
      open.lines.push(line);
    }
  }
  // An unclosed block (the output was cut) still holds what was printed of it.
  if (open !== null) fences.push({ lang: open.lang, body: open.lines.join('\n') });
  return fences;
}

function bareObject(message: string): string | null {
  const trimmed = message.trim();
  if (trimmed.startsWith('{')) return trimmed;
  const end = trimmed.lastIndexOf('}');
  for (const m of trimmed.matchAll(/^[ \t]*\{/gm)) {
    if (end < m.index) break;
    const candidate = trimmed.slice(m.index, end + 1).trim();
    try {
      JSON.parse(candidate);
      return candidate;
    } catch {
      // Prose with a brace in it; try the next line that starts with one.
    }
  }
  return null;
}
