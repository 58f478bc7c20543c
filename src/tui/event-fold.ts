// Folds the event log, incrementally, into what the live view shows besides track rows: the
// latest checks of each track, the agent's latest reported activity, pending cancel requests and
// when the current session of runs began. Fed only the events after the last id it saw.
import { z } from 'zod';
import type { EventRow } from '../state/rows.js';

export interface CheckLine {
  name: string;
  status: string;
  exitCode: number | null;
  durationMs: number | null;
  outputTail: string;
  message: string | null;
}

export interface CheckSummary {
  at: string;
  attempt: number | null;
  ok: boolean | null;
  results: CheckLine[];
}

export interface EventFold {
  lastId: number;
  /** Start of the current session: a run that started while no other run was active. */
  startedAt: string | null;
  lastEventAt: string | null;
  activity: Map<string, string>;
  checks: Map<string, CheckSummary>;
  /** Tracks with a `request.cancel` newer than their last state change. */
  cancelRequested: Set<string>;
  activeRuns: Set<number>;
}

export function emptyFold(): EventFold {
  return {
    lastId: 0,
    startedAt: null,
    lastEventAt: null,
    activity: new Map(),
    checks: new Map(),
    cancelRequested: new Set(),
    activeRuns: new Set(),
  };
}

// The shape of CheckResult (src/checks/types.ts), parsed leniently: state.db may hold events from
// another yardmaster version, and one odd event must not take the view down.
const CheckLineSchema = z.object({
  name: z.string(),
  status: z.string(),
  exitCode: z.number().nullable().optional(),
  durationMs: z.number().nullable().optional(),
  outputTail: z.string().optional(),
  message: z.string().optional(),
});
const ChecksFinished = z.object({
  attempt: z.number().optional(),
  ok: z.boolean().optional(),
  results: z.array(CheckLineSchema),
});
const Activity = z.object({ text: z.string().optional(), message: z.string().optional() });

/** Applies `events` (ascending ids, all newer than `fold.lastId`) to `fold`; returns it. */
export function foldEvents(fold: EventFold, events: readonly EventRow[]): EventFold {
  for (const e of events) {
    fold.lastId = Math.max(fold.lastId, e.id);
    fold.lastEventAt = e.at;
    const track = e.trackId;
    switch (e.type) {
      case 'run.started':
        if (fold.activeRuns.size === 0) fold.startedAt = e.at;
        if (e.runId !== null) fold.activeRuns.add(e.runId);
        // A new attempt: what the previous one said is no longer its latest activity.
        if (track !== null) fold.activity.delete(track);
        break;
      case 'run.finished':
        if (e.runId !== null) fold.activeRuns.delete(e.runId);
        break;
      case 'track.state':
        if (track !== null) fold.cancelRequested.delete(track);
        break;
      case 'request.cancel':
        if (track !== null) fold.cancelRequested.add(track);
        break;
      case 'agent.activity': {
        const parsed = Activity.safeParse(e.data);
        const text = parsed.success ? (parsed.data.text ?? parsed.data.message) : undefined;
        if (track !== null && text !== undefined) fold.activity.set(track, oneLine(text));
        break;
      }
      case 'checks.finished': {
        const parsed = ChecksFinished.safeParse(e.data);
        if (track === null || !parsed.success) break;
        fold.checks.set(track, {
          at: e.at,
          attempt: parsed.data.attempt ?? null,
          ok: parsed.data.ok ?? null,
          results: parsed.data.results.map((r) => ({
            name: r.name,
            status: r.status,
            exitCode: r.exitCode ?? null,
            durationMs: r.durationMs ?? null,
            outputTail: r.outputTail ?? '',
            message: r.message ?? null,
          })),
        });
        break;
      }
    }
  }
  return fold;
}

/** Control characters and ANSI escapes removed, whitespace collapsed: safe in one cell. */
export function oneLine(text: string): string {
  return stripControl(text).replace(/\s+/g, ' ').trim();
}

// CSI/OSC escapes first, then any other C0/C1 control character except tab and newline.
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-_]/g;
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

export function stripControl(text: string): string {
  return text
    .replace(ANSI, '')
    .replace(/\r(?!\n)/g, '\n')
    .replace(CONTROL, '');
}
