// The bad-input corpus: every case is one row of a table (cases-*.ts). Each must exit 2 (or 1
// where the work failed) with one clear message naming the offending value and where it came
// from, no stack trace, and no change to the repository, its worktrees or state.db.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildTemplates,
  makeSandbox,
  removeTemplates,
  runCase,
  snapshot,
  type BadInputCase,
} from './harness.js';
import { runCli } from '../helpers/cli.js';
import { CLI_CASES } from './cases-cli.js';
import { CONFIG_CASES } from './cases-config.js';
import { FILE_CASES } from './cases-files.js';
import { code, commandLine, errorMessage, recordReliability } from '../helpers/reliability.js';

const SUITES: [string, BadInputCase[]][] = [
  ['bad input: commands and flags', CLI_CASES],
  ['bad input: yardmaster.json', CONFIG_CASES],
  ['bad input: files', FILE_CASES],
];

beforeAll(buildTemplates, 60_000);
afterAll(removeTemplates);

for (const [suite, cases] of SUITES) {
  describe.concurrent(suite, () => {
    for (const c of cases) {
      it(c.name, async () => {
        const r = await runCase(c);
        const message =
          c.stream === 'stdout' ? (r.stdout.match(c.message)?.[0] ?? '') : errorMessage(r.stderr);
        recordReliability({
          suite,
          tried: `${c.name}: ${code(`ym ${commandLine(c.argv)}`)}`,
          outcome: `exit ${String(r.code)}: ${message}`,
          nothingLost: 'repository, refs, files and state.db unchanged',
        });
      });
    }
  });
}

describe('the corpus harness', () => {
  it('sees a change to files, to refs and to state.db (so "unchanged" means something)', async () => {
    const s = makeSandbox('project');
    try {
      const before = snapshot(s);
      s.git(['branch', 'stray']);
      const refs = snapshot(s);
      expect(refs.git).not.toBe(before.git);
      const r = await runCli(['new-track', 'Gamma work', '--id', 'gamma'], { cwd: s.repo });
      expect(r.code, r.stderr).toBe(0);
      const after = snapshot(s);
      expect(after.files).not.toEqual(refs.files);
      expect(after.db).not.toEqual(refs.db);
    } finally {
      s.cleanup();
    }
  });
});
