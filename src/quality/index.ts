/**
 * The quality loop's parts, for the run engine to wire in: settings, verdicts, failing-test
 * excerpts, conflict checks and resolve inputs, and the phase templates' markers. Each module is
 * self-contained and tested on its own; prompts are built by agents/prompt.ts.
 */
export {
  type ConflictMarker,
  conflictedFiles,
  describeMarkers,
  filesChangedSince,
  findConflictMarkers,
  markersAfterResolve,
} from "./conflicts.js";
export {
  describeSide,
  gatherResolveInputs,
  type ResolveInputs,
  type ResolveRequest,
  type ResolveSide,
  type ResolveTask,
} from "./resolve-inputs.js";
export {
  AGENT_PHASES,
  type AgentPhase,
  PHASE_ORDER,
  type Phase,
  PhasesSchema,
  phasesFor,
  type QualitySettings,
  QualitySettingsSchema,
} from "./settings.js";
export {
  DEFAULT_QA_TEMPLATE,
  DEFAULT_RESOLVE_TEMPLATE,
  DEFAULT_SPEC_TEMPLATE,
  QA_PROMPT_MARKER,
  SPEC_PROMPT_MARKER,
} from "./templates.js";
export {
  type ExcerptLimits,
  type FailureExcerpt,
  failingTestExcerpt,
  failureHeadline,
} from "./test-output/excerpt.js";
export {
  parseVerdictFile,
  parseVerdictMessage,
  readVerdict,
  readVerdictFile,
  VERDICTS,
  type Verdict,
  type VerdictResult,
  type VerdictSources,
} from "./verdict.js";
