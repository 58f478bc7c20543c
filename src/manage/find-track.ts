// The start of every command on one named track (cancel, archive): the config must exist, the id
// must be a track id, the track files are synced into state.db, and state.db must know the track.
import type { Context } from '../context.js';
import { assertTrackId } from '../core/track.js';
import { requireConfig } from '../config/require.js';
import { unknownTrack } from '../state/tracks.js';
import { readTrackFiles } from '../tracks/files.js';
import { syncTrackDefinitions } from '../tracks/register.js';

export async function findTrack(rawId: string, ctx: Context) {
  await requireConfig(ctx);
  const id = assertTrackId(rawId);
  const [repo, store] = await Promise.all([ctx.repo(), ctx.state()]);
  syncTrackDefinitions(store, readTrackFiles(repo.root));
  const track = store.getTrack(id);
  if (!track) throw unknownTrack(id);
  return { id, repo, store, track };
}
