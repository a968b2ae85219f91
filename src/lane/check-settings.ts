/**
 * Every up-front check of the `lane` setting, for prepare.ts: the files each lane gets (a tracked
 * path in `lane.copy` or `lane.link` is refused, naming it), the setup and teardown commands, and
 * the port range. Each failure is an exit-2 settings error before anything starts; what passes
 * is the plan every new lane of the run gets its files from.
 */
import type { LaneSetting } from "../config/lane-setting.js";
import { checkLaneFiles, type LaneFilesPlan } from "./files-check.js";
import { PortPool } from "./ports.js";
import { laneCommandArgv } from "./setup.js";

export async function checkLaneSettings(
  repoRoot: string,
  lane: LaneSetting,
): Promise<LaneFilesPlan> {
  if (lane.setup !== undefined) laneCommandArgv(lane.setup, "lane.setup");
  if (lane.teardown !== undefined) laneCommandArgv(lane.teardown, "lane.teardown");
  // The pool checks that a whole block fits below 65535; nothing is bound here.
  new PortPool({ base: lane.portBase, size: lane.ports });
  return checkLaneFiles(repoRoot, { copy: lane.copy, link: lane.link });
}
