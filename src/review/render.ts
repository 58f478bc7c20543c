// The text of `ym review`: a short summary (state, heads, the command-bearing part, files with
// +/- counts, checks, plan, usage), then the unified diff with the command-bearing files first,
// each marked. Everything that came from the branch (paths, file contents) is shown with its
// control and bidirectional-override characters made visible, so a diff cannot rewrite the
// terminal or hide a line from the person reviewing it. Pure over the review and a palette.
import type { Palette } from '../cli/output.js';
import type { Review, ReviewDocument, ReviewFile } from './gather.js';

export const BEARING_MARK = '⚠ changes what yardmaster runs';

const STATUS_LETTER: Record<string, string> = {
  added: 'A',
  modified: 'M',
  deleted: 'D',
  renamed: 'R',
  copied: 'C',
  'type-changed': 'T',
  unmerged: 'U',
};

// C0 and C1 controls but tab, and the bidi embeddings/overrides/isolates (Trojan Source).
const UNSAFE =
  /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Shows what a terminal would act on instead of displaying: ESC as ^[, U+202E as <U+202E>. */
export function visible(text: string): string {
  return text.replace(UNSAFE, (ch) => {
    const code = ch.charCodeAt(0);
    if (code < 0x20) return `^${String.fromCharCode(code + 64)}`;
    if (code === 0x7f) return '^?';
    return `<U+${code.toString(16).toUpperCase().padStart(4, '0')}>`;
  });
}

const short = (sha: string | null) => (sha === null ? '(none)' : sha.slice(0, 12));

export function renderReview(review: Review, c: Palette): string {
  const { doc } = review;
  const lines = [...header(doc, c), ''];
  const bearing = bearingSummary(doc, c);
  if (bearing.length > 0) lines.push(...bearing, '');
  lines.push(...fileList(doc, c), '');
  lines.push(...checks(doc, c));
  lines.push(plan(doc));
  lines.push(usage(doc));
  const gate = approval(doc);
  if (gate !== null) lines.push(gate);
  const diff = diffLines(review, c);
  if (diff.length > 0) lines.push('', ...diff);
  return lines.join('\n');
}

/** What in the diff changes what yardmaster or CI runs, one line a part; [] when nothing does. */
export function bearingSummary(doc: ReviewDocument, c: Palette): string[] {
  if (doc.commandBearing.length === 0) return [];
  return [
    c.yellow(c.bold(`${BEARING_MARK}:`)),
    ...doc.commandBearing.map((part) => `  ${visible(part.path)}: ${visible(part.summary)}`),
  ];
}

/**
 * The unified diff, line by line: the command-bearing files first, each under its mark, then
 * the others in git's order (`ym review` and the live view's diff pane both show this).
 */
export function diffLines(review: Review, c: Palette): string[] {
  const { doc } = review;
  const lines: string[] = [];
  for (const i of diffOrder(doc.files)) {
    const file = doc.files[i];
    if (!file) continue;
    const part = doc.commandBearing.find((p) => p.path === file.path);
    if (part) lines.push(c.yellow(c.bold(`${BEARING_MARK}: ${visible(part.summary)}`)));
    lines.push(...colourPatch(review.patches[i] ?? '', c));
  }
  return lines;
}

/** Indexes of the files in the order their diffs are shown: command-bearing files first. */
export function diffOrder(files: readonly ReviewFile[]): number[] {
  const idx = files.map((_, i) => i);
  return [
    ...idx.filter((i) => files[i]?.commandBearing),
    ...idx.filter((i) => !files[i]?.commandBearing),
  ];
}

function header(doc: ReviewDocument, c: Palette): string[] {
  const t = doc.track;
  const lines = [`${c.bold(t.id)}  ${visible(t.title)}`];
  const agent = t.agent === null ? '' : `, agent ${t.agent}`;
  lines.push(
    `  state    ${t.state} (attempt ${t.attempt}/${t.maxAttempts}${agent})${t.reason ? `: ${visible(t.reason)}` : ''}`,
  );
  if (doc.range === 'landed' && doc.landing) {
    const l = doc.landing;
    const strategy = l.strategy === null ? '' : ` (${l.strategy})`;
    const branch = doc.head.branchExists
      ? `branch ${doc.head.branch ?? ''} still exists`
      : `branch ${doc.head.branch ?? ''} deleted`;
    lines.push(
      `  landed   on ${doc.target.branch}: ${short(doc.base.sha)}..${short(l.mergedSha)}${strategy}; ${branch}`,
    );
    if (l.targetBefore === null)
      lines.push(
        `           (no target commit recorded before the merge: from the track's first commit)`,
      );
  } else {
    lines.push(`  branch   ${doc.head.branch ?? ''} at ${short(doc.head.sha)}`);
    lines.push(
      `  against  ${doc.target.branch} at ${short(doc.target.sha)} (merge-base ${short(doc.base.sha)})`,
    );
  }
  return lines;
}

/** `Files: N changed, +a -d`, then one line per file with its status letter and counts. */
export function fileList(doc: ReviewDocument, c: Palette): string[] {
  const { totals } = doc;
  if (totals.files === 0) return ['Files: none changed'];
  const binary = totals.binary > 0 ? `, ${totals.binary} binary` : '';
  const lines = [
    `Files: ${totals.files} changed, ${c.green(`+${totals.added}`)} ${c.red(`-${totals.deleted}`)}${binary}`,
  ];
  const names = doc.files.map((f) =>
    visible(f.oldPath === undefined ? f.path : `${f.oldPath} -> ${f.path}`),
  );
  const width = Math.min(60, Math.max(...names.map((n) => n.length)));
  doc.files.forEach((f, i) => {
    const mark = f.commandBearing ? c.yellow('⚠') : ' ';
    const counts = f.binary
      ? 'binary'
      : `${c.green(`+${f.added ?? 0}`)} ${c.red(`-${f.deleted ?? 0}`)}`;
    lines.push(
      `  ${mark} ${STATUS_LETTER[f.status] ?? '?'} ${(names[i] ?? '').padEnd(width)}  ${counts}`,
    );
  });
  return lines;
}

function checks(doc: ReviewDocument, c: Palette): string[] {
  const k = doc.checks;
  if (k === null) return ['Checks: none recorded'];
  const verdict = k.ok === null ? 'finished' : k.ok ? c.green('passed') : c.red('failed');
  const on =
    k.headSha === null
      ? ''
      : k.current === false
        ? `, on ${short(k.headSha)}: not the head under review`
        : `, on ${short(k.headSha)}`;
  const lines = [`Checks: ${verdict} (${k.during}, ${k.at}${on})`];
  const width = Math.max(...k.results.map((r) => r.name.length), 4);
  for (const r of k.results) {
    const status =
      r.status === 'pass'
        ? c.green(r.status.padEnd(5))
        : r.status === 'skip'
          ? c.dim(r.status.padEnd(5))
          : c.red(r.status.padEnd(5));
    const why = r.message === null || r.status === 'pass' ? '' : `  ${visible(r.message)}`;
    lines.push(`  ${status} ${visible(r.name).padEnd(width)}  ${r.level ?? ''}${why}`.trimEnd());
  }
  return lines;
}

function approval(doc: ReviewDocument): string | null {
  const a = doc.approval;
  if (a === null || (!a.needed && a.approved === null)) return null;
  const by = (a.approved?.by ?? null) as { name?: string | null; email?: string | null } | null;
  const who = by?.name ? ` by ${visible(by.name)}${by.email ? ` <${visible(by.email)}>` : ''}` : '';
  if (a.approved !== null && a.current)
    return `Approval: approved at ${short(a.approved.sha)}${who} (${a.approved.at})`;
  const next = `run \`ym approve ${doc.track.id}\``;
  if (a.approved !== null)
    return `Approval: ${short(a.approved.sha)} was approved${who}, but the head is now ${short(doc.head.sha)}; ${next} again`;
  return `Approval: awaiting (${doc.commandBearing.length > 0 ? 'it changes what yardmaster runs' : 'merge.requireApproval is on'}); ${next}`;
}

function plan(doc: ReviewDocument): string {
  const p = doc.plan;
  if (p.error !== null) return `Plan: ${visible(p.error)}`;
  const t = p.tasks;
  const parts = [`${t.done}/${t.total} done`];
  if (t.in_progress) parts.push(`${t.in_progress} in progress`);
  if (t.pending) parts.push(`${t.pending} pending`);
  if (t.skipped) parts.push(`${t.skipped} skipped`);
  if (t.blocked) parts.push(`${t.blocked} blocked`);
  const from =
    p.source === 'branch'
      ? doc.range === 'landed'
        ? 'as landed'
        : 'on the branch'
      : 'in the checkout';
  return `Plan: ${parts.join(', ')} (plan.md ${from})`;
}

function usage(doc: ReviewDocument): string {
  const u = doc.usage;
  if (u === null) return 'Usage: none reported';
  const n = u.attempts.length;
  const cost = u.total.costUsd === null ? '' : `, $${u.total.costUsd.toFixed(2)}`;
  const cache = u.total.cacheTokens > 0 ? ` + ${u.total.cacheTokens} cache` : '';
  return `Usage: ${n} attempt${n === 1 ? '' : 's'}, ${u.total.inputTokens} input + ${u.total.outputTokens} output tokens${cache}${cost}`;
}

function colourPatch(text: string, c: Palette): string[] {
  let inHunk = false;
  return text.split('\n').map((raw) => {
    const line = visible(raw);
    if (raw.startsWith('diff --git ')) {
      inHunk = false;
      return c.bold(line);
    }
    if (raw.startsWith('@@')) {
      inHunk = true;
      return c.cyan(line);
    }
    if (!inHunk) return c.bold(line);
    if (raw.startsWith('+')) return c.green(line);
    if (raw.startsWith('-')) return c.red(line);
    return line;
  });
}
