import { describe, it, expect } from 'vitest';
import {
  PlanParseError,
  allTasks,
  charToMarker,
  countTasks,
  currentTask,
  markerToChar,
  parsePlan,
  renderPlan,
  setTaskMarker,
  type Plan,
  type TaskMarker,
} from '../../src/core/plan-md.js';
import { UsageError } from '../../src/core/errors.js';

const OWN = `# Plan: Add slugify
## Phase 1: Tests
- [ ] 1.1 Write failing test
- [x] 1.2 Add fixtures
## Phase 2: Implement
- [~] 2.1 Implement slugify
- [-] 2.2 Benchmark it
- [!] 2.3 Publish
`;

const CONDUCTOR = `# Implementation Plan - Conductor Documentation

Some prose about the approach, with a [link](https://example.com) and a literal [ ] in it.

## Phase 1: Scaffolding and Methodology [checkpoint: 0b41b9b]
- [x] Task: Create Documentation File [0b41b9b]
    - [x] Create \`docs/tools/conductor.md\` with the initial header.
    - [X] Sub-task: Add the methodology overview
- [x] Task: Conductor - User Manual Verification 'Scaffolding' (Protocol in workflow.md)

## Phase 2: Installation and Setup
- [~] Task: Document Installation
    - [ ] Write the "Installation" section.   
- [ ] Task: Document Setup

## Notes
- [see the spec](./spec.md)
- Keep this list as prose.
`;

function ids(plan: Plan): string[] {
  return allTasks(plan).map((t) => t.id);
}

function parseError(text: string): PlanParseError {
  try {
    parsePlan(text);
  } catch (err) {
    if (err instanceof PlanParseError) return err;
    throw err;
  }
  throw new Error('expected parsePlan to throw');
}

/** Positions where two equal-length strings differ. */
function diffPositions(a: string, b: string): number[] {
  expect(b.length).toBe(a.length);
  const out: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) out.push(i);
  return out;
}

describe('parsePlan: yardmaster format', () => {
  it('reads title, phases, ids, markers and lines', () => {
    const plan = parsePlan(OWN);
    expect(plan.title).toBe('Add slugify');
    expect(plan.phases.map((p) => [p.index, p.title, p.line])).toEqual([
      [1, 'Tests', 2],
      [2, 'Implement', 5],
    ]);
    expect(allTasks(plan).map((t) => [t.id, t.text, t.marker, t.line, t.depth])).toEqual([
      ['1.1', 'Write failing test', 'pending', 3, 0],
      ['1.2', 'Add fixtures', 'done', 4, 0],
      ['2.1', 'Implement slugify', 'in_progress', 6, 0],
      ['2.2', 'Benchmark it', 'skipped', 7, 0],
      ['2.3', 'Publish', 'blocked', 8, 0],
    ]);
    expect(allTasks(plan).some((t) => t.implicitId)).toBe(false);
  });

  it.each([
    [' ', 'pending'],
    ['~', 'in_progress'],
    ['x', 'done'],
    ['X', 'done'],
    ['-', 'skipped'],
    ['!', 'blocked'],
  ] as const)('marker [%s] is %s', (char, marker) => {
    const plan = parsePlan(`## Phase 1: A\n- [${char}] 1.1 Do it\n`);
    expect(allTasks(plan)[0]?.marker).toBe(marker);
  });

  it('exposes the marker maps both ways', () => {
    const markers: TaskMarker[] = ['pending', 'in_progress', 'done', 'skipped', 'blocked'];
    for (const m of markers) expect(charToMarker[markerToChar[m]]).toBe(m);
    expect(charToMarker['X']).toBe('done');
    expect(markerToChar.done).toBe('x');
  });

  it('accepts * and + bullets and id forms 1.2. and 1.2:', () => {
    const plan = parsePlan('## Phase 1: A\n* [ ] 1.1. First\n+ [x] 1.2: Second\n');
    expect(allTasks(plan).map((t) => [t.id, t.text, t.marker])).toEqual([
      ['1.1', 'First', 'pending'],
      ['1.2', 'Second', 'done'],
    ]);
  });

  it('puts tasks before any phase heading in an implicit phase 0', () => {
    const plan = parsePlan(
      '# Plan: X\n\n- [ ] Loose task\n- [x] Another\n## Phase 1: Real\n- [ ] 1.1 Real task\n',
    );
    expect(plan.phases.map((p) => [p.index, p.title, p.line])).toEqual([
      [0, '', 3],
      [1, 'Real', 5],
    ]);
    expect(ids(plan)).toEqual(['0.1', '0.2', '1.1']);
    expect(plan.phases[0]?.tasks[0]?.implicitId).toBe(true);
  });

  it('creates no implicit phase when every task is under a heading', () => {
    const plan = parsePlan('# Plan: X\nintro\n## Phase 1: A\n- [ ] 1.1 t\n');
    expect(plan.phases.map((p) => p.index)).toEqual([1]);
  });

  it('returns a null title when there is no H1', () => {
    expect(parsePlan('## Phase 1: A\n- [ ] 1.1 t\n').title).toBeNull();
  });

  it('ignores prose, links, blank lines and code fences', () => {
    const text = [
      '# Plan: P',
      'Prose with [ ] and [x] inside is not a task.',
      '',
      '## Phase 1: A',
      '- [link](https://example.com)',
      '- [ref]: https://example.com',
      '- [x](https://example.com/x) short link text',
      '- [a](./a.md)',
      '- [1]: footnote',
      '-[ ] no space after the bullet',
      '> - [ ] quoted',
      '```md',
      '- [ ] inside a fence',
      '- [?] even with a bad marker',
      '```',
      '- [ ] 1.1 The only task',
      '',
    ].join('\n');
    const plan = parsePlan(text);
    expect(allTasks(plan).map((t) => [t.id, t.line])).toEqual([['1.1', 16]]);
  });
});

