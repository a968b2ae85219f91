/** The agents lanes knows how to run unattended; apart from the schema so the CLI starts light. */
export const PRESET_NAMES = ["claude", "codex", "gemini", "aider", "opencode"] as const;
export type PresetName = (typeof PRESET_NAMES)[number];
