/**
 * threadsift build: the whole pipeline in one process (ingest -> filter -> grade -> build -> export),
 * incremental like `threadsift run`: stages whose inputs did not change are skipped.
 */
import type { DatasetLayout } from '../export/dataset-writer.js';
import type { Funnel } from '../filter/types.js';
import type { PipelineConfig } from './config-types.js';
import { runPipeline, type IngestSummary, type PipelineRunOptions, type StageRecord } from './run-pipeline.js';

export type BuildOptions = Omit<PipelineRunOptions, 'step' | 'shard'>;

export interface BuildSummary {
  config: PipelineConfig;
  ingest: IngestSummary;
  funnel: Funnel;
  layout: DatasetLayout;
  out: string;
  report: string;
  /** what each stage did in this run: units run, units skipped as fresh, and why the rest were stale */
  stages: StageRecord[];
  seconds: number;
}

export async function runBuild(options: BuildOptions): Promise<BuildSummary> {
  const result = await runPipeline({ ...options, step: 'all' });
  const dataset = result.dataset!;
  return { config: result.config, ingest: dataset.ingest, funnel: dataset.funnel, layout: dataset.layout, out: dataset.out, report: dataset.report, stages: result.stages, seconds: result.seconds };
}
