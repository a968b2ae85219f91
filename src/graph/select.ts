import { LanesError } from "../errors.js";

export interface SelectableTask {
  id: string;
  dependsOn: string[];
  labels: string[];
  status: string;
}

export interface SelectionRequest {
  ids?: string[];
  labels?: string[];
  /** Take exactly the ids given, without pulling in their dependencies. */
  only?: boolean;
}

export interface Selection {
  /** Selected ids, in task order. */
  ids: string[];
  /** Unfinished dependencies added because a selected task needs them. */
  pulledIn: string[];
  /** Named or labelled tasks left out because their status is already done. */
  alreadyDone: string[];
  /** With `only`: dependencies of selected tasks that are neither done nor selected. */
  unmetDependencies: { task: string; dependency: string }[];
}

/** `--only` without ids, and labels no task carries: said before anything is planned. */
function checkRequest(tasks: readonly SelectableTask[], request: SelectionRequest): void {
  if (request.only && (request.ids ?? []).length === 0 && (request.labels ?? []).length === 0) {
    throw new LanesError(
      "E_USAGE",
      "--only needs the ids of the tasks to run, and none was given",
      {
        hint: "name them (lanes run --only <id>...), or leave --only out to run every unfinished task",
      },
    );
  }
  const carried = new Set(tasks.flatMap((task) => task.labels));
  for (const label of request.labels ?? []) {
    if (carried.has(label)) continue;
    const known = [...carried].sort();
    throw new LanesError("E_USAGE", `--label ${JSON.stringify(label)} matches no task`, {
      hint:
        known.length > 0
          ? `labels the tasks carry: ${known.join(", ")}`
          : "no task has labels yet: add `labels: [name]` to a task file's front matter",
    });
  }
}

/**
 * Which tasks a run or plan covers. Done tasks are never planned again but still satisfy their
 * dependents; asking for a task pulls in its unfinished dependencies unless `only` is set.
 */
export function selectTasks(
  tasks: readonly SelectableTask[],
  request: SelectionRequest,
): Selection {
  const byId = new Map(tasks.map((task) => [task.id, task]));
  checkRequest(tasks, request);
  for (const id of request.ids ?? []) {
    if (!byId.has(id)) {
      throw new LanesError("E_TASK_UNKNOWN", `unknown task id "${id}"`, {
        hint: `run \`lanes plan\` to list task ids (task files live in .lanes/tasks/<id>.md)`,
      });
    }
  }
  const named = new Set(request.ids ?? []);
  const labels = new Set(request.labels ?? []);
  const everything = named.size === 0 && labels.size === 0;
  const wanted = tasks.filter(
    (task) => everything || named.has(task.id) || task.labels.some((label) => labels.has(label)),
  );
  const alreadyDone = wanted.filter((task) => task.status === "done").map((task) => task.id);
  const chosen = new Set(wanted.filter((task) => task.status !== "done").map((task) => task.id));
  const pulledIn: string[] = [];
  if (!request.only) {
    const stack = [...chosen];
    while (stack.length > 0) {
      for (const dep of byId.get(stack.pop()!)?.dependsOn ?? []) {
        if (chosen.has(dep) || byId.get(dep)?.status === "done") continue;
        chosen.add(dep);
        pulledIn.push(dep);
        stack.push(dep);
      }
    }
  }
  const order = new Map(tasks.map((task, index) => [task.id, index]));
  pulledIn.sort((a, b) => order.get(a)! - order.get(b)!);
  const ids = tasks.filter((task) => chosen.has(task.id)).map((task) => task.id);
  const unmetDependencies = ids.flatMap((id) =>
    byId
      .get(id)!
      .dependsOn.filter((dep) => !chosen.has(dep) && byId.get(dep)?.status !== "done")
      .map((dependency) => ({ task: id, dependency })),
  );
  return {
    ids,
    pulledIn: everything ? [] : pulledIn,
    alreadyDone: everything ? [] : alreadyDone,
    unmetDependencies,
  };
}
