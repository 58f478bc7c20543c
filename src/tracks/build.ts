// Builds a track's documents (track.json, spec.md, plan.md) from a definition, with templates.
import type { Clock } from '../context.js';
import type { TrackType } from '../core/track.js';
import { parsePlan, renderPlan, type PlanDraft } from '../core/plan-md.js';
import { readTemplate, renderTemplate } from '../setup/templates.js';
import type { TrackDocs } from './files.js';

export interface TrackDefinition {
  id: string;
  title: string;
  type: TrackType;
  dependsOn: readonly string[];
  scope?: readonly string[] | undefined;
  objective?: string | undefined;
  /** Spec body (markdown); a skeleton when absent. */
  spec?: string | undefined;
  /** Phases of the plan; the default two phases when absent. */
  phases?: PlanDraft['phases'] | undefined;
}

export const DEFAULT_PHASES: PlanDraft['phases'] = [
  { title: 'Implement', tasks: ['Write failing tests', 'Implement'] },
  { title: 'Verify', tasks: ['Run the checks and fix failures'] },
];

export function buildTrackDocs(def: TrackDefinition, clock: Clock): TrackDocs {
  const spec = renderTemplate('track/spec.md', {
    id: def.id,
    title: def.title,
    type: def.type,
    body: (def.spec ?? readTemplate('track/spec-skeleton.md')).trim(),
  });
  const phases = renderPlan({ title: def.title, phases: def.phases ?? DEFAULT_PHASES })
    .split('\n')
    .filter((line) => !line.startsWith('# '))
    .join('\n')
    .trim();
  const plan = renderTemplate('track/plan.md', { title: def.title, phases });
  // The template is ours, but a user may edit it: make sure what we write parses.
  parsePlan(plan, `yardmaster/tracks/${def.id}/plan.md`);
  return {
    meta: {
      id: def.id,
      title: def.title,
      type: def.type,
      dependsOn: [...def.dependsOn],
      ...(def.scope ? { scope: [...def.scope] } : {}),
      ...(def.objective ? { objective: def.objective } : {}),
      createdAt: clock.now().toISOString(),
    },
    spec: spec.endsWith('\n') ? spec : `${spec}\n`,
    plan: plan.endsWith('\n') ? plan : `${plan}\n`,
  };
}