describe('parsePlan: Conductor variants', () => {
  it('parses a realistic Conductor plan', () => {
    const plan = parsePlan(CONDUCTOR);
    expect(plan.title).toBe('Implementation Plan - Conductor Documentation');
    expect(plan.phases.map((p) => [p.index, p.title, p.checkpoint])).toEqual([
      [1, 'Scaffolding and Methodology', '0b41b9b'],
      [2, 'Installation and Setup', undefined],
    ]);
    const [p1, p2] = plan.phases;
    expect(p1?.tasks.map((t) => [t.id, t.text, t.marker, t.sha, t.implicitId])).toEqual([
      ['1.1', 'Create Documentation File', 'done', '0b41b9b', true],
      [
        '1.2',
        "Conductor - User Manual Verification 'Scaffolding' (Protocol in workflow.md)",
        'done',
        undefined,
        true,
      ],
    ]);
    expect(p1?.tasks[0]?.children.map((t) => [t.id, t.text, t.marker, t.depth, t.line])).toEqual([
      ['1.1.1', 'Create `docs/tools/conductor.md` with the initial header.', 'done', 1, 7],
      ['1.1.2', 'Add the methodology overview', 'done', 1, 8],
    ]);
    expect(p2?.tasks.map((t) => [t.id, t.marker, t.children.length])).toEqual([
      ['2.1', 'in_progress', 1],
      ['2.2', 'pending', 0],
    ]);
    expect(p2?.tasks[0]?.children[0]?.text).toBe('Write the "Installation" section.');
  });

  it('reads **Task X.Y**: ids from the Claude Code conductor plugin', () => {
    const plan = parsePlan(
      '### Phase 1: Setup\n- [ ] **Task 1.1**: Create the repo\n- [x] **Task 1.2:** Add CI\n- [ ] Task 1.3: Docs\n',
    );
    expect(allTasks(plan).map((t) => [t.id, t.text, t.marker, t.implicitId])).toEqual([
      ['1.1', 'Create the repo', 'pending', undefined],
      ['1.2', 'Add CI', 'done', undefined],
      ['1.3', 'Docs', 'pending', undefined],
    ]);
  });

  it.each([
    ['## Phase 1: Title [checkpoint: abc1234]', 'Title'],
    ['### Phase 1: Title', 'Title'],
    ['### Phase 1 - Title', 'Title'],
    ['## Phase 1 — Title', 'Title'],
    ['## **Phase 1: Title**', 'Title'],
    ['## Phase 1', ''],
  ])('reads phase heading %j', (heading, title) => {
    const plan = parsePlan(`${heading}\n- [ ] Task: t\n`);
    expect(plan.phases.map((p) => [p.index, p.title])).toEqual([[1, title]]);
  });

  it('keeps the phase number from the heading for implicit ids', () => {
    const plan = parsePlan('## Phase 3: Late\n- [ ] Task: a\n- [ ] Task: b\n');
    expect(ids(plan)).toEqual(['3.1', '3.2']);
  });

  it('keeps a task with a trailing sha in brackets', () => {
    const task = allTasks(parsePlan('## Phase 1: A\n- [x] Task: Implement X [abc1234]\n'))[0];
    expect(task?.text).toBe('Implement X');
    expect(task?.sha).toBe('abc1234');
  });

  it('keeps a non-phase heading as prose without starting a phase', () => {
    const plan = parsePlan('## Phase 1: A\n- [ ] 1.1 a\n## Notes\nsome text\n- [ ] 1.2 b\n');
    expect(plan.phases).toHaveLength(1);
    expect(ids(plan)).toEqual(['1.1', '1.2']);
  });

  it('nests deeper levels and returns to the right parent', () => {
    const text = [
      '## Phase 1: A',
      '- [ ] Task: parent',
      '    - [ ] child one',
      '        - [~] grandchild',
      '    - [x] child two',
      '',
      '\t- [!] tab-indented child',
      '- [ ] Task: second parent',
    ].join('\n');
    const plan = parsePlan(text);
    expect(allTasks(plan).map((t) => [t.id, t.depth, t.marker])).toEqual([
      ['1.1', 0, 'pending'],
      ['1.1.1', 1, 'pending'],
      ['1.1.1.1', 2, 'in_progress'],
      ['1.1.2', 1, 'done'],
      ['1.1.3', 1, 'blocked'],
      ['1.2', 0, 'pending'],
    ]);
    expect(plan.phases[0]?.tasks).toHaveLength(2);
  });

  it('parses CRLF files the same way', () => {
    const lf = parsePlan(CONDUCTOR);
    const crlf = parsePlan(CONDUCTOR.replace(/\n/g, '\r\n'));
    expect(crlf).toEqual(lf);
  });
});

