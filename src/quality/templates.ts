/**
 * The built-in prompts of the phases around exec: spec plans, qa reviews and gives a verdict,
 * resolve fixes a merge conflict. `.lanes/prompts/<phase>.md` overrides each. The qa prompt spells
 * out the verdict contract that verdict.ts reads, in both its forms, since an agent that guesses
 * the form fails the task.
 */

/** Text only the qa prompt holds: model stand-ins and scripted agents recognise a review by it. */
export const QA_PROMPT_MARKER = "You are reviewing the work done on task";

/** Text only the spec prompt holds, for the same reason. */
export const SPEC_PROMPT_MARKER = "You are planning task";

export const DEFAULT_SPEC_TEMPLATE = `${SPEC_PROMPT_MARKER} {{id}} in a git worktree of this repository, before another agent does the work on its own branch. Read whatever code you need, but change no file: a plan that changes files fails.

# {{title}}

{{body}}

{{files}}## What to produce
A plan the agent doing the work will follow: which files to change and how, which tests to add or update, and what could go wrong.
- If the environment variable LANES_PLAN_FILE is set, write the plan to that file (Markdown).
- Otherwise, make the plan your final message, and nothing else.
`;

export const DEFAULT_QA_TEMPLATE = `${QA_PROMPT_MARKER} {{id}} in this git worktree, before lanes merges it. Do not change any file: your job is a verdict.

# {{title}}

{{body}}

{{criteria}}{{plan}}{{diff}}## How to review
- Check the change against the task: does it do everything the title and body ask{{criteria_note}}, and nothing that breaks what was there?
- Look for missing tests, unhandled errors and edge cases, and code that does not do what it claims.
- Each finding must be specific enough to act on: the file, the behaviour, what is wrong or missing.

## How to give your verdict
The verdict is one of:
- ready: the task is done; lanes goes on to verify and merge it.
- needs_work: something must be fixed; your findings go back to the agent that did the work.
- blocked: the task cannot be done as asked; say why in the findings.

Give it in ONE of these two ways:
1. If the environment variable LANES_VERDICT_FILE is set, write this JSON to the file it names:
   {"verdict": "needs_work", "findings": ["src/auth.ts: a wrong password gets 200; the task asks for 401"]}
   "verdict" is exactly "ready", "needs_work" or "blocked"; "findings" is a list of strings (empty when ready).
2. Otherwise, end your final message with your findings, one per line starting with "- ", and then, as the very last line and alone on it, exactly one of:
VERDICT: READY
VERDICT: NEEDS_WORK
VERDICT: BLOCKED

Nothing may follow the VERDICT line. A review without a verdict fails the task.
`;

export const DEFAULT_RESOLVE_TEMPLATE = `You are resolving a merge conflict in the git worktree of task {{id}} ("{{title}}"). lanes merged the latest work of the other tasks into this lane's branch, and these files conflict:

{{conflicted_files}}
## What to do
- Edit the conflicted files so that both sides' changes are kept: each side did its own task, and both tasks must still be done after the merge.
- Remove every conflict marker (lines starting with <<<<<<<, ======= or >>>>>>>). A marker left in any file fails the task.
- Do not run git merge --abort, git reset or git checkout on these files; you may leave the result uncommitted: lanes commits the merge.
{{verify}}
## This lane's side
{{lane_side}}
## The side being merged in
{{incoming_side}}`;
