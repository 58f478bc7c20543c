// `setup --ci github|gitlab`: the CI job that runs `yardmaster validate --ci` on track branches.
// GitHub gets its own workflow file (never overwritten without --force). GitLab has one
// .gitlab-ci.yml per repository, so the yardmaster job is merged into it through the YAML
// Document API: the user's jobs, order and comments stay as they were.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, isSeq, parseDocument, type Document, type Pair } from 'yaml';
import { UsageError } from '../core/errors.js';
import { renderTemplate } from './templates.js';

export type Forge = 'github' | 'gitlab';
export const CI_FILES: Readonly<Record<Forge, string>> = {
  github: '.github/workflows/yardmaster.yml',
  gitlab: '.gitlab-ci.yml',
};
const JOB = 'yardmaster';

export interface CiPlan {
  /** Relative path of the file to write. */
  file: string;
  text: string;
  action: 'created' | 'replaced' | 'merged' | 'updated';
  notes: string[];
}

function templateFor(forge: Forge, prefix: string): string {
  if (!/^[A-Za-z0-9._/-]+$/.test(prefix)) {
    throw new UsageError(
      `branchPrefix "${prefix}" has characters the CI templates cannot carry safely.`,
      {
        hint: 'Use letters, digits, ".", "_", "-" and "/" in branchPrefix, or write the CI job by hand.',
      },
    );
  }
  return renderTemplate(`ci/${forge}.yml`, {
    branchPrefix: prefix,
    branchPrefixRegex: prefix.replace(/[.\\/+*?^$()[\]{}|-]/g, (c) => `\\${c}`),
  });
}

/** Works out what to write, without writing: refusals happen before setup writes anything. */
export function planCi(root: string, forge: Forge, prefix: string, force: boolean): CiPlan {
  const file = CI_FILES[forge];
  const abs = path.join(root, file);
  const template = templateFor(forge, prefix);
  if (!existsSync(abs)) return { file, text: template, action: 'created', notes: [] };
  if (forge === 'github') {
    if (!force) {
      throw new UsageError(`${file} already exists.`, {
        hint: 'Run `ym setup --ci github --force` to replace it, or merge templates/ci/github.yml by hand.',
      });
    }
    return { file, text: template, action: 'replaced', notes: [] };
  }
  return mergeGitlab(file, readFileSync(abs, 'utf8'), template, force);
}

function isOurJob(node: unknown): boolean {
  if (!isMap(node)) return false;
  const script = node.get('script', true);
  const lines = isSeq(script)
    ? script.items.map((i) => (isScalar(i) ? String(i.value) : ''))
    : [String(script ?? '')];
  return lines.some((l) => /\byardmaster validate --ci\b/.test(l));
}

export function mergeGitlab(
  file: string,
  existing: string,
  template: string,
  force: boolean,
): CiPlan {
  const doc: Document = parseDocument(existing);
  if (doc.errors.length > 0) {
    throw new UsageError(`${file} is not valid YAML: ${doc.errors[0]?.message ?? 'parse error'}`, {
      hint: 'Fix it first (GitLab would reject it too), then run setup again.',
    });
  }
  if (doc.contents !== null && !isMap(doc.contents)) {
    throw new UsageError(
      `${file} does not hold a mapping of jobs at the top level; not touching it.`,
    );
  }
  const ours = parseDocument(template);
  const ourPair = isMap(ours.contents)
    ? ours.contents.items.find((p) => isScalar(p.key) && p.key.value === JOB)
    : undefined;
  if (!ourPair) throw new Error(`templates/ci/gitlab.yml has no "${JOB}" job`);
  const notes: string[] = [];
  if (doc.contents === null) doc.contents = doc.createNode({});
  const top = doc.contents;
  if (!isMap(top)) throw new Error('unreachable: contents is a map');
  const current = top.items.find((p) => isScalar(p.key) && p.key.value === JOB) as Pair | undefined;
  let action: CiPlan['action'] = 'merged';
  if (current) {
    if (!isOurJob(current.value) && !force) {
      throw new UsageError(
        `${file} already has a job named "${JOB}" that yardmaster did not write.`,
        {
          hint: 'Rename that job, or run `ym setup --ci gitlab --force` to replace it.',
        },
      );
    }
    current.value = ourPair.value; // in place: the job keeps its position and the comments around it
    action = 'updated';
  } else {
    if (isScalar(ourPair.key)) {
      ourPair.key.commentBefore =
        ' Yardmaster: validates track branches in merge request pipelines (yardmaster setup --ci gitlab).';
      ourPair.key.spaceBefore = true;
    }
    top.items.push(ourPair);
  }
  const stages = top.get('stages', true);
  if (isSeq(stages) && !stages.items.some((s) => isScalar(s) && s.value === 'test')) {
    stages.add(doc.createNode('test'));
    notes.push('added the "test" stage to stages (the yardmaster job runs in it)');
  }
  return {
    file,
    text: doc.toString({ lineWidth: 0, flowCollectionPadding: false }),
    action,
    notes,
  };
}