describe('parsePlan: errors', () => {
  it.each([
    ['- [?] foo', '"[?]"'],
    ['- [xx] foo', '"[xx]"'],
    ['- [] foo', '"[]"'],
  ])('rejects unknown marker in %j with its line', (line, shown) => {
    const err = parseError(`# Plan: P\n## Phase 1: A\n- [ ] 1.1 ok\n\n\n\n${line}\n`);
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toBe(
      `plan.md:7: unknown task marker ${shown}; use one of [ ], [~], [x], [-], [!]`,
    );
    expect(err.line).toBe(7);
    expect(err.exitCode).toBe(2);
  });

  it('names the given file', () => {
    expect(() => parsePlan('- [?] a\n', 'tracks/x/plan.md')).toThrow(
      /^tracks\/x\/plan\.md:1: unknown task marker/,
    );
  });

  it.each([
    '- [ ]',
    '- [x]   ',
    '- [ ] 1.2',
    '- [ ] **Task 1.2**:',
    '- [ ] Task:',
    '- [x] [abc1234]',
  ])('rejects a task with no text: %j', (line) => {
    const err = parseError(`## Phase 1: A\n- [ ] 1.1 ok\n${line}\n`);
    expect(err.message).toBe('plan.md:3: task has no text');
    expect(err.hint).toContain('- [ ] 1.1');
  });

  it('rejects duplicate explicit ids, naming both lines', () => {
    const err = parseError(
      '## Phase 1: A\n- [ ] 1.1 a\n- [ ] 1.2 b\n## Phase 2: B\n- [ ] 1.2 again\n',
    );
    expect(err.line).toBe(5);
    expect(err.message).toBe('plan.md:5: duplicate task id 1.2 (first used on line 3)');
  });

  it.each([
    ['empty', ''],
    ['prose only', '# Plan: P\n## Phase 1: A\nJust words.\n- a bullet\n'],
    ['fenced tasks only', '```\n- [ ] 1.1 hidden\n```\n'],
  ])('rejects a plan with no tasks (%s) at line 1', (_name, text) => {
    const err = parseError(text);
    expect(err.message).toBe('plan.md:1: no tasks found');
    expect(err.line).toBe(1);
  });
});

