// `status`: on a terminal the live view (src/tui, loaded only then); otherwise, or with --plain,
// a plain table (`--watch` redraws it when the state changes); `--json` prints one snapshot.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Context } from '../context.js';
import { readTrackFilesCached } from '../tracks/cached.js';
import { UsageError, type ExitCodeValue } from '../core/errors.js';
import { fitsLiveView } from '../tui/terminal.js';
import { buildSnapshot, type StatusSnapshot } from './snapshot.js';
import { renderAttemptUsage, renderTable } from './table.js';

export interface StatusOptions {
  id?: string | undefined;
  watch?: boolean | undefined;
  /** The plain table even on a terminal. */
  plain?: boolean | undefined;
  /** Poll interval for --watch, in ms. */
  intervalMs?: number | undefined;
  /** `--notify-bell`: the live view rings on the notify.on events. */
  notifyBell?: boolean | undefined;
}

/** An id that is neither a track file nor a row fails before state.db is created or synced. */
async function assertKnownTrack(id: string, ctx: Context): Promise<void> {
  const repo = await ctx.repo();
  const { files } = await readTrackFilesCached(repo.root, repo.stateDir);
  if (files.some((f) => f.id === id)) return;
  if (existsSync(path.join(repo.stateDir, 'state.db')) && (await ctx.state()).getTrack(id)) return;
  throw unknownTrack(id);
}

const unknownTrack = (id: string) =>
  new UsageError(`Unknown track "${id}".`, { hint: 'Run `ym status` to list the tracks.' });

async function snapshotFor(opts: StatusOptions, ctx: Context): Promise<StatusSnapshot> {
  if (opts.id !== undefined) await assertKnownTrack(opts.id, ctx);
  const snapshot = await buildSnapshot(ctx);
  if (opts.id !== undefined) {
    const track = snapshot.tracks.find((t) => t.id === opts.id);
    if (!track) throw unknownTrack(opts.id);
    snapshot.tracks = [track];
    const { perAttempt: _perAttempt, ...totals } = track.usage;
    snapshot.usage = totals;
  }
  return snapshot;
}

/** The live view needs a terminal on both ends (not CI), big enough, and no --json/--plain. */
export function wantsLiveView(opts: StatusOptions, ctx: Context): boolean {
  const out = ctx.out.stdout;
  return (
    !ctx.json && opts.plain !== true && ctx.interactive && out.isTTY === true && fitsLiveView(out)
  );
}

export async function status(opts: StatusOptions, ctx: Context): Promise<ExitCodeValue | void> {
  if (opts.watch && ctx.json) throw new UsageError('--watch and --json cannot be combined.');
  if (wantsLiveView(opts, ctx)) {
    // ink and React load while the first snapshot is built (git runs meanwhile): a faster first frame.
    const [live, prepared] = await Promise.all([
      import('../tui/live.js'),
      import('../tui/status-source.js').then((m) =>
        m.prepareLiveView(ctx, { bell: opts.notifyBell === true }),
      ),
    ]);
    return live.runLiveView(ctx, { trackId: opts.id, prepared });
  }
  if (!opts.watch) {
    const snapshot = await snapshotFor(opts, ctx);
    if (ctx.json) ctx.out.json(snapshot);
    else {
      ctx.out.line(renderTable(snapshot, ctx.out.c));
      // One track asked for: what each of its attempts used.
      const one = opts.id !== undefined ? snapshot.tracks[0] : undefined;
      if (one && one.usage.perAttempt.length)
        ctx.out.line(['', 'usage:', ...renderAttemptUsage(one)].join('\n'));
    }
    return;
  }
  const store = await ctx.state();
  const tty = ctx.out.stdout.isTTY === true;
  let seen = -1;
  let lastEvent = -1;
  while (!ctx.signal.aborted) {
    // data_version moves when another process commits; the event id when this one does.
    const version = store.dataVersion();
    const event = store.lastEventId();
    if (version !== seen || event !== lastEvent) {
      seen = version;
      lastEvent = event;
      const text = renderTable(await snapshotFor(opts, ctx), ctx.out.c);
      ctx.out.stdout.write(tty ? `\u001b[H\u001b[2J${text}\n` : `${text}\n\n`);
    }
    await sleep(opts.intervalMs ?? 1000, ctx.signal);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
