// The merge queue's test corpus: generated tracks of which about 30% break the suite only in
// combination with another (they register the same name) and 20% conflict textually (they
// write the same file), and the suite itself (test/fixtures/unique-names-check.mjs) as a
// predicate on a commit. Shared by the serial property test and the speculative one.
import type { TestRepo } from './repo.js';

export type Kind = 'good' | 'semantic' | 'textual';

export function generate(seed: number) {
  let s = seed;
  const rand = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const kinds: Kind[] = [
    ...Array(16).fill('good'),
    ...Array(8).fill('semantic'),
    ...Array(6).fill('textual'),
  ];
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [kinds[i], kinds[j]] = [kinds[j]!, kinds[i]!];
  }
  let semantic = 0;
  let textual = 0;
  return kinds.map((kind, i) => {
    const id = `t${String(i).padStart(2, '0')}`;
    // Pairs: the n-th and (n+1)-th track of a kind share a name or a file.
    const pair =
      kind === 'semantic'
        ? Math.floor(semantic++ / 2)
        : kind === 'textual'
          ? Math.floor(textual++ / 2)
          : -1;
    const files: Record<string, string> = {
      [`reg/${id}.txt`]: kind === 'semantic' ? `shared-name-${pair}\n` : `name-${id}\n`,
    };
    if (kind === 'textual') files[`shared/${pair}.txt`] = `written by ${id}\n`;
    return { id, kind, pair, files };
  });
}

export function passesSuite(repo: TestRepo, sha: string): boolean {
  const names = repo
    .git(['ls-tree', '--name-only', `${sha}:reg`])
    .split('\n')
    .filter(Boolean);
  const seen = new Set<string>();
  for (const n of names) {
    const v = repo.git(['show', `${sha}:reg/${n}`]).trim();
    if (seen.has(v)) return false;
    seen.add(v);
  }
  return true;
}
