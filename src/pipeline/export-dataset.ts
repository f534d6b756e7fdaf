/**
 * build + export: filtered (and graded) threads -> SFT and preference rows -> a Hugging Face dataset
 * directory with its card, report and run manifest, swapped in whole.
 */
import { sftRows } from '../build/sft.js';
import { preferencePairs } from '../build/preference.js';
import { hashSplit, seededShuffleSplit } from '../build/splits.js';
import { preferenceColumns, sftColumns } from '../build/tables.js';
import { renderDatasetCard } from '../export/card.js';
import { HfDatasetWriter, type DatasetLayout } from '../export/dataset-writer.js';
import { codePointLength, createReportDistributions, renderReport, type RejectionExample } from '../export/report.js';
import type { Funnel } from '../filter/types.js';
import type { GradeResult } from '../grade/stage.js';
import { formatBar, type Progress } from '../io/progress.js';
import type { PipelineConfig } from './config-types.js';
import { mergeOrderedThreadFiles } from './read-threads.js';

export async function buildAndExport(
  config: PipelineConfig,
  filteredFiles: readonly string[],
  ids: readonly string[],
  out: string,
  funnel: Funnel,
  rejections: readonly RejectionExample[],
  progress: Progress,
  runManifest: (layout: DatasetLayout) => unknown,
  graded: GradeResult | null,
): Promise<{ layout: DatasetLayout }> {
  const build = config.build;
  if (graded) ids = ids.filter((id) => graded.keep.has(id));
  const splitOf: (id: string) => string =
    build.splits.method === 'seeded_shuffle'
      ? ((assigned) => (id: string) => assigned.get(id)!)(seededShuffleSplit(ids, build.splits.fractions, build.splits.seed))
      : (id: string) => hashSplit(id, build.splits.fractions, build.splits.seed);
  const writer = await HfDatasetWriter.open({
    out,
    columns: { sft: sftColumns(build.format), preference: preferenceColumns(build.format) },
    shardMaxRows: config.export.shard_max_rows,
  });
  const distributions = createReportDistributions();
  try {
    let posts = 0;
    const dropped = { posts: 0, answers: 0 };
    for await (const original of mergeOrderedThreadFiles(filteredFiles)) {
      if (graded && !graded.keep.has(original.id)) {
        dropped.posts++;
        dropped.answers += original.answers.length;
        continue;
      }
      const thread = graded && config.grade.answers.enabled ? { ...original, answers: original.answers.filter((a) => graded.answerKeep.has(a.id)) } : original;
      dropped.answers += original.answers.length - thread.answers.length;
      const split = splitOf(thread.id);
      const grade = graded?.grades.get(thread.id)?.score ?? null;
      if (grade !== null) distributions.grade.add(grade);
      distributions.post_score.add(thread.score ?? 0);
      distributions.answers_per_post.add(thread.answers.length);
      distributions.title_chars.add(codePointLength(thread.title));
      for (const answer of thread.answers) distributions.answer_chars.add(codePointLength(answer.body));
      if (build.sft.enabled) for (const row of sftRows(thread, build, grade)) await writer.add('sft', split, row);
      if (build.preference.enabled) for (const row of preferencePairs(thread, build, grade)) await writer.add('preference', split, row);
      posts++;
      progress.update(() => `build  ${formatBar(posts, ids.length)} posts`);
    }
    if (graded) {
      const failed = graded.failures.size;
      funnel.steps.push({
        rule: 'grade',
        description: `${graded.decision.description}${failed > 0 ? `, ${failed} failed to grade` : ''}`,
        kind: 'post',
        posts_in: funnel.posts_out,
        posts_removed: dropped.posts,
        posts_out: funnel.posts_out - dropped.posts,
        answers_removed: dropped.answers,
      });
      funnel.posts_out -= dropped.posts;
      funnel.answers_out -= dropped.answers;
    }
  } catch (error) {
    await writer.abort();
    throw error;
  }
  const layout = await writer.close((finalLayout) => ({
    'threadsift-manifest.json': JSON.stringify(runManifest(finalLayout), null, 2) + '\n',
    'README.md': renderDatasetCard({ layout: finalLayout, pipeline: config, funnel }),
    'report.html': renderReport({
      title: `${config.name}: dataset report`,
      subtitle: `r/${config.subreddit} · ${config.description}`,
      funnel,
      layout: finalLayout,
      distributions,
      rejections,
    }),
  }));
  return { layout };
}

export function describeLayout(layout: DatasetLayout): string {
  return layout.configs.map((c) => `${c.name}: ${c.splits.map((s) => `${s.split} ${s.rows.toLocaleString()}`).join(', ')}`).join('; ') || 'no rows';
}
