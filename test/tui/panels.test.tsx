// Each panel of the live view on its own, through ink-testing-library: what it shows for the
// data it is given.
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { DetailView } from '../../src/tui/detail-view.js';
import { HelpOverlay, KEYS } from '../../src/tui/help-overlay.js';
import { LogView } from '../../src/tui/log-view.js';
import { Overview } from '../../src/tui/overview.js';
import { QueuePanel } from '../../src/tui/queue-panel.js';
import { makeTheme } from '../../src/tui/theme.js';
import { TrackList, listColumns, pad } from '../../src/tui/track-list.js';
import { buildRows } from '../../src/tui/view-model.js';
import { NOW, ago, detail, track, view } from '../helpers/status-view.js';
import { noUsage, sumUsage } from '../../src/core/usage.js';

const theme = makeTheme(false);
const frame = (node: React.ReactElement) => {
  const r = render(node);
  const text = r.lastFrame() ?? '';
  r.unmount();
  return text;
};

describe('Overview', () => {
  it('shows repository, target, provider, concurrency, elapsed and counts with symbols', () => {
    const v = view(
      [track('a', 'running'), track('b', 'running'), track('c', 'failed'), track('d', 'merged')],
      {
        provider: 'github',
        concurrency: 6,
        startedAt: ago(185_000),
      },
    );
    const text = frame(<Overview view={v} now={NOW} theme={theme} />);
    expect(text).toContain('shop /home/dev/shop');
    expect(text).toMatch(/target main\s+provider github\s+concurrency 6\s+elapsed 3m/);
    expect(text).toMatch(/4 tracks\s+> 2 running\s+✗ 1 failed\s+✓ 1 merged\s+spent -/);
  });

  it("shows the run's spend in the header: cost (~ when estimated) and tokens; unknown is -", () => {
    const usage = {
      ...sumUsage([]),
      inputTokens: 120_000,
      outputTokens: 8_100,
      cacheReadTokens: 100_000,
      costUsd: 1.2,
      costSource: 'estimated' as const,
      runs: 2,
    };
    const text = frame(
      <Overview view={view([track('a', 'running')], { usage })} now={NOW} theme={theme} />,
    );
    expect(text).toMatch(/spent ~\$1\.20 · 120k in \/ 8\.1k out \(100k cached\)/);
  });
});

