// Reads many files from branches with one `git cat-file --batch` process, so showing the
// progress of hundreds of tracks costs two git processes, not hundreds.
import type { ProcessRunner } from '../proc/run.js';

/** Local branches under `prefix` (e.g. "ym/"), without "refs/heads/". */
export async function listBranches(
  run: ProcessRunner,
  cwd: string,
  prefix: string,
): Promise<Set<string>> {
  const r = await run(
    'git',
    ['for-each-ref', '--format=%(refname:short)', `refs/heads/${prefix}`],
    { cwd },
  );
  return new Set(r.stdout.split('\n').filter(Boolean));
}

/** Contents of `rev:path` for each spec; missing objects map to null. */
export async function readBlobs(
  run: ProcessRunner,
  cwd: string,
  specs: readonly string[],
): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  if (specs.length === 0) return out;
  for (const s of specs) {
    if (/[\r\n]/.test(s)) throw new Error(`invalid object spec: ${JSON.stringify(s)}`);
  }
  const r = await run('git', ['cat-file', '--batch'], {
    cwd,
    input: specs.map((s) => `${s}\n`).join(''),
  });
  const buf = Buffer.from(r.stdout, 'utf8');
  let pos = 0;
  for (const spec of specs) {
    const nl = buf.indexOf(10, pos);
    if (nl < 0) break;
    const header = buf.subarray(pos, nl).toString('utf8');
    pos = nl + 1;
    if (header.endsWith(' missing') || header.endsWith(' ambiguous')) {
      out.set(spec, null);
      continue;
    }
    const size = Number(header.split(' ')[2]);
    out.set(spec, buf.subarray(pos, pos + size).toString('utf8'));
    pos += size + 1;
  }
  return out;
}
