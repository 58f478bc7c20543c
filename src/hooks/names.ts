// The hooks `ym hooks install` manages, and the suffix a user's own hook is kept under when ours
// chains it. Shared with review's command-bearing detector, which must not load the installer.
export const HOOK_NAMES = ['pre-push', 'commit-msg'] as const;
export type HookName = (typeof HOOK_NAMES)[number];
export const CHAINED_SUFFIX = '.pre-yardmaster';
