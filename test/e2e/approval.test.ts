// The approval gate end to end with the built CLI: with merge.requireApproval nothing lands before
// `ym approve`, only the approved track lands, an approval is of one SHA (a head that moved since
// needs approving again), and `ym reject` sends the reason to the agent's next attempt. An agent
// that changes what yardmaster runs (yardmaster.json's checks, a workflow file) never lands
// without an approval of that exact head, with --yes and under CI.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FIXTURES, makeProject, useRecordingAgent, type Project } from '../helpers/tracks.js';

let project: Project | undefined;
afterEach(() => {
  project?.cleanup();
  project = undefined;
});

const onMain = (p: Project, file: string) =>
  p.repo.git(['ls-tree', '--name-only', 'main', file]).trim() !== '';
const head = (p: Project, ref: string) => p.repo.git(['rev-parse', ref]).trim();

async function events(
  p: Project,
  type: string,
): Promise<{ trackId: string; at: string; data: Record<string, unknown> }[]> {
  const { default: Database } = await import('better-sqlite3');
  const conn = new Database(path.join(p.repo.dir, '.git', 'yardmaster', 'state.db'), {
    readonly: true,
  });
  try {
    return (
      conn
        .prepare('SELECT track_id, at, data FROM events WHERE type = ? ORDER BY id')
        .all(type) as { track_id: string; at: string; data: string }[]
    ).map((r) => ({
      trackId: r.track_id,
      at: r.at,
      data: JSON.parse(r.data) as Record<string, unknown>,
    }));
  } finally {
    conn.close();
  }
}

/** What an agent does when it commits again on its branch (a rebase with its own resolution). */
function moveBranch(p: Project, branch: string): string {
  const tree = head(p, `${branch}^{tree}`);
  const sha = p.repo
    .git(['commit-tree', tree, '-p', branch, '-m', 'the agent commits again'])
    .trim();
  p.repo.git(['update-ref', `refs/heads/${branch}`, sha]);
  return sha;
}

