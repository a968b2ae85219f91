/**
 * `lanes plan`'s lines about tasks whose `files` overlap: each pair, what in their files meets,
 * and what keeping them apart costs end to end (or that `overlap: "allow"` lets them run together).
 */
import type { Plan } from "../run/plan.js";

export function overlapLines(plan: Plan, time: (value: number) => string): string[] {
  const { overlap } = plan;
  if (overlap.pairs.length === 0) return [];
  const apart = overlap.policy === "avoid";
  const lines = [
    "",
    apart
      ? `Overlapping files: ${overlap.pairs.length === 1 ? "this pair is" : "these pairs are"} never in flight together (overlap: "avoid")`
      : 'Overlapping files: run together all the same (overlap: "allow"); expect merge conflicts',
  ];
  for (const pair of overlap.pairs) {
    const [left, right] = pair.files;
    const meets = left === right ? left : `${left} ~ ${right}`;
    lines.push(`  ${pair.a} <-> ${pair.b}  (${meets})`);
  }
  const cost =
    overlap.cost === 0 || overlap.makespan_apart === null || overlap.makespan_together === null
      ? "costs nothing end to end"
      : overlap.cost > 0
        ? `costs ${time(overlap.cost)} end to end (${time(overlap.makespan_apart)} instead of ${time(overlap.makespan_together)})`
        : `happens to save ${time(-overlap.cost)} end to end`;
  lines.push(`  keeping them apart ${cost}`);
  return lines;
}