describe('setTaskMarker', () => {
  it('changes exactly one byte of a Conductor plan', () => {
    const out = setTaskMarker(CONDUCTOR, '2.1', 'done');
    const at = diffPositions(CONDUCTOR, out);
    expect(at).toHaveLength(1);
    expect(CONDUCTOR[at[0] ?? -1]).toBe('~');
    expect(out[at[0] ?? -1]).toBe('x');
    expect(allTasks(parsePlan(out)).find((t) => t.id === '2.1')?.marker).toBe('done');
  });

  it('changes exactly one byte of a CRLF plan and keeps every \\r and trailing space', () => {
    const crlf = CONDUCTOR.replace(/\n/g, '\r\n');
    const out = setTaskMarker(crlf, '2.1.1', 'in_progress');
    const at = diffPositions(crlf, out);
    expect(at).toHaveLength(1);
    expect(out[at[0] ?? -1]).toBe('~');
    expect(out.split('\r\n')).toHaveLength(crlf.split('\r\n').length);
    expect(out).toContain('section.   \r\n');
    expect(out.replace('[~] Write', '[ ] Write')).toBe(crlf);
  });

  it('rewrites every marker kind, nested and explicit ids alike', () => {
    let text = OWN;
    const targets: [string, TaskMarker][] = [
      ['1.1', 'blocked'],
      ['1.2', 'pending'],
      ['2.1', 'skipped'],
      ['2.2', 'done'],
      ['2.3', 'in_progress'],
    ];
    for (const [id, marker] of targets) text = setTaskMarker(text, id, marker);
    expect(allTasks(parsePlan(text)).map((t) => t.marker)).toEqual(targets.map(([, m]) => m));
    expect(text.replace(/\[.\]/g, '[]')).toBe(OWN.replace(/\[.\]/g, '[]'));
  });

  it('returns the text unchanged when the marker already matches, keeping [X]', () => {
    const text = '## Phase 1: A\n- [X] 1.1 done already\n';
    expect(setTaskMarker(text, '1.1', 'done')).toBe(text);
  });

  it('handles a task on the first line after a BOM', () => {
    const text = '\uFEFF- [ ] 0.1 first\n';
    expect(setTaskMarker(text, '0.1', 'done')).toBe('\uFEFF- [x] 0.1 first\n');
  });

  it('throws a UsageError for an unknown task id, listing known ids', () => {
    expect(() => setTaskMarker(OWN, '9.9', 'done')).toThrow(UsageError);
    try {
      setTaskMarker(OWN, '9.9', 'done');
    } catch (err) {
      expect((err as UsageError).message).toBe('task 9.9 not found in the plan');
      expect((err as UsageError).hint).toContain('1.1, 1.2, 2.1');
    }
  });
});

describe('renderPlan', () => {
  it("writes yardmaster's format with X.Y ids", () => {
    const text = renderPlan({
      title: 'Add slugify',
      phases: [
        { title: 'Tests', tasks: ['Write failing test', { text: 'Add fixtures', marker: 'done' }] },
        { title: 'Implement', tasks: [{ text: 'Implement\n slugify', marker: 'in_progress' }] },
      ],
    });
    expect(text).toBe(
      '# Plan: Add slugify\n\n## Phase 1: Tests\n- [ ] 1.1 Write failing test\n- [x] 1.2 Add fixtures\n\n## Phase 2: Implement\n- [~] 2.1 Implement slugify\n',
    );
  });

  it('round-trips through parsePlan', () => {
    const draft = {
      title: 'Round trip',
      phases: [
        {
          title: 'One',
          tasks: [
            { text: 'a', marker: 'pending' as const },
            { text: 'b', marker: 'in_progress' as const },
            { text: 'c', marker: 'done' as const },
          ],
        },
        {
          title: 'Two',
          tasks: [
            { text: 'd', marker: 'skipped' as const },
            { text: 'e', marker: 'blocked' as const },
          ],
        },
      ],
    };
    const plan = parsePlan(renderPlan(draft));
    expect(plan.title).toBe('Round trip');
    expect(plan.phases.map((p) => p.title)).toEqual(['One', 'Two']);
    expect(
      plan.phases.map((p) => p.tasks.map((t) => ({ text: t.text, marker: t.marker }))),
    ).toEqual(draft.phases.map((p) => p.tasks));
    expect(ids(plan)).toEqual(['1.1', '1.2', '1.3', '2.1', '2.2']);
  });

  it('refuses a task with empty text', () => {
    expect(() => renderPlan({ title: 'T', phases: [{ title: 'A', tasks: ['ok', '  '] }] })).toThrow(
      /phase 1 task 2 has no text/,
    );
  });
});

describe('countTasks, currentTask, allTasks', () => {
  it('counts every task, children included', () => {
    expect(countTasks(parsePlan(OWN))).toEqual({
      pending: 1,
      in_progress: 1,
      done: 1,
      skipped: 1,
      blocked: 1,
      total: 5,
    });
    expect(countTasks(parsePlan(CONDUCTOR))).toEqual({
      pending: 2,
      in_progress: 1,
      done: 4,
      skipped: 0,
      blocked: 0,
      total: 7,
    });
  });

  it('flattens in document order', () => {
    expect(ids(parsePlan(CONDUCTOR))).toEqual([
      '1.1',
      '1.1.1',
      '1.1.2',
      '1.2',
      '2.1',
      '2.1.1',
      '2.2',
    ]);
  });

  it('prefers the first in-progress task, then the first pending one, then null', () => {
    expect(currentTask(parsePlan(OWN))?.id).toBe('2.1');
    expect(
      currentTask(parsePlan('## Phase 1: A\n- [x] 1.1 a\n- [ ] 1.2 b\n- [ ] 1.3 c\n'))?.id,
    ).toBe('1.2');
    expect(
      currentTask(parsePlan('## Phase 1: A\n- [x] 1.1 a\n- [-] 1.2 b\n- [!] 1.3 c\n')),
    ).toBeNull();
  });
});
