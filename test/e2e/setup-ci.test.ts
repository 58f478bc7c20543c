// `ym setup --ci github|gitlab`: the written workflow's shape, refusing to overwrite, and
// merging the yardmaster job into an existing .gitlab-ci.yml without losing the user's jobs.
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli } from '../helpers/cli.js';
import { makeRepo, type TestRepo } from '../helpers/repo.js';

let repos: TestRepo[] = [];
afterEach(() => {
  for (const r of repos) r.cleanup();
  repos = [];
});
async function setUpRepo(): Promise<TestRepo> {
  const r = makeRepo();
  repos.push(r);
  const res = await ym(r, ['setup', '--yes']);
  expect(res.code, res.stderr).toBe(0);
  return r;
}
const ym = (r: TestRepo, args: string[]) => runCli(['--cwd', r.dir, ...args], { env: r.env });

interface Workflow {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<
    string,
    {
      if: string;
      steps: { uses?: string; run?: string; with?: Record<string, unknown>; if?: string }[];
    }
  >;
}

describe('setup --ci github', () => {
  it('writes a pinned, least-privilege workflow for pull requests and the merge queue', async () => {
    const r = await setUpRepo();
    const res = await ym(r, ['setup', '--ci', 'github']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('.github/workflows/yardmaster.yml');
    const text = r.read('.github/workflows/yardmaster.yml');
    const wf = parse(text) as Workflow;
    expect(Object.keys(wf.on).sort()).toEqual(['merge_group', 'pull_request']);
    expect(wf.permissions).toEqual({ contents: 'read' });
    const job = Object.values(wf.jobs)[0]!;
    expect(job.if).toContain("startsWith(github.head_ref, 'ym/')");
    const uses = job.steps.filter((s) => s.uses).map((s) => s.uses!);
    expect(uses.map((u) => u.split('@')[0])).toEqual([
      'actions/checkout',
      'actions/setup-node',
      'actions/upload-artifact',
    ]);
    for (const u of uses) expect(u).toMatch(/@[0-9a-f]{40}$/);
    for (const line of text.split('\n').filter((l) => l.includes('uses:')))
      expect(line).toMatch(/@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    expect(job.steps[0]?.with?.['fetch-depth']).toBe(0);
    expect(job.steps.some((s) => s.run === 'npx yardmaster validate --ci --junit report.xml')).toBe(
      true,
    );
    const upload = job.steps.find((s) => s.uses?.startsWith('actions/upload-artifact'));
    expect(upload?.if).toBe('always()');
    expect(upload?.with?.path).toBe('report.xml');
    // setup did not touch what was already set up
    expect(JSON.parse(r.read('yardmaster.json'))).toMatchObject({ target: 'main' });
  });

  it('refuses to overwrite an existing workflow without --force', async () => {
    const r = await setUpRepo();
    r.write('.github/workflows/yardmaster.yml', 'name: mine\n');
    const refused = await ym(r, ['setup', '--ci', 'github']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('already exists');
    expect(r.read('.github/workflows/yardmaster.yml')).toBe('name: mine\n');
    const forced = await ym(r, ['setup', '--ci', 'github', '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(r.read('.github/workflows/yardmaster.yml')).toContain('yardmaster validate --ci');
    expect(r.read('yardmaster/product.md')).not.toBe(''); // --force with --ci touches only the CI file
  });

  it('uses the configured branch prefix', async () => {
    const r = await setUpRepo();
    r.write('yardmaster.json', JSON.stringify({ target: 'main', branchPrefix: 'agents/' }));
    expect((await ym(r, ['setup', '--ci', 'github'])).code).toBe(0);
    expect(
      (parse(r.read('.github/workflows/yardmaster.yml')) as Workflow).jobs.validate?.if,
    ).toContain("'agents/'");
  });
});

interface GitlabJob {
  stage: string;
  rules: { if: string }[];
  script: string[];
  artifacts: { when: string; reports: { junit: string } };
}

describe('setup --ci gitlab', () => {
  it('writes .gitlab-ci.yml with a merge request job and a JUnit report', async () => {
    const r = await setUpRepo();
    const res = await ym(r, ['setup', '--ci', 'gitlab']);
    expect(res.code, res.stderr).toBe(0);
    const job = (parse(r.read('.gitlab-ci.yml')) as { yardmaster: GitlabJob }).yardmaster;
    expect(job.rules[0]?.if).toContain('$CI_PIPELINE_SOURCE == "merge_request_event"');
    expect(job.rules[0]?.if).toContain('=~ /^ym\\//');
    expect(job.script).toContain('npx yardmaster validate --ci --junit report.xml');
    expect(job.artifacts).toEqual({ when: 'always', reports: { junit: 'report.xml' } });
  });

  it('merges into an existing file: the user’s jobs and comments stay, re-running changes nothing', async () => {
    const r = await setUpRepo();
    const mine = [
      '# Our pipeline: do not break it',
      'stages: [build, deploy]',
      '',
      'build:',
      '  stage: build # compile first',
      '  script:',
      '    - make',
      '',
      'deploy:',
      '  stage: deploy',
      '  script: ./deploy.sh',
      '',
    ].join('\n');
    r.write('.gitlab-ci.yml', mine);
    const res = await ym(r, ['setup', '--ci', 'gitlab']);
    expect(res.code, res.stderr).toBe(0);
    const text = r.read('.gitlab-ci.yml');
    expect(text).toContain('# Our pipeline: do not break it');
    expect(text).toContain('# compile first');
    const doc = parse(text) as Record<string, unknown>;
    expect(doc.build).toEqual({ stage: 'build', script: ['make'] });
    expect(doc.deploy).toEqual({ stage: 'deploy', script: './deploy.sh' });
    expect(doc.stages).toEqual(['build', 'deploy', 'test']);
    expect(Object.keys(doc)).toEqual(['stages', 'build', 'deploy', 'yardmaster']);
    expect((doc.yardmaster as GitlabJob).script).toContain(
      'npx yardmaster validate --ci --junit report.xml',
    );

    expect((await ym(r, ['setup', '--ci', 'gitlab'])).code).toBe(0);
    expect(r.read('.gitlab-ci.yml')).toBe(text);
  });

  it('refuses to replace a yardmaster job it did not write, unless --force; refuses invalid YAML', async () => {
    const r = await setUpRepo();
    const theirs = 'yardmaster:\n  script: echo "a job of the same name"\n';
    r.write('.gitlab-ci.yml', theirs);
    const refused = await ym(r, ['setup', '--ci', 'gitlab']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('already has a job named "yardmaster"');
    expect(r.read('.gitlab-ci.yml')).toBe(theirs);
    const forced = await ym(r, ['setup', '--ci', 'gitlab', '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(r.read('.gitlab-ci.yml')).toContain('yardmaster validate --ci');

    r.write('.gitlab-ci.yml', 'build: [unclosed\n');
    const invalid = await ym(r, ['setup', '--ci', 'gitlab']);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain('not valid YAML');
    expect(r.read('.gitlab-ci.yml')).toBe('build: [unclosed\n');
  });

  it('in a new repository, setup --ci writes the config, the documents and the CI file together', async () => {
    const r = makeRepo();
    repos.push(r);
    const res = await ym(r, ['setup', '--yes', '--ci', 'gitlab', '--json']);
    expect(res.code, res.stderr).toBe(0);
    const out = JSON.parse(res.stdout) as { written: string[]; ci: { action: string } };
    expect(out.written).toContain('.gitlab-ci.yml');
    expect(out.written).toContain('yardmaster.json');
    expect(out.ci.action).toBe('created');
  });
});
