// A path inside the repository as written in a config or track file: relative, without `..`
// segments, without NUL or newlines. Pure zod, importable from the config schema.
import { z } from 'zod';

export const RepoPath = z
  .string()
  .min(1)
  .refine(
    (p) => !p.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(p),
    'must be relative to the repository root',
  )
  .refine(
    (p) => !p.split(/[\\/]/).includes('..'),
    'must not contain ".." (stay inside the repository)',
  )
  .refine((p) => !/[\0\n\r]/.test(p), 'must not contain NUL or newline characters');