describe('TrackList', () => {
  const list = (
    tracks = [track('a')],
    over: Partial<React.ComponentProps<typeof TrackList>> = {},
  ) =>
    frame(
      <TrackList
        rows={buildRows(tracks, 'state')}
        selectedKey={tracks[0]?.id ?? null}
        start={0}
        height={20}
        width={100}
        now={NOW}
        theme={theme}
        grouping="state"
        filter=""
        totalTracks={tracks.length}
        {...over}
      />,
    );

  it('shows a row with state symbol, progress bar, current task, attempt, agent, elapsed and activity', () => {
    const t = track('slugify', 'running', {
      attempt: 2,
      agent: 'claude',
      tasks: { pending: 2, in_progress: 1, done: 1, skipped: 0, blocked: 0, total: 4 },
      currentTask: { id: '1.2', text: 'Implement slugify' },
      activity: 'Editing src/slugify.ts',
      updatedAt: ago(125_000),
    });
    const text = list([t, track('b', 'running', { currentTask: null, activity: 'Editing a.ts' })]);
    expect(text).toContain('> running (2)');
    expect(text).toMatch(
      /› slugify\s+> running\s+██░░░░░░ 1\/4\s+2\/3\s+claude\s+2m\s+1\.2 Implement slug/,
    );
    expect(text).toMatch(/ b\s+> running .* Editing a\.ts/);
  });

  it('shows what each track cost: reported, ~estimated, ≥ when some attempts are unpriced, - unknown', () => {
    const cost = (costUsd: number, costSource: 'reported' | 'estimated', unpricedRuns = 0) => ({
      ...noUsage(),
      costUsd,
      costSource,
      unpricedRuns,
      runs: 1 + unpricedRuns,
    });
    expect(list([track('none', 'running')], { width: 130 })).not.toContain('COST');
    const text = list(
      [
        track('paid', 'running', { usage: cost(0.5, 'reported') }),
        track('est', 'running', { usage: cost(1.25, 'estimated') }),
        track('part', 'running', { usage: cost(2, 'reported', 1) }),
        track('none', 'running'),
      ],
      { width: 130 },
    );
    expect(text).toMatch(/TIME\s+MARKS\s+COST\s+CURRENT/);
    expect(text).toMatch(/paid\s+> running\s+.* 1m\s+\$0\.50 /);
    expect(text).toMatch(/est\s+> running\s+.* 1m\s+~\$1\.25 /);
    expect(text).toMatch(/part\s+> running\s+.* 1m\s+≥\$2\.00 /);
    expect(text).toMatch(/none\s+> running\s+.* 1m\s+-\s+1\.1/);
  });

  it('shows dependency, conflict and cancel marks, and the reason of a failure', () => {
    const text = list([
      track('web', 'planned', { dependsOn: ['api', 'core'], waitingOn: ['api'] }),
      track('api', 'running', { conflicts: ['web', 'cli'], cancelRequested: true }),
      track('core', 'failed', { reason: 'checks failed: test', currentTask: null }),
      track('docs', 'planned', { dependsOn: ['core'], waitingOn: [] }),
    ]);
    expect(text).toMatch(/web .*←api/);
    expect(text).toMatch(/api .*⊘cancel ≠web,cli/);
    expect(text).toMatch(/core .*checks failed: test/);
    expect(text).toMatch(/docs .*←✓1/);
  });

  it('renders only the visible window of 200 tracks', () => {
    const many = Array.from({ length: 200 }, (_, i) => track(`track-${i}`, 'planned'));
    const rows = buildRows(many, 'deps');
    const top = list(many, { rows, grouping: 'deps', height: 12 });
    expect(top).toContain('track-0 ');
    expect(top).toContain('track-9 ');
    expect(top).not.toContain('track-10 ');
    expect(top).toContain('rows 1-10 of 200');
    const bottom = list(many, {
      rows,
      grouping: 'deps',
      height: 12,
      start: 190,
      selectedKey: 'track-199',
    });
    expect(bottom).toContain('› track-199');
    expect(bottom).not.toContain('track-0 ');
    expect(bottom.split('\n')).toHaveLength(12);
  });

  it('drops optional columns on a narrow terminal and cuts long ids', () => {
    expect(listColumns(60, 10)).toMatchObject({ agent: 0, marks: 0, rest: 0 });
    expect(listColumns(60, 10)).toMatchObject({ cost: 0 });
    expect(listColumns(160, 10, false)).toMatchObject({ cost: 0 });
    expect(listColumns(100, 10)).toMatchObject({ cost: 0, agent: 9, marks: 18, rest: 17 });
    expect(listColumns(120, 8)).toMatchObject({ cost: 9, agent: 9, marks: 18, rest: 30 });
    expect(listColumns(160, 10)).toMatchObject({ cost: 9, agent: 9, marks: 18 });
    expect(listColumns(160, 10).rest).toBeGreaterThan(30);
    expect(pad('abcdef', 4)).toBe('ab… ');
    expect(pad('ab', 4)).toBe('ab  ');
    const narrow = list([track('a', 'running', { agent: 'claude' })], { width: 60 });
    expect(narrow).not.toContain('claude');
    for (const line of narrow.split('\n')) expect([...line].length).toBeLessThanOrEqual(60);
  });

  it('says what to do when there is nothing to show', () => {
    expect(list([])).toContain('no tracks yet');
    expect(list([], { filter: 'zz', totalTracks: 3 })).toContain('no track matches the filter');
  });
});

describe('QueuePanel', () => {
  it('shows the order and the head item step', () => {
    const q = [
      {
        trackId: 'api',
        enqueuedAt: ago(60_000),
        step: 'rebasing',
        headSha: '0123456789abcdef',
        paused: false,
      },
      { trackId: 'web', enqueuedAt: ago(30_000), step: null, headSha: null, paused: true },
      { trackId: 'docs', enqueuedAt: ago(10_000), step: null, headSha: null, paused: false },
    ];
    const text = frame(<QueuePanel queue={q} paused={false} theme={theme} />);
    expect(text).toContain('MERGE QUEUE (3)');
    expect(text).toMatch(/1 api: rebasing @0123456\s+→\s+2 web ⏸\s+→\s+3 docs/);
    expect(frame(<QueuePanel queue={[]} paused theme={theme} />)).toMatch(
      /MERGE QUEUE \(0\)\s+⏸ paused[\s\S]*empty/,
    );
  });
});

