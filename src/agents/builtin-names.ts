// Names of the built-in agents, apart from their definitions (registry.ts), so the config schema
// can check `agent` and `planner.agent` without loading the registry.
export const BUILTIN_AGENT_NAMES = [
  'claude',
  'codex',
  'gemini',
  'aider',
  'opencode',
  'scripted',
] as const;
