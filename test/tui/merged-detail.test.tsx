// The detail of a merged track, whose branch the merge deleted (merge.deleteBranch): the built CLI
// implements and merges `slug`, then the status source loads its detail as the live view would
// and DetailView renders it through ink-testing-library. It shows what landed on the target, from
// the merge record, and never a git error.
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { createContext } from '../../src/cli/runner.js';
import { DetailView } from '../../src/tui/detail-view.js';
import { openStatusSource } from '../../src/tui/status-source.js';
import { makeTheme } from '../../src/tui/theme.js';
import { mergedSlug, type RevertFixture } from '../helpers/revert.js';

let fx: RevertFixture | undefined;
let cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.reverse()) await fn();
  cleanups = [];
  fx?.cleanup();
  fx = undefined;
});

async function detailScreen(f: RevertFixture, id: string) {
  const made = createContext(
    { cwd: f.repo.dir, json: false, debug: false, yes: false },
    {
      env: f.repo.env,
      stdout: { write: () => true },
      stderr: { write: () => true },
      stdinIsTTY: false,
    },
    new AbortController().signal,
  );
  cleanups = made.cleanups;
  const source = await openStatusSource(made.ctx);
  const view = await source.load();
  const track = view.tracks.find((t) => t.id === id)!;
  const detail = await source.loadDetail(id);
  const r = render(
    <DetailView
      track={track}
      detail={detail}
      log={null}
      width={120}
      height={40}
      now={Date.now()}
      theme={makeTheme(false)}
    />,
  );
  const text = r.lastFrame() ?? '';
  r.unmount();
  return { detail, text };
}

const TASKS = ['slug: task 2.2', 'slug: task 2.1', 'slug: task 1.2', 'slug: task 1.1'];

describe.each([
  { strategy: 'rebase', title: 'COMMITS landed on main (4) · rebase', landed: TASKS },
  {
    strategy: 'merge',
    title: 'COMMITS landed on main (5) · merge of 4 commits',
    landed: ['Merge track slug: Slug', ...TASKS],
  },
  {
    strategy: 'squash',
    title: 'COMMITS landed on main (1) · squash of 4 commits',
    landed: ['Slug (slug)'],
  },
] as const)('the detail of a track merged by $strategy, its branch deleted', (c) => {
  it('shows the commits that landed on the target, and no git error', async () => {
    fx = await mergedSlug({ strategy: c.strategy });
    expect(fx.gitFails(['rev-parse', '--verify', '--quiet', 'refs/heads/ym/slug'])).toBe(true);
    const { detail, text } = await detailScreen(fx, 'slug');
    expect(text).not.toContain('fatal:');
    expect(text).not.toContain('unavailable');
    expect(text).toContain(c.title);
    expect(detail.commitsError).toBeNull();
    expect(detail.commits.map((l) => l.replace(/^[0-9a-f]{7,} /, ''))).toEqual(c.landed);
    for (const line of detail.commits) expect(text).toContain(line);
    // The newest landed commit is the merge the record points at, on main.
    expect(fx.mainSha().startsWith(detail.commits[0]!.split(' ')[0]!)).toBe(true);
  }, 180_000);
});