describe('DetailView', () => {
  const t = track('api', 'running', {
    attempt: 2,
    agent: 'codex',
    branch: 'ym/api',
    worktree: '/wt/api',
    currentTask: { id: '1.2', text: 'Implement it' },
  });
  const d = detail('api', {
    commits: ['abc1234 Add the endpoint', 'def5678 Write failing test'],
    checks: {
      at: ago(1000),
      attempt: 1,
      ok: false,
      results: [
        {
          name: 'lint',
          status: 'pass',
          exitCode: 0,
          durationMs: 800,
          outputTail: '',
          message: null,
        },
        {
          name: 'test',
          status: 'fail',
          exitCode: 1,
          durationMs: 2300,
          outputTail: 'ok 1\nnot ok 2 - slug\nexpected "a-b"',
          message: null,
        },
      ],
    },
    logPath: '/logs/api/7.log',
  });
  const log = {
    path: '/logs/api/7.log',
    size: 10,
    lines: ['agent: reading', 'agent: writing src/api.ts'],
    truncated: false,
    missing: false,
  };

  it('shows spec summary, plan with markers, checks with output tail, commits, worktree and log', () => {
    const text = frame(
      <DetailView track={t} detail={d} log={log} width={100} height={30} now={NOW} theme={theme} />,
    );
    expect(text).toMatch(/api — Title of api\s+> running\s+attempt 2\/3\s+agent codex/);
    expect(text).toContain('branch ym/api · worktree /wt/api');
    expect(text).toContain('Spec summary of api.');
    expect(text).toContain('[x] 1.1 Write failing test');
    expect(text).toContain('[~] 1.2 Implement it');
    expect(text).toContain('CHECKS attempt 1 · failed');
    expect(text).toMatch(/✓ lint\s+pass\s+0\.8s/);
    expect(text).toMatch(/✗ test\s+fail\s+2\.3s\s+exit 1/);
    expect(text).toContain('expected "a-b"');
    expect(text).toContain('COMMITS on ym/api (2)');
    expect(text).toContain('abc1234 Add the endpoint');
    expect(text).toContain('LOG /logs/api/7.log · following');
    expect(text).toContain('agent: writing src/api.ts');
    expect(text.split('\n').length).toBeLessThanOrEqual(30);
  });

  it('stacks the panels on a narrow terminal and says what is missing', () => {
    const text = frame(
      <DetailView
        track={track('x')}
        detail={detail('x', { branch: null, plan: null, planError: 'plan.md:3: bad marker' })}
        log={null}
        width={70}
        height={24}
        now={NOW}
        theme={theme}
      />,
    );
    expect(text).toContain('plan.md:3: bad marker');
    expect(text).toContain('CHECKS none recorded yet');
    expect(text).toContain('no branch yet');
    expect(text).toContain('(no log)');
  });
});

describe('DetailView commits', () => {
  const commitsPane = (d: ReturnType<typeof detail>, state: 'merged' | 'running') =>
    frame(
      <DetailView
        track={track(d.id, state, { branch: d.branch })}
        detail={d}
        log={null}
        width={100}
        height={30}
        now={NOW}
        theme={theme}
      />,
    );

  it('titles a merged track by what landed on the target and how', () => {
    const landing = {
      mergedSha: 'a'.repeat(40),
      targetBefore: 'b'.repeat(40),
      branchCommits: 2,
    };
    const squash = detail('slugify', {
      commits: ['1234abc Add slugify()'],
      commitsOf: { kind: 'landed', target: 'main', landing: { ...landing, strategy: 'squash' } },
    });
    const text = commitsPane(squash, 'merged');
    expect(text).toContain('COMMITS landed on main (1) · squash of 2 commits');
    expect(text).toContain('1234abc Add slugify()');
    expect(text).not.toContain('COMMITS on ym/slugify');
    const rebase = detail('slugify', {
      commits: ['1234abc Implement slugify', '5678def Write failing test'],
      commitsOf: { kind: 'landed', target: 'main', landing: { ...landing, strategy: 'rebase' } },
    });
    expect(commitsPane(rebase, 'merged')).toContain('COMMITS landed on main (2) · rebase');
  });

  it('shows a failure to read commits as the short line it is given', () => {
    const gone = detail('slugify', {
      commitsError: 'commits unavailable: branch ym/slugify is gone',
    });
    const text = commitsPane(gone, 'running');
    expect(text).toContain('COMMITS on ym/slugify (0)');
    expect(text).toContain('commits unavailable: branch ym/slugify is gone');
  });
});

describe('LogView', () => {
  const log = {
    path: '/l.log',
    size: 1,
    lines: Array.from({ length: 100 }, (_, i) => `line ${i}`),
    truncated: true,
    missing: false,
  };
  it('follows the end, or shows where it is scrolled to', () => {
    const follow = frame(
      <LogView trackId="api" log={log} logPath="/l.log" height={11} offset={0} />,
    );
    expect(follow).toContain('LOG api · /l.log · last 64 KiB · following');
    expect(follow).toContain('line 99');
    expect(follow).not.toContain('line 89');
    const back = frame(
      <LogView trackId="api" log={log} logPath="/l.log" height={11} offset={20} />,
    );
    expect(back).toContain('scrolled back 20 lines');
    expect(back).toContain('line 79');
    expect(back).not.toContain('line 80');
  });
});

describe('HelpOverlay', () => {
  it('lists every key', () => {
    const text = frame(<HelpOverlay height={30} />);
    for (const [keys, what] of KEYS) {
      expect(text).toContain(keys);
      expect(text).toContain(what.slice(0, 30));
    }
  });
});
