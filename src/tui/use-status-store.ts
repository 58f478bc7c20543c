// React hooks over the one status source: poll cheaply (~250 ms: SQLite's data_version, the last
// event id, a few file stamps) and rebuild the view only when something changed, so an idle view
// costs almost nothing; the open track's detail and the tail of its log, refreshed the same way;
// the open diff, once per open.
import { systemClock, type Clock } from '../core/clock.js';
import { useEffect, useState } from 'react';
import { fileSize, readLogTail, type LogTail } from './log-tail.js';
import type { ViewSource } from './status-source.js';
import type { TrackDetail } from './track-detail.js';
import { diffFailure, diffPane, type TrackDiff } from './track-diff.js';
import type { StatusView } from './view-model.js';

export const POLL_MS = 250;
/** After a failed load, wait this many polls before trying again. */
const ERROR_BACKOFF_POLLS = 8;
/**
 * After a rebuild that took d ms, the next waits at least this many times d: however busy the
 * other processes are, rebuilding uses at most about a quarter of a core.
 */
const LOAD_COOLDOWN_FACTOR = 3;

export interface StatusViewState {
  view: StatusView | null;
  error: string | null;
}

export function useStatusView(
  source: ViewSource,
  initial: StatusView | null,
  intervalMs = POLL_MS,
): StatusViewState {
  const [state, setState] = useState<StatusViewState>({ view: initial, error: null });
  useEffect(() => {
    let stopped = false;
    let busy = false;
    let skip = 0;
    let first = initial === null;
    let coolUntil = 0;
    const tick = async () => {
      if (busy || stopped || performance.now() < coolUntil) return;
      if (skip > 0) {
        skip -= 1;
        return;
      }
      busy = true;
      try {
        if (first || source.changed()) {
          first = false;
          const started = performance.now();
          const view = await source.load();
          coolUntil = performance.now() + LOAD_COOLDOWN_FACTOR * (performance.now() - started);
          if (!stopped) setState({ view, error: null });
        }
      } catch (err) {
        skip = ERROR_BACKOFF_POLLS;
        if (!stopped)
          setState((s) => ({
            view: s.view,
            error: err instanceof Error ? err.message : String(err),
          }));
      } finally {
        busy = false;
      }
    };
    void tick();
    const timer = setInterval(() => void tick(), intervalMs);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [source, initial, intervalMs]);
  return state;
}

/** The detail of track `id` (null: none open), reloaded whenever the view's version moves. */
export function useTrackDetail(
  source: ViewSource,
  id: string | null,
  version: number,
): TrackDetail | null {
  const [detail, setDetail] = useState<TrackDetail | null>(null);
  useEffect(() => {
    if (id === null) return;
    let stopped = false;
    source.loadDetail(id).then(
      (d) => {
        if (!stopped) setDetail(d);
      },
      () => undefined, // the next version retries; the view keeps what it showed
    );
    return () => {
      stopped = true;
    };
  }, [source, id, version]);
  return id === null || detail?.id !== id ? null : detail;
}

/**
 * The diff pane of track `id` (null: none open, or still loading): read and laid out once per
 * open, in the background (git runs asynchronously; the lines are built when its answer comes, not
 * while rendering), so a big diff never holds up the view or its keys.
 */
export function useTrackDiff(
  source: ViewSource,
  id: string | null,
  color: boolean,
): TrackDiff | null {
  const [diff, setDiff] = useState<TrackDiff | null>(null);
  useEffect(() => {
    setDiff(null);
    if (id === null) return;
    let stopped = false;
    source.loadDiff(id).then(
      (review) => {
        if (!stopped) setDiff(diffPane(review, color));
      },
      (err: unknown) => {
        if (!stopped) setDiff(diffFailure(id, err));
      },
    );
    return () => {
      stopped = true;
    };
  }, [source, id, color]);
  return diff?.id === id ? diff : null;
}

/** The last 64 KiB of `file`, re-read only when its size changes (follow mode). */
export function useLogTail(file: string | null, intervalMs = POLL_MS): LogTail | null {
  const [tail, setTail] = useState<LogTail | null>(null);
  useEffect(() => {
    if (file === null) {
      setTail(null);
      return;
    }
    let size: number | null = -1;
    const check = () => {
      const now = fileSize(file);
      if (now === size) return;
      size = now;
      setTail(readLogTail(file));
    };
    check();
    const timer = setInterval(check, intervalMs);
    return () => clearInterval(timer);
  }, [file, intervalMs]);
  return tail?.path === file ? tail : null;
}

/**
 * The clock of the elapsed times: ticks every second while `seconds(now)` (something on screen
 * shows seconds), else on the minute; `fixed` stops it (tests).
 */
export function useClock(
  seconds: (now: number) => boolean,
  fixed?: number,
  clock: Clock = systemClock,
): number {
  const [now, setNow] = useState(() => fixed ?? clock.now().getTime());
  useEffect(() => {
    if (fixed !== undefined) return;
    const unit = seconds(now) ? 1000 : 60_000;
    const timer = setTimeout(
      () => setNow(clock.now().getTime()),
      unit - (clock.now().getTime() % unit) + 5,
    );
    return () => clearTimeout(timer);
  }, [now, seconds, fixed, clock]);
  return fixed ?? now;
}
