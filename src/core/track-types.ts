// The kinds of track (kept free of zod so the CLI's option parsing stays light).
export const TRACK_TYPES = ['feature', 'bug', 'chore', 'refactor'] as const;
export type TrackTypeName = (typeof TRACK_TYPES)[number];
