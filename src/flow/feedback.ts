// What the agent reads on its next attempt ($YM_FEEDBACK_FILE): which check failed, its exit
// code and the tail of its output, or why the attempt itself failed.
import type { CheckReport } from '../checks/types.js';

const MAX_TAIL_LINES = 80;

function tail(text: string): string {
  return text.trimEnd().split('\n').slice(-MAX_TAIL_LINES).join('\n');
}

export function checksFeedback(report: CheckReport): string {
  const failed = report.results.filter(
    (r) => r.level === 'fail' && (r.status === 'fail' || r.status === 'error'),
  );
  const parts = [`The checks failed on commit ${report.headSha.slice(0, 12)}.`];
  for (const r of failed) {
    parts.push(
      `\n### Check "${r.name}": ${r.status}${r.exitCode !== null ? ` (exit code ${r.exitCode})` : ''}${r.message ? ` — ${r.message}` : ''}`,
      '```',
      tail(r.outputTail) || '(no output)',
      '```',
    );
  }
  return parts.join('\n');
}

export function attemptFeedback(reason: string, detail: string): string {
  return [
    `The previous attempt failed: ${reason.replace(/\.$/, '')}.`,
    ...(detail.trim() ? ['', 'Its last output:', '```', tail(detail), '```'] : []),
  ].join('\n');
}
