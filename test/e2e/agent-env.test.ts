// What environment an agent, its checks and worktrees.setup get (docs/agents.md): the user's
// environment, the agent's configured env and the YM_* contract, but never the forge tokens.
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES, makeProject, type Project } from '../helpers/tracks.js';

let project: Project | undefined;
afterEach(() => project?.cleanup());

const MARK = {
  GITHUB_TOKEN: 'ghp_marker_agent_env_0001',
  GITLAB_TOKEN: 'glpat-marker-agent-env-0002',
};

describe('agent environment', () => {
  it('passes the user environment and the contract, withholds GITHUB_TOKEN and GITLAB_TOKEN', async () => {
    const dump = (name: string) => path.join(project!.repo.root, `${name}.env.json`);
    const script = path.join(FIXTURES, 'env-dump.mjs');
    project = await makeProject({ tracks: [{ id: 'envy' }] });
    const p = project;
    p.repo.write(
      'yardmaster.json',
      JSON.stringify({
        target: 'main',
        agent: 'dumper',
        attempts: 1,
        agents: {
          dumper: {
            command: [process.execPath, script, dump('agent'), 'work'],
            env: { FROM_CONFIG: 'yes' },
          },
        },
        checks: [{ name: 'env', run: [process.execPath, script, dump('check')] }],
        worktrees: { setup: [[process.execPath, script, dump('setup')]] },
      }),
    );
    p.repo.commit('configure the env-dumping agent');
    const r = await p.ym(['implement', '--yes', '--json'], {
      ...MARK,
      ANTHROPIC_API_KEY: 'sk-user-key',
    });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).tracks[0].state).toBe('merged');
    const read = (name: string) =>
      JSON.parse(readFileSync(dump(name), 'utf8')) as Record<string, string>;
    const agent = read('agent');
    expect(agent).toMatchObject({
      ANTHROPIC_API_KEY: 'sk-user-key',
      FROM_CONFIG: 'yes',
      YM_TRACK_ID: 'envy',
      YM_BRANCH: 'ym/envy',
      YM_TARGET: 'main',
      YM_ATTEMPT: '1',
    });
    expect(agent.YM_PROMPT_FILE).toMatch(/prompts\/envy\/\d+\.md$/);
    for (const who of ['agent', 'check', 'setup']) {
      const env = read(who);
      expect(env.ANTHROPIC_API_KEY, who).toBe('sk-user-key');
      expect(
        Object.keys(env).filter((k) => k in MARK),
        who,
      ).toEqual([]);
    }
  });
});
