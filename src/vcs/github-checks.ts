// Waiting for GitHub's required checks on one exact head SHA. The names come from branch
// protection and rulesets when the token may read them, else from yardmaster.json; both check
// runs (Actions, apps) and commit statuses count. A required check that has not even started
// within `checkStartTimeoutSec` fails fast instead of hanging the queue.
import type { Config } from '../config/schema.js';
import type { GitHubApi } from './github-client.js';
import { httpStatus } from './github-client.js';
import { seconds, type WaitClock } from './forge-wait.js';

export interface RepoRef {
  owner: string;
  repo: string;
}

export interface RequiredChecks {
  names: string[];
  /** Where the names came from, for messages. */
  source: string;
}

export type ChecksOutcome = { kind: 'passed' } | { kind: 'failed'; detail: string };

type CheckState = { state: 'pending' | 'success' | 'failure'; detail: string };

/** The check names that must pass before merging into `target`. */
export async function requiredChecks(
  api: GitHubApi,
  repo: RepoRef,
  target: string,
  config: Config,
): Promise<RequiredChecks> {
  const explicit = config.github?.requiredChecks;
  if (explicit) return { names: [...explicit], source: 'github.requiredChecks' };
  const names = new Set<string>();
  const sources: string[] = [];
  const readable = async (source: string, read: () => Promise<string[]>) => {
    try {
      const found = await read();
      for (const n of found) names.add(n);
      if (found.length) sources.push(source);
    } catch (err) {
      // Without admin rights GitHub answers 403 or 404; an unprotected branch is a 404 too.
      if (httpStatus(err) !== 403 && httpStatus(err) !== 404) throw err;
    }
  };
  await readable('branch protection', async () => {
    const { data } = await api.rest.repos.getBranchProtection({ ...repo, branch: target });
    const rsc = data.required_status_checks;
    return [...(rsc?.contexts ?? []), ...(rsc?.checks ?? []).map((c) => c.context)];
  });
  await readable('rulesets', async () => {
    const { data } = await api.rest.repos.getBranchRules({
      ...repo,
      branch: target,
      per_page: 100,
    });
    return data.flatMap((rule) =>
      rule.type === 'required_status_checks' && rule.parameters
        ? rule.parameters.required_status_checks.map((c) => c.context)
        : [],
    );
  });
  if (names.size) return { names: [...names], source: sources.join(' and ') };
  return {
    names: config.checks.map((c) => c.name),
    source: '`checks` in yardmaster.json (no required checks readable on GitHub)',
  };
}

/** Polls the check runs and statuses of `sha` until every required check passed, one failed, or time ran out. */
export async function waitForChecks(
  api: GitHubApi,
  repo: RepoRef,
  sha: string,
  required: RequiredChecks,
  clock: WaitClock,
): Promise<ChecksOutcome> {
  if (!required.names.length) return { kind: 'passed' };
  const short = sha.slice(0, 12);
  for (;;) {
    const states = await readChecks(api, repo, sha);
    const failed = required.names.filter((n) => states.get(n)?.state === 'failure');
    if (failed.length) {
      return {
        kind: 'failed',
        detail: `GitHub check ${failed.map((n) => `"${n}" ${states.get(n)!.detail}`).join(', ')} on ${short}`,
      };
    }
    const missing = required.names.filter((n) => !states.has(n));
    const pending = required.names.filter((n) => states.get(n)?.state === 'pending');
    if (!missing.length && !pending.length) return { kind: 'passed' };
    if (missing.length && clock.startExpired()) {
      return {
        kind: 'failed',
        detail: `required check ${quoteAll(missing)} did not start on ${short} within ${seconds(clock.startLimitMs)} (required by ${required.source}); make sure CI runs on pushes to this branch, or set github.requiredChecks`,
      };
    }
    if (clock.expired()) {
      return {
        kind: 'failed',
        detail: `timed out after ${seconds(clock.totalLimitMs)} waiting for ${quoteAll([...missing, ...pending])} on ${short}`,
      };
    }
    await clock.tick();
  }
}

async function readChecks(
  api: GitHubApi,
  repo: RepoRef,
  sha: string,
): Promise<Map<string, CheckState>> {
  const [runs, combined] = await Promise.all([
    api.rest.checks.listForRef({ ...repo, ref: sha, filter: 'latest', per_page: 100 }),
    api.rest.repos.getCombinedStatusForRef({ ...repo, ref: sha, per_page: 100 }),
  ]);
  const states = new Map<string, CheckState>();
  const add = (name: string, s: CheckState) => {
    const prev = states.get(name);
    // The worst state wins when a check run and a status share a name.
    const rank = { failure: 2, pending: 1, success: 0 } as const;
    if (!prev || rank[s.state] > rank[prev.state]) states.set(name, s);
  };
  for (const run of runs.data.check_runs) {
    const url = run.details_url ?? run.html_url;
    if (run.status !== 'completed') add(run.name, { state: 'pending', detail: run.status });
    else if (
      run.conclusion === 'success' ||
      run.conclusion === 'neutral' ||
      run.conclusion === 'skipped'
    )
      add(run.name, { state: 'success', detail: run.conclusion });
    else
      add(run.name, {
        state: 'failure',
        detail: `concluded ${run.conclusion ?? 'without a conclusion'}${url ? ` (${url})` : ''}`,
      });
  }
  for (const st of combined.data.statuses) {
    const detail = `${st.state}${st.description ? `: ${st.description}` : ''}${st.target_url ? ` (${st.target_url})` : ''}`;
    add(st.context, {
      state: st.state === 'success' ? 'success' : st.state === 'pending' ? 'pending' : 'failure',
      detail,
    });
  }
  return states;
}

function quoteAll(names: string[]): string {
  return names.map((n) => `"${n}"`).join(', ');
}
