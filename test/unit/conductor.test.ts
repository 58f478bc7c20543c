import { afterEach, describe, expect, it } from 'vitest';
import {
  mapStatus,
  mapTrackId,
  mapTrackType,
  parseMetadata,
  parseTracksRegistry,
  pickTitle,
  readConductorProject,
  specHeading,
} from '../../src/setup/conductor.js';
import { UsageError } from '../../src/core/errors.js';
import { PlanParseError } from '../../src/core/plan-md.js';
import { makeTempDir, type TempDir } from '../helpers/repo.js';

const GEMINI_REGISTRY = `# Project Tracks

This file tracks all major tracks for the project. Each track has its own detailed plan in its respective folder.

---

- [x] **Track: Add dark mode**
*Link: [./conductor/tracks/dark-mode_20251207/](./conductor/tracks/dark-mode_20251207/)*

---

- [~] **Track: Fix the login redirect loop**
*Link: [./tracks/login-loop_20251208/](./tracks/login-loop_20251208/)*

---

- [ ] **Track: Export reports as CSV**
*Link: [./conductor/tracks/csv-export_20251209/](./conductor/tracks/csv-export_20251209/)*
`;

const CLAUDE_REGISTRY = `# Tracks Registry

## Active Tracks

## [~] Track: Add OAuth login
*ID: oauth_20260101*
*Link: [spec](conductor/tracks/oauth_20260101/spec.md) | [plan](conductor/tracks/oauth_20260101/plan.md)*

## [ ] Track: Rate limiting

*Link: [./tracks/rate-limit_20260102/](./tracks/rate-limit_20260102/)*

## Track Format

\`\`\`markdown
## [~] Track: <title>
*ID: <shortname_YYYYMMDD>*
\`\`\`
`;

const TABLE_REGISTRY = `# Tracks Registry

| Status | Track ID | Title | Created |
| ------ | -------- | ----- | ------- |
| [x]    | [setup_20260205](./tracks/setup_20260205/index.md) | Conductor Setup | 2026-02-05 |
| In Progress | \`audit_20260206\` | **Project audit** | 2026-02-06 |
| pending | [docs_20260207](./tracks/docs_20260207/) | Write the docs | 2026-02-07 |
`;

describe('parseTracksRegistry', () => {
  it('reads the Gemini CLI list entries with their links and markers', () => {
    expect(parseTracksRegistry(GEMINI_REGISTRY)).toEqual([
      { title: 'Add dark mode', id: 'dark-mode_20251207', status: 'done', line: 7 },
      {
        title: 'Fix the login redirect loop',
        id: 'login-loop_20251208',
        status: 'in_progress',
        line: 12,
      },
      { title: 'Export reports as CSV', id: 'csv-export_20251209', status: 'pending', line: 17 },
    ]);
  });

  it('reads the Claude Code heading entries, with *ID:* or a link, and ignores code fences', () => {
    expect(parseTracksRegistry(CLAUDE_REGISTRY)).toEqual([
      { title: 'Add OAuth login', id: 'oauth_20260101', status: 'in_progress', line: 5 },
      { title: 'Rate limiting', id: 'rate-limit_20260102', status: 'pending', line: 9 },
    ]);
  });

  it('reads tables by their header names', () => {
    expect(parseTracksRegistry(TABLE_REGISTRY)).toEqual([
      { title: 'Conductor Setup', id: 'setup_20260205', status: 'done', line: 5 },
      { title: 'Project audit', id: 'audit_20260206', status: 'in_progress', line: 6 },
      { title: 'Write the docs', id: 'docs_20260207', status: 'pending', line: 7 },
    ]);
  });

  it('does not take a link from a later entry or across a --- separator', () => {
    const text = '- [ ] **Track: No link**\n\n---\n\n*Link: [x](./tracks/other_1/)*\n';
    expect(parseTracksRegistry(text)).toEqual([{ title: 'No link', status: 'pending', line: 1 }]);
  });

  it('ignores ordinary checklists and empty files', () => {
    expect(parseTracksRegistry('- [ ] buy milk\n- [x] **not a track**\n')).toEqual([]);
    expect(parseTracksRegistry('')).toEqual([]);
  });
});

