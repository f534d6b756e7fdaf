/**
 * The filter stage on one partition of threads: every rule over every thread, the kept threads to a
 * Parquet file, their `created_utc<TAB>id` to a sidecar (the seeded-shuffle split needs every id, in the
 * dataset's order, before the first row),
 * and the partition's funnel and first rejections for the merge.
 */
import { basename, dirname } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { ParquetPartWriter } from '../io/parquet.js';
import type { Thread } from '../ingest/records.js';
import { threadColumns } from '../ingest/thread-table.js';
import type { FiltersConfig } from '../pipeline/config-types.js';
import { readThreadFiles } from '../pipeline/read-threads.js';
import { EXAMPLES_PER_RULE, ThreadFilter, type RejectionExample } from './filter.js';
import type { Funnel, FunnelStep } from './types.js';

export interface FilterPartitionResult {
  funnel: Funnel;
  /** up to EXAMPLES_PER_RULE first rejections per rule (post rules and answer rules) */
  examples: RejectionExample[];
  kept: number;
}

export async function filterPartition(config: FiltersConfig, input: string, output: string, idsFile: string): Promise<FilterPartitionResult> {
  const filter = new ThreadFilter(config);
  const writer = new ParquetPartWriter<Thread>({ dir: dirname(output), fileName: basename(output), columns: threadColumns });
  const ids: string[] = [];
  try {
    for await (const thread of readThreadFiles([input])) {
      const { kept } = filter.apply(thread);
      if (kept === null) continue;
      await writer.add(kept);
      ids.push(`${kept.created_utc}\t${kept.id}`);
    }
  } catch (error) {
    await writer.abort(error);
    throw error;
  }
  await writer.close();
  await writeFileAtomic(idsFile, ids.length > 0 ? ids.join('\n') + '\n' : '');
  return { funnel: filter.funnel(), examples: filter.examples(), kept: ids.length };
}

/** The funnel of all partitions: the same rules in the same order, counts added up. */
export function mergeFunnels(funnels: readonly Funnel[]): Funnel {
  if (funnels.length === 0) return { posts_in: 0, answers_in: 0, steps: [], posts_out: 0, answers_out: 0 };
  const first = funnels[0]!;
  const sum = (pick: (f: Funnel) => number) => funnels.reduce((total, f) => total + pick(f), 0);
  const steps: FunnelStep[] = first.steps.map((step, i) => {
    for (const other of funnels) {
      if (other.steps[i]?.rule !== step.rule) throw new Error(`funnels of different rule lists cannot be merged (${step.rule} vs ${other.steps[i]?.rule})`);
    }
    return {
      ...step,
      posts_in: sum((f) => f.steps[i]!.posts_in),
      posts_removed: sum((f) => f.steps[i]!.posts_removed),
      posts_out: sum((f) => f.steps[i]!.posts_out),
      answers_removed: sum((f) => f.steps[i]!.answers_removed),
    };
  });
  return { posts_in: sum((f) => f.posts_in), answers_in: sum((f) => f.answers_in), steps, posts_out: sum((f) => f.posts_out), answers_out: sum((f) => f.answers_out) };
}

/** The first EXAMPLES_PER_RULE rejections per rule over partitions taken in order. */
export function mergeExamples(lists: readonly (readonly RejectionExample[])[]): RejectionExample[] {
  const byRule = new Map<string, RejectionExample[]>();
  for (const list of lists) {
    for (const example of list) {
      const kept = byRule.get(example.rule) ?? [];
      if (kept.length < EXAMPLES_PER_RULE) kept.push(example);
      byRule.set(example.rule, kept);
    }
  }
  return [...byRule.values()].flat();
}

/** The post ids of a sidecar written by filterPartition, with the times that order them. */
export function parseIdsFile(text: string): { created_utc: number; id: string }[] {
  const out: { created_utc: number; id: string }[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const tab = line.indexOf('\t');
    out.push({ created_utc: Number(line.slice(0, tab)), id: line.slice(tab + 1) });
  }
  return out;
}
