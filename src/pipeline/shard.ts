/**
 * Which share of the work this process does: task `index` of `count`. Cluster schedulers say it in the
 * environment (a Slurm job array, a Kubernetes Indexed Job), so the same command line runs in every task.
 */

export interface Shard {
  index: number;
  count: number;
  /** where it came from, for the log: "--shard 1/3", "SLURM_ARRAY_TASK_ID" ... */
  source: string;
}

export const SINGLE_TASK: Shard = { index: 0, count: 1, source: 'one task' };

export class ShardError extends Error {}

/** "i/N" with 0 <= i < N. */
export function parseShard(text: string, source = `--shard ${text}`): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match) throw new ShardError(`${source}: expected i/N, e.g. 0/4 for the first of four tasks`);
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1) throw new ShardError(`${source}: the task count must be at least 1`);
  if (index >= count) throw new ShardError(`${source}: task index ${index} is out of range 0..${count - 1} (indexes start at 0)`);
  return { index, count, source };
}

/**
 * The shard a scheduler assigned, or null outside a task array.
 * - Slurm job arrays: SLURM_ARRAY_TASK_ID, counted from SLURM_ARRAY_TASK_MIN (so `--array=1-8` works),
 *   of SLURM_ARRAY_TASK_COUNT.
 * - Kubernetes Indexed Jobs: JOB_COMPLETION_INDEX, of `taskCount` or THREADSIFT_TASK_COUNT (the Job's
 *   `completions`, which Kubernetes does not put in the environment).
 */
export function shardFromEnv(env: NodeJS.ProcessEnv = process.env, taskCount?: number): Shard | null {
  const slurmId = env.SLURM_ARRAY_TASK_ID;
  if (slurmId !== undefined && slurmId !== '') {
    const count = Number(env.SLURM_ARRAY_TASK_COUNT ?? NaN);
    const min = Number(env.SLURM_ARRAY_TASK_MIN ?? 0);
    if (!Number.isInteger(count) || count < 1) {
      throw new ShardError(`SLURM_ARRAY_TASK_ID is set (${slurmId}) but SLURM_ARRAY_TASK_COUNT is not a task count (${env.SLURM_ARRAY_TASK_COUNT ?? 'unset'})`);
    }
    const step = Number(env.SLURM_ARRAY_TASK_STEP ?? 1) || 1;
    const index = (Number(slurmId) - min) / step;
    return parseShard(`${index}/${count}`, `SLURM_ARRAY_TASK_ID=${slurmId} (min ${min}, count ${count})`);
  }
  const k8sIndex = env.JOB_COMPLETION_INDEX;
  if (k8sIndex !== undefined && k8sIndex !== '') {
    const count = taskCount ?? Number(env.THREADSIFT_TASK_COUNT ?? NaN);
    if (!Number.isInteger(count) || count < 1) {
      throw new ShardError(`JOB_COMPLETION_INDEX is set (${k8sIndex}): give the task count with --tasks N or THREADSIFT_TASK_COUNT (the Job's completions)`);
    }
    return parseShard(`${k8sIndex}/${count}`, `JOB_COMPLETION_INDEX=${k8sIndex} of ${count}`);
  }
  return null;
}

/** --shard wins over the environment; neither means one task does everything. */
export function resolveShard(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, taskCount?: number): Shard {
  if (flag !== undefined) return parseShard(flag);
  return shardFromEnv(env, taskCount) ?? SINGLE_TASK;
}

/**
 * Deals units to tasks so that each task gets about the same total weight (largest first, to the lightest
 * task; ties to the lowest task). Deterministic: every task computes the same assignment from the same list.
 */
export function assignByWeight(weights: readonly number[], count: number): number[] {
  const order = weights.map((weight, unit) => ({ weight, unit })).sort((a, b) => b.weight - a.weight || a.unit - b.unit);
  const load = new Array<number>(count).fill(0);
  const owner = new Array<number>(weights.length).fill(0);
  for (const { weight, unit } of order) {
    let lightest = 0;
    for (let task = 1; task < count; task++) if (load[task]! < load[lightest]!) lightest = task;
    owner[unit] = lightest;
    load[lightest]! += weight;
  }
  return owner;
}