describe('metadata mapping', () => {
  it('maps Conductor ids to valid, unique yardmaster ids', () => {
    const none = () => false;
    expect(mapTrackId('dark-mode_20251207', none)).toBe('dark-mode-20251207');
    expect(mapTrackId('Fix_Login__Bug_20251208', none)).toBe('fix-login-bug-20251208');
    expect(mapTrackId('_x_', none)).toBe('x');
    const long = mapTrackId(`${'a'.repeat(40)}_${'b'.repeat(20)}`, none);
    expect(long).toBe(`${'a'.repeat(40)}-${'b'.repeat(7)}`);
    expect(long.length).toBe(48);
    expect(mapTrackId('Dark_Mode', (id) => id === 'dark-mode')).toBe('dark-mode-2');
    expect(mapTrackId('___', none, 'Add OAuth login')).toBe('add-oauth-login');
  });

  it('maps types and statuses, tolerating case and synonyms', () => {
    expect(mapTrackType('Feature')).toBe('feature');
    expect(mapTrackType('bugfix')).toBe('bug');
    expect(mapTrackType('Bug')).toBe('bug');
    expect(mapTrackType('docs')).toBe('chore');
    expect(mapTrackType('refactoring')).toBe('refactor');
    expect(mapTrackType(undefined)).toBe('feature');
    expect(mapTrackType('spike')).toBe('feature');
    expect(mapStatus('in_progress')).toBe('in_progress');
    expect(mapStatus('In Progress')).toBe('in_progress');
    expect(mapStatus('completed')).toBe('completed');
    expect(mapStatus('canceled')).toBe('cancelled');
    expect(mapStatus('new')).toBe('new');
    expect(mapStatus(undefined, 'done')).toBe('completed');
    expect(mapStatus(undefined, 'in_progress')).toBe('in_progress');
    expect(mapStatus(undefined)).toBe('new');
    // metadata.json wins over the registry marker
    expect(mapStatus('new', 'done')).toBe('new');
  });

  it('picks a short one-line title, and cuts a long one', () => {
    expect(pickTitle(['  Add\n dark   mode ', 'other'], 'fb')).toBe('Add dark mode');
    expect(pickTitle([undefined, '', 'From registry'], 'fb')).toBe('From registry');
    expect(pickTitle(['x'.repeat(150), 'Short'], 'fb')).toBe('Short');
    expect(pickTitle(['y'.repeat(300)], 'fb')).toHaveLength(200);
    expect(pickTitle([], 'fallback-id')).toBe('fallback-id');
  });

  it('reads the title from a spec heading', () => {
    expect(specHeading('# Specification: Add dark mode\n\n## Overview\n')).toBe('Add dark mode');
    expect(specHeading('# Track Spec - Rate limiting\n')).toBe('Rate limiting');
    expect(specHeading('## Overview only\n')).toBeUndefined();
  });

  it('parses metadata.json and names the file on errors', () => {
    const meta = parseMetadata(
      '{"track_id":"a_1","type":"bug","status":"new","created_at":"2025-12-07T10:00:00Z","description":"Fix it","extra":1}',
      'm.json',
    );
    expect(meta).toMatchObject({ track_id: 'a_1', type: 'bug', description: 'Fix it' });
    expect(() => parseMetadata('{ nope', 'conductor/tracks/a/metadata.json')).toThrow(
      /conductor\/tracks\/a\/metadata\.json: not valid JSON/,
    );
    expect(() => parseMetadata('{"description": 3}', 'm.json')).toThrow(
      /m\.json is invalid:\n {2}description:/,
    );
  });
});

describe('readConductorProject', () => {
  let tmp: TempDir;
  afterEach(() => tmp.cleanup());
  const PLAN = '# Plan\n## Phase 1: Build\n- [x] Task: Scaffold [abc1234]\n- [~] Task: Wire it\n';
  const none = { existingIds: new Set<string>(), imported: new Map<string, string>() };

  it('refuses a repository without conductor/', () => {
    tmp = makeTempDir();
    expect(() => readConductorProject(tmp.dir, none)).toThrow(UsageError);
    expect(() => readConductorProject(tmp.dir, none)).toThrow(/No Conductor project here/);
  });

  it('maps tracks, skips finished, unplanned, archived and already imported ones', () => {
    tmp = makeTempDir();
    tmp.write('conductor/product.md', '# P\n');
    tmp.write('conductor/tracks.md', GEMINI_REGISTRY);
    tmp.write('conductor/tracks/dark-mode_20251207/plan.md', PLAN);
    tmp.write(
      'conductor/tracks/dark-mode_20251207/metadata.json',
      '{"status":"in_progress","type":"Feature","description":"Dark mode for every page","created_at":"2025-12-07T10:00:00Z"}',
    );
    tmp.write('conductor/tracks/login-loop_20251208/plan.md', PLAN);
    tmp.write('conductor/tracks/login-loop_20251208/metadata.json', '{"status":"completed"}');
    tmp.write('conductor/tracks/no-plan_1/spec.md', '# Spec: x\n');
    tmp.write('conductor/tracks/done-before_1/plan.md', PLAN);
    tmp.write('conductor/archive/old_1/plan.md', PLAN);
    const project = readConductorProject(tmp.dir, {
      existingIds: new Set(['dark-mode-20251207']),
      imported: new Map([['done-before_1', 'done-before-1']]),
    });
    expect(project.docs).toEqual({ 'product.md': '# P\n' });
    expect(project.tracks).toEqual([
      {
        originalId: 'dark-mode_20251207',
        id: 'dark-mode-20251207-2',
        title: 'Dark mode for every page',
        type: 'feature',
        status: 'in_progress',
        createdAt: '2025-12-07T10:00:00.000Z',
        spec: null,
        plan: PLAN,
      },
    ]);
    expect(project.skipped).toEqual([
      'conductor/tracks.md:17 "Export reports as CSV": no folder conductor/tracks/csv-export_20251209/',
      // registry order first, then the folders tracks.md does not list, by name
      'conductor/tracks/login-loop_20251208/: completed in Conductor',
      'conductor/tracks/done-before_1/: already imported as track "done-before-1"',
      'conductor/tracks/no-plan_1/: no plan.md',
      'conductor/archive/: 1 archived track, not imported',
    ]);
  });

  it('reports a bad plan marker as file:line', () => {
    tmp = makeTempDir();
    tmp.write('conductor/tracks/bad_1/plan.md', '# Plan\n## Phase 1: A\n- [x] ok\n- [o] broken\n');
    const run = () => readConductorProject(tmp.dir, none);
    expect(run).toThrow(PlanParseError);
    expect(run).toThrow(/^conductor\/tracks\/bad_1\/plan\.md:4: unknown task marker "\[o\]"/);
  });
});
