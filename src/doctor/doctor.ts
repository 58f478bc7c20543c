// `doctor [--fix]`: checks state.db against git and the filesystem, and repairs what is safe.
import type { Context } from '../context.js';
import { ExitCode, type ExitCodeValue } from '../core/errors.js';
import { createRunEnv } from '../runtime/env.js';
import { plainReporter } from '../runtime/reporter.js';
import { diagnose } from './checks.js';

export async function doctor(opts: { fix: boolean }, ctx: Context): Promise<ExitCodeValue> {
  const env = await createRunEnv(ctx, plainReporter(ctx));
  const findings = await diagnose(env);
  const results: {
    kind: string;
    subject: string;
    detail: string;
    fixable: boolean;
    fixed: string | null;
  }[] = [];
  for (const f of findings) {
    let fixed: string | null = null;
    if (opts.fix && f.fix) fixed = await f.fix();
    results.push({
      kind: f.kind,
      subject: f.subject,
      detail: f.detail,
      fixable: f.fix !== undefined,
      fixed,
    });
  }
  const remaining = results.filter((r) => r.fixed === null);
  if (ctx.json) {
    ctx.out.json({ ok: remaining.length === 0, findings: results });
  } else if (results.length === 0) {
    ctx.out.line('No problems found: state.db agrees with git and the filesystem.');
  } else {
    const { c } = ctx.out;
    for (const r of results) {
      const mark = r.fixed
        ? c.green('fixed')
        : r.fixable
          ? c.yellow('fixable')
          : c.red('needs you');
      ctx.out.line(
        `${mark.padEnd(9)} ${r.kind}: ${r.subject}: ${r.detail}${r.fixed ? ` -> ${r.fixed}` : ''}`,
      );
    }
    const fixable = results.filter((r) => r.fixable && !r.fixed).length;
    if (fixable && !opts.fix)
      ctx.out.info(`Run \`ym doctor --fix\` to repair the ${fixable} fixable problem(s).`);
  }
  return remaining.length === 0 ? ExitCode.ok : ExitCode.failed;
}
