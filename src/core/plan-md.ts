// plan.md: parse a track's plan (yardmaster's own format and the Conductor variants), tick one
// task's marker without touching any other byte, and render a new plan. Pure, no I/O.

import { UsageError } from './errors.js';

export type TaskMarker = 'pending' | 'in_progress' | 'done' | 'skipped' | 'blocked';

export interface Task {
  id: string;
  text: string;
  marker: TaskMarker;
  /** 1-based line number in the file. */
  line: number;
  /** Nesting level: 0 for a task directly under its phase. */
  depth: number;
  /** Set when the text carried no `X.Y` number and the id was assigned from the position. */
  implicitId?: true;
  /** Commit recorded by Conductor as a trailing `[abc1234]`. */
  sha?: string;
  children: Task[];
}

export interface Phase {
  /** The number in the heading (`## Phase 3: ...` -> 3); 0 for the implicit phase. */
  index: number;
  title: string;
  /** Line of the heading; for the implicit phase, the line of its first task. */
  line: number;
  /** Conductor's `[checkpoint: abc1234]` on the heading. */
  checkpoint?: string;
  tasks: Task[];
}

export interface Plan {
  title: string | null;
  phases: Phase[];
}

export const markerToChar: Readonly<Record<TaskMarker, string>> = {
  pending: ' ',
  in_progress: '~',
  done: 'x',
  skipped: '-',
  blocked: '!',
};

export const charToMarker: Readonly<Record<string, TaskMarker>> = {
  ' ': 'pending',
  '~': 'in_progress',
  x: 'done',
  X: 'done',
  '-': 'skipped',
  '!': 'blocked',
};

const MARKER_CHOICES = 'use one of [ ], [~], [x], [-], [!]';

export class PlanParseError extends UsageError {
  readonly file: string;
  readonly line: number;
  constructor(file: string, line: number, message: string, hint?: string) {
    super(`${file}:${line}: ${message}`, hint === undefined ? {} : { hint });
    this.file = file;
    this.line = line;
  }
}

