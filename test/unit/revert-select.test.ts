// What revert undoes, without git: the spec grammar, which tasks a scope covers, and the choice
// of commits for merge, squash and plain commits, including the refusals.
import { describe, expect, it } from 'vitest';
import { parsePlan } from '../../src/core/plan-md.js';
import type { RevertAtom, RevertUnit, TrackHistory } from '../../src/revert/history.js';
import { assertInPlan, selectTargets } from '../../src/revert/select.js';
import { covers, parseRevertSpec, revertBranch } from '../../src/revert/spec.js';

const PLAN = parsePlan(
  '# Plan: x\n## Phase 1: A\n- [x] 1.1 a\n- [x] 1.2 b\n  - [x] 1.2.1 sub\n## Phase 2: B\n- [x] 2.1 c\n- [-] 2.2 d\n## Phase 3: C\n- [x] 3.1 e\n',
);

let n = 0;
const sha = () => (++n).toString(16).padStart(40, '0');
const atom = (tasks: string[], files = ['src/x.js']): RevertAtom => ({
  sha: sha(),
  subject: `do ${tasks.join('+') || 'stuff'}`,
  tasks,
  files,
});
const commit = (tasks: string[], files?: string[]): RevertUnit => ({
  ...atom(tasks, files),
  kind: 'commit',
  atoms: null,
});
const merge = (atoms: RevertAtom[]): RevertUnit => ({
  ...atom([...new Set(atoms.flatMap((a) => a.tasks))]),
  kind: 'merge',
  mainline: 1,
  atoms,
});
const history = (units: RevertUnit[], reverted: [string, string][] = []): TrackHistory => ({
  targetSha: sha(),
  units,
  reverted: new Map(reverted),
});

describe('revert spec', () => {
  it('parses the three granularities and refuses anything else', () => {
    expect(parseRevertSpec('slugify')).toEqual({
      trackId: 'slugify',
      scope: { kind: 'track' },
      text: 'slugify',
    });
    expect(parseRevertSpec('slugify:phase2').scope).toEqual({ kind: 'phase', phase: 2 });
    expect(parseRevertSpec('slugify:Task1.2').text).toBe('slugify:task1.2');
    for (const bad of [
      'slugify:phase0',
      'slugify:phase',
      'slugify:task1',
      'slugify:step1.2',
      'a:b:c',
      'Bad',
      '',
    ]) {
      expect(() => parseRevertSpec(bad), bad).toThrow();
    }
  });

  it('a phase covers the phases after it; a task covers its sub-tasks', () => {
    const phase2 = parseRevertSpec('x:phase2').scope;
    expect(['1.2', '2.1', '3.1', '10.1'].map((t) => covers(phase2, t))).toEqual([
      false,
      true,
      true,
      true,
    ]);
    const task = parseRevertSpec('x:task1.2').scope;
    expect(['1.2', '1.2.1', '1.21', '1.1'].map((t) => covers(task, t))).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(revertBranch('ym/', parseRevertSpec('x:task1.2'))).toBe('ym/revert-x-task1.2');
  });

  it('checks the phase or task against the plan', () => {
    expect(() => assertInPlan(parseRevertSpec('x:phase4'), PLAN, 'main')).toThrow(/no phase 4/);
    expect(() => assertInPlan(parseRevertSpec('x:task2.9'), PLAN, 'main')).toThrow(/no task 2\.9/);
    expect(() => assertInPlan(parseRevertSpec('x:task1.2'), null, 'main')).toThrow(
      /no readable plan\.md/,
    );
    expect(() => assertInPlan(parseRevertSpec('x:task1.2.1'), PLAN, 'main')).not.toThrow();
  });
});

describe('selectTargets', () => {
  it('takes the commits of the scope newest first and resets exactly its done markers', () => {
    const units = [commit(['3.1']), commit(['2.1']), commit(['1.2']), commit(['1.1'])];
    const s = selectTargets(parseRevertSpec('x:phase2'), history(units), PLAN, 'main');
    expect(s.targets.map((t) => t.sha)).toEqual([units[0]!.sha, units[1]!.sha]);
    expect(s.tasks).toEqual(['2.1', '3.1']); // 2.2 is skipped, not done
    expect(s.kept.map((k) => k.why)).toEqual(['task 1.2', 'task 1.1']);
  });

  it('undoes a merge whole when everything in it goes, else through its commits', () => {
    const m = merge([atom(['1.2']), atom(['1.1'])]);
    const whole = selectTargets(parseRevertSpec('x:phase1'), history([m]), PLAN, 'main');
    expect(whole.targets).toMatchObject([{ sha: m.sha, mainline: 1, whole: 'merge' }]);
    const one = selectTargets(parseRevertSpec('x:task1.2'), history([m]), PLAN, 'main');
    expect(one.targets.map((t) => t.sha)).toEqual([m.atoms![0]!.sha]);
    // Part of it already undone: the whole track goes through the commits that are left.
    const rest = selectTargets(
      parseRevertSpec('x'),
      history([m], [[m.atoms![0]!.sha, sha()]]),
      PLAN,
      'main',
    );
    expect(rest.targets.map((t) => t.sha)).toEqual([m.atoms![1]!.sha]);
    expect(rest.alreadyReverted).toHaveLength(1);
  });

  it('never splits a commit, and refuses a squash whose own commits are unknown', () => {
    expect(() =>
      selectTargets(parseRevertSpec('x:task1.2'), history([commit(['1.2', '2.1'])]), PLAN, 'main'),
    ).toThrow(/does tasks 1\.2, 2\.1 together.*never splits a commit/);
    const squash: RevertUnit = { ...atom(['1.1', '1.2']), kind: 'squash', atoms: null };
    expect(() =>
      selectTargets(parseRevertSpec('x:task1.2'), history([squash]), PLAN, 'main'),
    ).toThrow(/squashes tasks 1\.1, 1\.2/);
    expect(
      selectTargets(parseRevertSpec('x:phase1'), history([squash]), PLAN, 'main').targets,
    ).toMatchObject([{ whole: 'squash' }]);
  });

  it('leaves commits of only the track docs and commits of no task alone; nothing left is an error', () => {
    const docs = commit([], []);
    const loose = commit([]);
    const s = selectTargets(parseRevertSpec('x'), history([loose, docs]), PLAN, 'main');
    expect(s.targets.map((t) => t.sha)).toEqual([loose.sha]);
    expect(s.kept).toMatchObject([{ why: 'changes only the track docs' }]);
    expect(() =>
      selectTargets(parseRevertSpec('x:task1.1'), history([loose]), PLAN, 'main'),
    ).toThrow(/Nothing to revert/);
    const undone = commit(['1.1']);
    expect(() =>
      selectTargets(
        parseRevertSpec('x:task1.1'),
        history([undone], [[undone.sha, sha()]]),
        PLAN,
        'main',
      ),
    ).toThrow(/not reverted already/);
  });
});
