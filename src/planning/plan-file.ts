// The plan file schema (`plan --from FILE`, and what the planner agent must write), and the
// checks that run before anything is written: ids, duplicates, dependencies, cycles, scope.
import path from 'node:path';
import { z } from 'zod';
import YAML from 'yaml';
import { UsageError } from '../core/errors.js';
import { formatIssues } from '../core/zod-errors.js';
import { RepoPath, TrackId, TrackType } from '../core/track.js';

export const PlanTrack = z.strictObject({
  id: TrackId,
  title: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .refine((t) => !/[\r\n]/.test(t), 'must be one line'),
  type: TrackType.default('feature'),
  dependsOn: z.array(TrackId).default([]),
  scope: z.array(RepoPath).optional(),
  spec: z.string().optional(),
  phases: z
    .array(
      z.strictObject({
        title: z.string().trim().min(1),
        tasks: z.array(z.string().trim().min(1)).min(1),
      }),
    )
    .min(1)
    .optional(),
});

export const PlanFile = z.strictObject({
  objective: z.string().trim().min(1).optional(),
  tracks: z.array(PlanTrack).min(1, 'needs at least one track'),
});
export type PlanFile = z.output<typeof PlanFile>;

export function planFileJsonSchema(): unknown {
  return z.toJSONSchema(PlanFile, { io: 'input' });
}

/** Parses YAML or JSON text; `name` is used in messages. Throws UsageError listing every problem. */
export function parsePlanFileText(text: string, name: string): PlanFile {
  const raw = parseStructured(text, name);
  return validatePlanFileData(raw, name);
}

export function parseStructured(text: string, name: string): unknown {
  if (name.toLowerCase().endsWith('.json')) return parseJsonText(text, name);
  const doc = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const line = first.linePos?.[0]?.line;
    throw new UsageError(
      `${name}${line ? `:${line}` : ''}: not valid YAML or JSON (${first.message.split('\n')[0]}).`,
    );
  }
  try {
    return doc.toJS();
  } catch (err) {
    // e.g. "Excessive alias count": a document whose aliases would expand without bound.
    throw new UsageError(`${name}: cannot be read as YAML (${(err as Error).message}).`);
  }
}

export function parseJsonText(text: string, name: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${name}: not valid JSON (${(err as Error).message}).`);
  }
}

export function validatePlanFileData(raw: unknown, name: string): PlanFile {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new UsageError(`${name}: expected a mapping with "objective" and "tracks".`, {
      hint: 'See README.md, "plan --from", for the format.',
    });
  }
  const parsed = PlanFile.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    const lines = formatIssues(parsed.error.issues, (p) =>
      p.length === 0
        ? Object.keys(PlanFile.shape)
        : p.length === 2
          ? Object.keys(PlanTrack.shape)
          : [],
    );
    throw new UsageError(`${name} is invalid:\n${lines.map((l) => `  ${l}`).join('\n')}`, {
      hint: 'See README.md, "plan --from", for the format.',
    });
  }
  return parsed.data;
}

/** Scope paths must stay inside the repository even after resolving. */
export function assertScopeInside(plan: PlanFile, root: string, name: string): void {
  plan.tracks.forEach((t, i) => {
    t.scope?.forEach((p, j) => {
      const abs = path.resolve(root, p);
      if (abs !== root && !abs.startsWith(root + path.sep)) {
        throw new UsageError(
          `${name}: tracks[${i}].scope[${j}]: "${p}" is outside the repository.`,
        );
      }
    });
  });
}