// A list item whose first thing is a bracket of at most two characters followed by a space or the
// end of the line is checkbox-like; `- [link](url)` and `- [ref]: x` are not, so they stay prose.
const TASK_LINE = /^([ \t]*)([-*+])([ \t]+)\[([^\]]{0,2})\](?=[ \t]|$)(.*)$/;
const HEADING = /^(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const FENCE = /^[ \t]*(`{3,}|~{3,})/;
const PHASE = /^Phase[ \t]+(\d+)[ \t]*(?:[:.\-–—][ \t]*)?(.*)$/i;
const CHECKPOINT = /[ \t]*\[checkpoint:[ \t]*([0-9a-f]{7,40})\][ \t]*$/i;
const TRAILING_SHA = /[ \t]*\[(?:commit:[ \t]*)?([0-9a-f]{7,40})\]$/i;
// `1.2 text`, `1.2. text`, `1.2: text`, `Task 1.2: text`, `**Task 1.2**: text`, `**Task 1.2:** text`
const EXPLICIT_ID =
  /^(?:\*\*(?:Task[ \t]+)?(\d+(?:\.\d+)+)\.?:?\*\*:?|(?:Task[ \t]+)?(\d+(?:\.\d+)+)(?:[.:]|(?=[ \t])|$))[ \t]*/i;
const TASK_PREFIX = /^(?:\*\*)?(?:sub-?task|task)(?:\*\*)?[ \t]*:(?:\*\*)?[ \t]*/i;

function splitLines(text: string): string[] {
  // Splitting on \n alone keeps any \r with its line, so offsets map back to the original bytes.
  return text.split('\n');
}

function indentWidth(indent: string): number {
  let width = 0;
  for (const ch of indent) width += ch === '\t' ? 4 - (width % 4) : 1;
  return width;
}

function parseTaskText(rest: string): { id?: string; text: string; sha?: string } {
  let text = rest.trim();
  let sha: string | undefined;
  const shaMatch = TRAILING_SHA.exec(text);
  if (shaMatch) {
    sha = shaMatch[1];
    text = text.slice(0, shaMatch.index).trimEnd();
  }
  let id: string | undefined;
  const idMatch = EXPLICIT_ID.exec(text);
  if (idMatch) {
    id = idMatch[1] ?? idMatch[2];
    text = text.slice(idMatch[0].length);
  }
  text = text.replace(TASK_PREFIX, '').trim();
  return { ...(id === undefined ? {} : { id }), text, ...(sha === undefined ? {} : { sha }) };
}

export function parsePlan(text: string, file = 'plan.md'): Plan {
  const lines = splitLines(text);
  const phases: Phase[] = [];
  let title: string | null = null;
  let phase: Phase | null = null;
  let stack: { indent: number; task: Task }[] = [];
  const explicitIds = new Map<string, number>();
  let fence: string | null = null;
  let taskCount = 0;

  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    let line = (lines[i] ?? '').replace(/\r$/, '');
    if (i === 0) line = line.replace(/^\uFEFF/, '');

    const fenceMatch = FENCE.exec(line);
    if (fenceMatch?.[1] !== undefined) {
      const kind = fenceMatch[1].charAt(0);
      if (fence === null) fence = kind;
      else if (fence === kind) fence = null;
      continue;
    }
    if (fence !== null) continue;

    const heading = HEADING.exec(line);
    if (heading?.[1] !== undefined) {
      stack = [];
      const level = heading[1].length;
      const content = (heading[2] ?? '').replace(/^\*\*(.*)\*\*$/, '$1').trim();
      const phaseMatch = level >= 2 ? PHASE.exec(content) : null;
      if (phaseMatch) {
        let phaseTitle = phaseMatch[2] ?? '';
        const checkpoint = CHECKPOINT.exec(phaseTitle);
        if (checkpoint) phaseTitle = phaseTitle.slice(0, checkpoint.index);
        phase = {
          index: Number(phaseMatch[1]),
          title: phaseTitle.trim(),
          line: lineNo,
          ...(checkpoint?.[1] === undefined ? {} : { checkpoint: checkpoint[1] }),
          tasks: [],
        };
        phases.push(phase);
      } else if (level === 1 && title === null) {
        title = content.replace(/^Plan[ \t]*:[ \t]*/i, '');
      }
      // Any other heading (`## Notes`) is kept as prose: tasks below it stay in the current phase.
      continue;
    }

    const m = TASK_LINE.exec(line);
    if (!m) continue;
    const [, indentStr = '', , , content = '', rest = ''] = m;
    const marker = Object.hasOwn(charToMarker, content) ? charToMarker[content] : undefined;
    if (marker === undefined) {
      throw new PlanParseError(
        file,
        lineNo,
        `unknown task marker "[${content}]"; ${MARKER_CHOICES}`,
      );
    }
    const parsed = parseTaskText(rest);
    if (parsed.text === '') {
      throw new PlanParseError(
        file,
        lineNo,
        'task has no text',
        'write the task after its marker, e.g. `- [ ] 1.1 Write the tests`',
      );
    }
    if (parsed.id !== undefined) {
      const first = explicitIds.get(parsed.id);
      if (first !== undefined) {
        throw new PlanParseError(
          file,
          lineNo,
          `duplicate task id ${parsed.id} (first used on line ${first})`,
          'give every task its own X.Y number',
        );
      }
      explicitIds.set(parsed.id, lineNo);
    }

    if (phase === null) {
      phase = { index: 0, title: '', line: lineNo, tasks: [] };
      phases.push(phase);
    }
    const indent = indentWidth(indentStr);
    while (stack.length > 0 && (stack[stack.length - 1]?.indent ?? 0) >= indent) stack.pop();
    const parent = stack[stack.length - 1]?.task;
    const siblings = parent ? parent.children : phase.tasks;
    const task: Task = {
      id: parsed.id ?? `${parent ? parent.id : phase.index}.${siblings.length + 1}`,
      text: parsed.text,
      marker,
      line: lineNo,
      depth: stack.length,
      ...(parsed.id === undefined ? { implicitId: true as const } : {}),
      ...(parsed.sha === undefined ? {} : { sha: parsed.sha }),
      children: [],
    };
    siblings.push(task);
    stack.push({ indent, task });
    taskCount++;
  }

  if (taskCount === 0) {
    throw new PlanParseError(
      file,
      1,
      'no tasks found',
      'add tasks as `- [ ] 1.1 <task>` under a `## Phase 1: <title>` heading',
    );
  }
  return { title, phases };
}