describe('merge.requireApproval', () => {
  it('lands nothing before approval, only the approved track, needs a new approval for a moved head, and sends a rejection to the agent', async () => {
    const p = await makeProject({
      tracks: [{ id: 'alpha' }, { id: 'beta' }],
      config: { merge: { requireApproval: true } },
    });
    project = p;
    const agent = useRecordingAgent(p, { '*': { behaviour: 'stamp' } });

    // Nothing lands before approval: implement exits 1 saying what to do.
    const run = await p.ym(['implement', '--yes']);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toContain(
      'alpha: waiting — awaiting approval (merge.requireApproval is on); run `ym review alpha`, then `ym approve alpha`',
    );
    expect(run.stdout).toContain(
      'beta: waiting — awaiting approval (merge.requireApproval is on); run `ym review beta`, then `ym approve beta`',
    );
    expect(onMain(p, 'src/alpha.txt') || onMain(p, 'src/beta.txt')).toBe(false);
    // ym merge (with --yes, under CI) does not land them either.
    const mergeBefore = await p.ym(['merge', '--yes']);
    expect(mergeBefore.code).toBe(1);
    expect(mergeBefore.stdout).toContain('alpha: waiting — awaiting approval');
    expect(onMain(p, 'src/alpha.txt')).toBe(false);
    const dry = await p.ym(['merge', '--dry-run', '--json']);
    expect(
      (JSON.parse(dry.stdout) as { order: { id: string; awaitingApproval: string | null }[] }).order
        .map((o) => [o.id, o.awaitingApproval])
        .sort(),
    ).toEqual([
      [
        'alpha',
        'awaiting approval (merge.requireApproval is on); run `ym review alpha`, then `ym approve alpha`',
      ],
      [
        'beta',
        'awaiting approval (merge.requireApproval is on); run `ym review beta`, then `ym approve beta`',
      ],
    ]);

    // `ym review` says where the gate stands.
    expect((await p.ym(['review', 'alpha'])).stdout).toContain(
      '\nApproval: awaiting (merge.requireApproval is on); run `ym approve alpha`\n',
    );

    // Approve one: only it lands.
    const alphaHead = head(p, 'ym/alpha');
    const ok = await p.ym(['approve', 'alpha']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain(
      `Approved alpha at ${alphaHead.slice(0, 12)} (by Yardmaster Test <test@yardmaster.invalid>).`,
    );
    const approved = await events(p, 'track.approved');
    expect(approved).toEqual([
      {
        trackId: 'alpha',
        at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown as string,
        data: { sha: alphaHead, by: { name: 'Yardmaster Test', email: 'test@yardmaster.invalid' } },
      },
    ]);
    const reviewed = JSON.parse((await p.ym(['review', 'alpha', '--json'])).stdout) as {
      approval: unknown;
    };
    expect(reviewed.approval).toEqual({
      needed: true,
      approved: {
        sha: alphaHead,
        by: { name: 'Yardmaster Test', email: 'test@yardmaster.invalid' },
        at: approved[0]!.at,
      },
      current: true,
    });
    const merged = await p.ym(['merge', '--yes']);
    expect(merged.code).toBe(1); // beta still waits
    expect(merged.stdout).toContain('1/1 merged into main.');
    expect(merged.stdout).toContain('beta: waiting — awaiting approval');
    expect(onMain(p, 'src/alpha.txt')).toBe(true);
    expect(onMain(p, 'src/beta.txt')).toBe(false);

    // An approval is of one SHA: beta's head moves after it, and it needs approving again.
    const approvedBeta = head(p, 'ym/beta');
    expect((await p.ym(['approve', 'beta'])).code).toBe(0);
    const moved = moveBranch(p, 'ym/beta');
    expect((await p.ym(['review', 'beta'])).stdout).toContain(
      `\nApproval: ${approvedBeta.slice(0, 12)} was approved by Yardmaster Test <test@yardmaster.invalid>, but the head is now ${moved.slice(0, 12)}; run \`ym approve beta\` again\n`,
    );
    const stale = await p.ym(['merge', '--yes']);
    expect(stale.code).toBe(1);
    expect(stale.stdout).toContain(
      `beta: waiting — awaiting approval: ${approvedBeta.slice(0, 12)} was approved, but its head is now ${moved.slice(0, 12)} (merge.requireApproval is on); run \`ym review beta\`, then \`ym approve beta\` again`,
    );
    expect(onMain(p, 'src/beta.txt')).toBe(false);

    // Reject: back to its agent with the reason; its next attempt lands once approved.
    const rej = await p.ym(['reject', 'beta', '--reason', 'name the file after the track, please']);
    expect(rej.code, rej.stderr).toBe(0);
    expect(rej.stdout).toContain('Rejected beta at');
    expect(rej.stdout).toContain('back to its agent as attempt 2 of 3');
    expect((await events(p, 'track.rejected'))[0]?.data).toEqual({
      sha: moved,
      by: { name: 'Yardmaster Test', email: 'test@yardmaster.invalid' },
      reason: 'name the file after the track, please',
    });
    const again = await p.ym(['implement', '--yes']);
    expect(again.code).toBe(1);
    expect(again.stdout).toContain('beta: waiting — awaiting approval');
    const second = agent
      .records()
      .find((r) => r.track === 'beta' && r.attempt === 2 && r.event === 'start');
    expect(second?.feedback).toContain(
      'A reviewer rejected your work: name the file after the track, please',
    );
    expect((await p.ym(['approve', 'beta'])).code).toBe(0);
    const last = await p.ym(['merge', '--yes']);
    expect(last.code, last.stdout).toBe(0);
    expect(p.repo.git(['show', 'main:src/beta.txt'])).toBe('beta: attempt 2\n');
  }, 120_000);
});

describe("an approval and the queue's own rebase", () => {
  it('carries over when the target moves during the checks and the queue rebuilds', async () => {
    const p = await makeProject({ tracks: [{ id: 'alpha' }] });
    project = p;
    // A check that, the first time it runs in the merge queue, moves main under the candidate.
    const marker = path.join(p.repo.root, 'bumped');
    const bump = `if [ -n "$YM_MERGE_HOLDER" ] && [ ! -f '${marker}' ]; then touch '${marker}'; git -C '${p.repo.dir}' -c user.name=o -c user.email=o@example.com commit -q --allow-empty -m 'someone else'; fi`;
    useRecordingAgent(
      p,
      { '*': { behaviour: 'stamp' } },
      {
        config: {
          merge: { requireApproval: true },
          checks: [{ name: 'bump', run: ['sh', '-c', bump] }],
        },
      },
    );
    expect((await p.ym(['implement', '--yes'])).code).toBe(1);
    const approvedHead = head(p, 'ym/alpha');
    expect((await p.ym(['approve', 'alpha'])).code).toBe(0);
    // main moves on first, so the queue's first rebase moves the approved branch.
    p.repo.write('later.txt', 'x\n');
    p.repo.commit('main moves on');
    const m = await p.ym(['merge', '--yes']);
    expect(m.code, m.stdout + m.stderr).toBe(0);
    expect(m.stdout).toContain('target moved');
    expect(p.repo.git(['log', '--format=%s', 'main']).split('\n')).toContain('someone else');
    expect(onMain(p, 'src/alpha.txt')).toBe(true);
    const carried = await events(p, 'track.approval-carried');
    expect(carried.map((e) => e.data.from)).toEqual([approvedHead]);
  }, 60_000);
});

describe('a change to what yardmaster runs', () => {
  async function attackProject() {
    const p = await makeProject({
      tracks: [{ id: 'evil-check' }, { id: 'evil-ci' }, { id: 'plain' }],
    });
    project = p;
    const file = path.join(p.repo.dir, 'yardmaster.json');
    const config = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const opsFile = path.join(p.repo.root, 'ops.json');
    const ours = {
      ...config,
      agent: 'rev',
      agents: {
        rev: {
          command: [process.execPath, path.join(FIXTURES, 'review-agent.mjs'), opsFile],
          timeoutSec: 60,
        },
      },
    };
    // The agent's own yardmaster.json: the same, plus a check of its own.
    const evil = {
      ...ours,
      checks: [{ name: 'pwn', run: ['sh', '-c', 'echo pwned > pwned.txt'] }],
    };
    writeFileSync(
      opsFile,
      JSON.stringify({
        'evil-check': [
          { write: 'yardmaster.json', text: `${JSON.stringify(evil, null, 2)}\n` },
          { tick: 9 },
        ],
        'evil-ci': [
          { write: '.github/workflows/x.yml', text: 'on: push\njobs: {}\n' },
          { tick: 9 },
        ],
        plain: [{ write: 'src/plain.js', text: 'export const x = 1;\n' }, { tick: 9 }],
      }),
    );
    writeFileSync(file, `${JSON.stringify(ours, null, 2)}\n`);
    p.repo.commit('configure the review agent');
    return p;
  }

  it('never lands without an approval of that exact SHA, with --yes and with CI=true', async () => {
    const p = await attackProject();
    // Under CI (the test default) and with --yes: the plain track lands, the other two wait.
    const run = await p.ym(['implement', '--yes']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      'evil-check: waiting — awaiting approval (it changes what yardmaster runs (yardmaster.json: checks), so it needs an approval of',
    );
    expect(run.stdout).toContain(
      'whatever --yes, CI or merge.requireApproval say); run `ym review evil-check`, then `ym approve evil-check`',
    );
    expect(run.stdout).toContain(
      'evil-ci: waiting — awaiting approval (it changes what yardmaster runs (.github/workflows/x.yml: GitHub Actions workflow .github/workflows/x.yml)',
    );
    expect(onMain(p, 'src/plain.js')).toBe(true);
    expect(onMain(p, '.github/workflows/x.yml')).toBe(false);
    expect(p.repo.git(['show', 'main:yardmaster.json'])).not.toContain('pwned');
    // Not under CI, with --yes; then under CI without it: still nothing.
    for (const [args, env] of [
      [['merge', '--yes'], { CI: undefined }],
      [['merge'], { CI: 'true' }],
    ] as const) {
      const m = await p.ym([...args], env);
      expect(m.code, m.stdout + m.stderr).toBe(1);
      expect(m.stdout).toContain(
        'evil-check: waiting — awaiting approval (it changes what yardmaster runs',
      );
      expect(m.stdout).toContain(
        'evil-ci: waiting — awaiting approval (it changes what yardmaster runs',
      );
    }
    expect(onMain(p, '.github/workflows/x.yml')).toBe(false);

    // An approval of an older SHA does not count: the head moved after it.
    expect((await p.ym(['approve', 'evil-ci'])).code).toBe(0);
    const moved = moveBranch(p, 'ym/evil-ci');
    const stale = await p.ym(['merge', '--yes']);
    expect(stale.code).toBe(1);
    expect(stale.stdout).toContain(`but its head is now ${moved.slice(0, 12)}`);
    expect(onMain(p, '.github/workflows/x.yml')).toBe(false);

    // Approving the exact heads lands them; the approval says what it covers.
    const ok = await p.ym(['approve', 'evil-ci', 'evil-check']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(
      '  ⚠ this approves a change to what yardmaster runs: .github/workflows/x.yml: GitHub Actions workflow .github/workflows/x.yml',
    );
    expect(ok.stdout).toContain(
      '  ⚠ this approves a change to what yardmaster runs: yardmaster.json: checks',
    );
    const m = await p.ym(['merge', '--yes']);
    expect(m.code, m.stdout).toBe(0);
    expect(onMain(p, '.github/workflows/x.yml')).toBe(true);
    expect(p.repo.git(['show', 'main:yardmaster.json'])).toContain('pwned');
  }, 120_000);
});
