/**
 * The pipeline config (pipelines/*.yaml), as validated against schemas/pipeline.schema.json.
 * Every threshold and rule of the filter and build stages lives here, none in code.
 */

/** How a post or answer is recognised as deleted: the study tested `contains`; exact match is stricter. */
export type DeletedMatch = 'contains' | 'exact';

/** Which text `filters.min_chars` measures (in Unicode code points). */
export type LengthField = 'title' | 'selftext' | 'title_and_selftext';

export interface QuestionRuleConfig {
  /** off in the study config: its LLM prompt rejected non-questions instead */
  enabled: boolean;
  /** link flairs (case-insensitive, exact) whose posts are not questions: META, Books | Recommendation ... */
  exclude_flairs: string[];
  /** case-insensitive regular expressions on the title: [META], Tuesday Trivia, reading lists ... */
  exclude_title_patterns: string[];
  /** require a question in the title or text: a '?' or an interrogative opening (who, why, how, did ...) */
  require_question_form: boolean;
}

export interface AnswerHygieneConfig {
  /** drop answers whose body is [deleted]/[removed] (matched as `filters.deleted_match` says) */
  drop_deleted: boolean;
  /** authors whose comments are never answers (AutoModerator and other bots), case-insensitive */
  drop_authors: string[];
  /** `distinguished` values whose comments are not answers (moderator notes) */
  drop_distinguished: string[];
  drop_stickied: boolean;
  drop_empty: boolean;
  /** answers shorter than this many code points after trimming (0 = keep all) */
  min_chars: number;
  /** decode HTML entities (&amp; &gt; &lt; &quot; &#39; ...) in answer bodies and post text */
  unescape_html: boolean;
  /** replace every `http\S+` in answer bodies with "[LINK]", as the study's loader did (greedy: "(url)" loses its ")") */
  mask_links: boolean;
}

export interface FiltersConfig {
  /** inclusive created_utc window as ISO dates (YYYY-MM-DD), or null for no bound */
  date_from: string | null;
  date_to: string | null;
  deleted_match: DeletedMatch;
  /** drop posts whose text is deleted/removed, or that carry removed_by_category */
  drop_removed_posts: boolean;
  /** also count `removed_by_category` (2019-09+ dumps) as removal; the study's code did not look at it */
  use_removed_by_category: boolean;
  question: QuestionRuleConfig;
  min_chars: number;
  length_field: LengthField;
  min_score: number;
  min_answers: number;
  answers: AnswerHygieneConfig;
  /**
   * Order of the post rules, which is also the funnel's order. Names: date_window, removed_post,
   * asks_question, min_answers, min_chars, min_score.
   */
  order: PostRuleName[];
}

export type PostRuleName = 'date_window' | 'removed_post' | 'asks_question' | 'min_answers' | 'min_chars' | 'min_score';

export type SftAnswerSelection = 'top' | 'top_k' | 'min_score';
export type RecordFormat = 'standard' | 'conversational';

export interface SftConfig {
  enabled: boolean;
  /** placeholders: {title} {selftext} {subreddit}; the study: "<|REDDITQA|> Question: {title}\nAnswer: " */
  prompt_template: string;
  /** system message for the conversational format, or null */
  system_prompt: string | null;
  answers: SftAnswerSelection;
  /** with answers: top_k */
  top_k: number;
  /** with answers: min_score */
  min_answer_score: number;
}

export type PreferencePolicy = 'study' | 'shp';

export interface PreferenceConfig {
  enabled: boolean;
  policy: PreferencePolicy;
  /** chosen.score - rejected.score must be at least this (study: any non-zero difference; tried 9) */
  min_score_diff: number;
  /** shp: chosen.score / rejected.score must be at least this (SHP used 2); null = off */
  min_score_ratio: number | null;
  /** shp: keep a pair only when the chosen answer was posted after the rejected one */
  require_chosen_later: boolean;
  max_pairs_per_post: number;
  /** ties are never preferences; kept as a switch so the config states it */
  allow_ties: boolean;
}

export type SplitMethod = 'hash' | 'seeded_shuffle';

export interface SplitsConfig {
  /** hash: by a hash of the post id (stable when posts are added); seeded_shuffle: the study's method */
  method: SplitMethod;
  fractions: Record<string, number>;
  seed: number;
}

export interface BuildConfig {
  format: RecordFormat;
  seed: number;
  sft: SftConfig;
  preference: PreferenceConfig;
  splits: SplitsConfig;
}

export interface ExportConfig {
  /** rows per Parquet shard at most */
  shard_max_rows: number;
  /** the dataset card's title and licence note */
  pretty_name: string;
  license_note: string;
}

/** How the label is read: the token distribution (logprobs) or a server-constrained choice (constrained). */
export type GradeReadMode = 'logprobs' | 'constrained';

/**
 * absolute: keep score >= threshold; quantile: keep score >= the q-quantile of the graded posts' scores;
 * above_quantile: keep score > that quantile (the study's final run: above the median).
 */
export type GradeKeepMethod = 'absolute' | 'quantile' | 'above_quantile';

/** One few-shot turn pair: `question` is the user message verbatim, `answer` the assistant's reply. */
export interface GradeExample {
  question: string;
  answer: string;
}

export interface GradeKeepConfig {
  method: GradeKeepMethod;
  /** with method absolute; null otherwise */
  threshold: number | null;
  /** with the quantile methods, in (0, 1): 0.5 is the median; null otherwise */
  quantile: number | null;
  /** 'p_label:<label>' (e.g. p_label:yes, the study's P(yes)) or 'expected' (the probability-weighted value) */
  score: string;
}

/** The study's answer grader: each answer of a graded post is graded too, and kept at score >= keep_threshold. */
export interface AnswerGradeConfig {
  enabled: boolean;
  system_prompt: string | null;
  examples: GradeExample[];
  /** the last user message; placeholders {title} {selftext} {answer} */
  template: string;
  score: string;
  keep_threshold: number;
}

export interface GradeConfig {
  /** grade in `threadsift build` when a grader is given; without one the build says so and keeps every post */
  enabled: boolean;
  mode: GradeReadMode;
  /** the served model's name; null = it must come from the command line (--grader-model) */
  model: string | null;
  system_prompt: string | null;
  examples: GradeExample[];
  /** the last user message; placeholders {title} {selftext} */
  question_template: string;
  /** label -> the token strings that count for it */
  labels: Record<string, string[]>;
  /** label -> its numeric value for the `expected` score */
  values: Record<string, number>;
  temperature: number;
  max_tokens: number;
  top_logprobs: number;
  keep: GradeKeepConfig;
  answers: AnswerGradeConfig;
  request_timeout_s: number;
  concurrency: number;
  max_retries: number;
}

/** The dumps a pipeline reads; the command line's --submissions / --comments replace them. */
export interface InputsConfig {
  submissions: string[];
  comments?: string[];
}

export interface PipelineConfig {
  name: string;
  description: string;
  subreddit: string;
  inputs?: InputsConfig;
  filters: FiltersConfig;
  grade: GradeConfig;
  build: BuildConfig;
  export: ExportConfig;
}