export function allTasks(plan: Plan): Task[] {
  const out: Task[] = [];
  const walk = (tasks: Task[]): void => {
    for (const task of tasks) {
      out.push(task);
      walk(task.children);
    }
  };
  for (const phase of plan.phases) walk(phase.tasks);
  return out;
}

// Every checkbox counts, parents and sub-tasks alike: each is a unit of work the agent ticks, and
// counting only leaves would hide a parent marked done while its sub-tasks are still open.
export function countTasks(plan: Plan): Record<TaskMarker, number> & { total: number } {
  const counts = { pending: 0, in_progress: 0, done: 0, skipped: 0, blocked: 0, total: 0 };
  for (const task of allTasks(plan)) {
    counts[task.marker]++;
    counts.total++;
  }
  return counts;
}

export function currentTask(plan: Plan): Task | null {
  const tasks = allTasks(plan);
  return (
    tasks.find((t) => t.marker === 'in_progress') ??
    tasks.find((t) => t.marker === 'pending') ??
    null
  );
}

export function setTaskMarker(text: string, taskId: string, marker: TaskMarker): string {
  const tasks = allTasks(parsePlan(text));
  const task = tasks.find((t) => t.id === taskId);
  if (!task) {
    const known = tasks.map((t) => t.id);
    const list = known.length > 20 ? `${known.slice(0, 20).join(', ')}, ...` : known.join(', ');
    throw new UsageError(`task ${taskId} not found in the plan`, {
      hint: `tasks in this plan: ${list}`,
    });
  }
  if (task.marker === marker) return text;
  const lines = splitLines(text);
  let offset = 0;
  for (let i = 0; i < task.line - 1; i++) offset += (lines[i] ?? '').length + 1;
  let line = (lines[task.line - 1] ?? '').replace(/\r$/, '');
  if (task.line === 1 && line.startsWith('\uFEFF')) {
    line = line.slice(1);
    offset += 1;
  }
  const m = TASK_LINE.exec(line);
  if (!m) throw new Error(`line ${task.line} was parsed as a task but does not match a task line`);
  const [, indent = '', bullet = '', gap = ''] = m;
  const at = offset + indent.length + bullet.length + gap.length + 1;
  return text.slice(0, at) + markerToChar[marker] + text.slice(at + 1);
}

export interface PlanDraft {
  title: string;
  phases: { title: string; tasks: (string | { text: string; marker?: TaskMarker })[] }[];
}

export function renderPlan(plan: PlanDraft): string {
  // Text becomes one markdown line; a newline inside would split the task in two.
  const oneLine = (s: string): string => s.replace(/\s+/g, ' ').trim();
  const out: string[] = [`# Plan: ${oneLine(plan.title)}`];
  plan.phases.forEach((phase, p) => {
    const phaseTitle = oneLine(phase.title);
    out.push('', phaseTitle === '' ? `## Phase ${p + 1}` : `## Phase ${p + 1}: ${phaseTitle}`);
    phase.tasks.forEach((entry, t) => {
      const task = typeof entry === 'string' ? { text: entry } : entry;
      const text = oneLine(task.text);
      if (text === '') {
        throw new UsageError(`phase ${p + 1} task ${t + 1} has no text`, {
          hint: 'every task needs a description',
        });
      }
      out.push(`- [${markerToChar[task.marker ?? 'pending']}] ${p + 1}.${t + 1} ${text}`);
    });
  });
  return `${out.join('\n')}\n`;
}
