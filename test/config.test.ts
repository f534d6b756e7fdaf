import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  applyOverrides,
  canonicalJson,
  ConfigError,
  configFingerprint,
  loadPipelineConfig,
  parsePipelineYaml,
  PIPELINE_SCHEMA_PATH,
  pipelineNames,
  POST_RULE_NAMES,
  resolvePipelinePath,
  validatePipelineConfig,
} from '../src/pipeline/config.js';
import { repoRoot, tempDir } from './helpers/paths.js';

const STUDY = join(repoRoot, 'pipelines', 'askhistorians-study.yaml');
const RECOMMENDED = join(repoRoot, 'pipelines', 'askhistorians.yaml');
const ASKSCIENCE = join(repoRoot, 'pipelines', 'askscience.yaml');

/** The study config as plain data, to break in one place per test. */
function studyData(): Record<string, any> {
  return parsePipelineYaml(readFileSync(STUDY, 'utf8'), 'study.yaml') as Record<string, any>;
}

/** The lines of the ConfigError that `fn` throws (fails when it throws nothing or something else). */
function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return [...error.problems];
  }
  assert.fail('expected a ConfigError');
}

function problemsOfData(data: unknown): string[] {
  return problemsOf(() => validatePipelineConfig(data, 'bad.yaml'));
}

describe('shipped pipelines', () => {
  it('all three load and validate, by path and by bare name', () => {
    for (const [file, name] of [
      [STUDY, 'askhistorians-study'],
      [RECOMMENDED, 'askhistorians'],
      [ASKSCIENCE, 'askscience'],
    ] as const) {
      const byPath = loadPipelineConfig(file);
      assert.equal(byPath.name, name);
      assert.deepEqual(loadPipelineConfig(name), byPath);
    }
    assert.deepEqual(pipelineNames(), ['askhistorians', 'askhistorians-study', 'askscience']);
  });

  it('the study config holds exactly the study thresholds and quirks', () => {
    const { filters, build, grade } = loadPipelineConfig('askhistorians-study');
    assert.equal(filters.date_from, '2011-08-01');
    assert.equal(filters.date_to, '2022-12-31');
    assert.equal(filters.deleted_match, 'contains');
    assert.equal(filters.drop_removed_posts, true);
    assert.equal(filters.use_removed_by_category, false);
    assert.deepEqual(filters.question, {
      enabled: false,
      exclude_flairs: [],
      exclude_title_patterns: [],
      require_question_form: false,
    });
    assert.equal(filters.length_field, 'title');
    assert.equal(filters.min_chars, 55);
    assert.equal(filters.min_score, 4);
    assert.equal(filters.min_answers, 2);
    // AutoModerator and moderator comments counted as answers; only (contains-)deleted ones went.
    assert.deepEqual(filters.answers, {
      drop_deleted: true,
      drop_authors: [],
      drop_distinguished: [],
      drop_stickied: false,
      drop_empty: false,
      min_chars: 0,
      unescape_html: false,
      mask_links: true,
    });
    // The study's grader: its prompt, one token, P(yes) strictly above the median.
    assert.equal(grade.enabled, true);
    assert.equal(grade.mode, 'logprobs');
    assert.equal(grade.examples.length, 6);
    assert.equal(grade.question_template, '{title}\n');
    assert.deepEqual(grade.labels, { yes: ['Yes', 'yes', 'y'], no: ['No', 'no', 'n'] });
    assert.equal(grade.max_tokens, 1);
    assert.deepEqual(grade.keep, { method: 'above_quantile', threshold: null, quantile: 0.5, score: 'p_label:yes' });
    assert.equal(grade.answers.enabled, false);
    assert.equal(grade.answers.keep_threshold, 0.2);

    assert.equal(build.format, 'standard');
    assert.equal(build.sft.enabled, true);
    assert.equal(build.sft.answers, 'top');
    assert.equal(build.sft.system_prompt, null);
    assert.deepEqual(
      Buffer.from(build.sft.prompt_template, 'utf8'),
      Buffer.from('<|REDDITQA|> Question: {title}\nAnswer: ', 'utf8'),
    );
    assert.deepEqual(build.preference, {
      enabled: true,
      policy: 'study',
      min_score_diff: 1,
      min_score_ratio: null,
      require_chosen_later: false,
      max_pairs_per_post: 10,
      allow_ties: false,
    });
    assert.equal(build.splits.method, 'seeded_shuffle');
    assert.deepEqual(Object.entries(build.splits.fractions), [
      ['train', 0.7],
      ['eval', 0.15],
      ['test', 0.15],
    ]);
    assert.equal(build.splits.seed, 42);
  });

  it('the recommended config keeps the thresholds and fixes the quirks', () => {
    const study = loadPipelineConfig('askhistorians-study');
    const { filters, build } = loadPipelineConfig('askhistorians');
    assert.equal(filters.min_chars, study.filters.min_chars);
    assert.equal(filters.length_field, study.filters.length_field);
    assert.equal(filters.min_score, study.filters.min_score);
    assert.equal(filters.min_answers, study.filters.min_answers);
    assert.equal(filters.deleted_match, 'exact');
    assert.equal(filters.use_removed_by_category, true);
    assert.ok(filters.answers.drop_authors.includes('AutoModerator'));
    assert.deepEqual(filters.answers.drop_distinguished.includes('moderator'), true);
    assert.equal(filters.answers.drop_stickied, true);
    assert.equal(filters.answers.drop_empty, true);
    assert.equal(filters.answers.unescape_html, true);
    assert.equal(filters.question.enabled, true);
    assert.equal(filters.question.require_question_form, true);
    assert.ok(filters.question.exclude_flairs.includes('META'));
    assert.equal(build.splits.method, 'hash');
    assert.equal(build.sft.prompt_template, study.build.sft.prompt_template);
  });

  it('the recommended title patterns drop features and reading lists, not questions', () => {
    const patterns = loadPipelineConfig('askhistorians').filters.question.exclude_title_patterns.map(
      (source) => new RegExp(source, 'iu'),
    );
    const excluded = (title: string) => patterns.some((pattern) => pattern.test(title));
    for (const title of [
      '[META] A change to the rules',
      'AMA: I study medieval Iceland',
      'Tuesday Trivia: Ships!',
      'Floating Feature: Food',
      'Saturday Reading Room | June 2022',
      'Friday Free-for-All | May 06, 2022',
      'Monday Methods: Oral history',
      'Short Answers to Simple Questions | September 14, 2022',
      'Sunday Digest | Interesting & Overlooked Posts',
      'Thursday Reading &amp; Recommendations | March 03, 2022',
      'Theory Thursday | Foucault',
      'Any good book recommendations on the Ottoman Empire?',
      'What are some good books on the French Revolution?',
    ]) {
      assert.ok(excluded(title), title);
    }
    for (const title of [
      'Why did the AMA (American Medical Association) oppose national health insurance in the 1940s?',
      'How did Roman soldiers keep their feet dry on long marches through Gaul?',
      'What did medieval monks read when they were not copying books?',
    ]) {
      assert.ok(!excluded(title), title);
    }
  });
});

describe('schema', () => {
  const schema = JSON.parse(readFileSync(PIPELINE_SCHEMA_PATH, 'utf8'));

  it('documents every key, closes every object, and requires every key but the inputs', () => {
    // A config states every rule; only the dumps it reads may come from the command line instead.
    const optional = new Set(['inputs', 'inputs.comments']);
    const walk = (node: any, path: string): void => {
      assert.equal(typeof node.description, 'string', `${path || '(root)'} has a description`);
      if (node.properties) {
        const expected = Object.keys(node.properties).filter((key) => !optional.has(path ? `${path}.${key}` : key));
        assert.deepEqual([...node.required].sort(), expected.sort(), `${path} requires all keys`);
        assert.equal(node.additionalProperties, false, `${path} allows no other keys`);
        for (const [key, child] of Object.entries(node.properties)) walk(child, path ? `${path}.${key}` : key);
      }
    };
    walk(schema, '');
  });

  it('names the same post rules as the code', () => {
    assert.deepEqual(schema.properties.filters.properties.order.items.enum, [...POST_RULE_NAMES]);
  });
});

describe('overrides', () => {
  it('read values as YAML: numbers, booleans, null, lists', () => {
    const config = applyOverrides(studyData(), [
      'filters.min_score=5',
      'build.splits.fractions.train=0.8',
      'filters.question.enabled=true',
      'filters.date_to=null',
      'filters.answers.drop_authors=["AutoModerator","BotX"]',
      'filters.answers.drop_distinguished=[moderator, admin]',
    ]);
    assert.equal(config.filters.min_score, 5);
    assert.equal(config.build.splits.fractions.train, 0.8);
    assert.equal(config.filters.question.enabled, true);
    assert.equal(config.filters.date_to, null);
    assert.deepEqual(config.filters.answers.drop_authors, ['AutoModerator', 'BotX']);
    assert.deepEqual(config.filters.answers.drop_distinguished, ['moderator', 'admin']);
  });

  it('keep the raw text where the key takes a string', () => {
    const config = applyOverrides(studyData(), [
      'name=2024',
      'export.pretty_name=AskHistorians: a test',
      'build.sft.prompt_template="Q: {title}\\nA: "',
      'filters.date_from=2012-01-01',
    ]);
    assert.equal(config.name, '2024');
    assert.equal(config.export.pretty_name, 'AskHistorians: a test');
    assert.equal(config.build.sft.prompt_template, 'Q: {title}\nA: ');
    assert.equal(config.filters.date_from, '2012-01-01');
  });

  it('leave the input untouched', () => {
    const data = studyData();
    applyOverrides(data, ['filters.min_score=99']);
    assert.equal(data.filters.min_score, 4);
  });

  it('may add a split or a grade label, and set grade keys', () => {
    const config = applyOverrides(studyData(), [
      'build.splits.fractions.holdout=0',
      'grade.model=zephyr',
      'grade.keep.quantile=0.75',
      'grade.labels.maybe=[maybe, Maybe]',
    ]);
    assert.equal(config.build.splits.fractions.holdout, 0);
    assert.equal(config.grade.model, 'zephyr');
    assert.equal(config.grade.keep.quantile, 0.75);
    assert.deepEqual(config.grade.labels.maybe, ['maybe', 'Maybe']);
    const [problem] = problemsOf(() => applyOverrides(studyData(), ['grade.model.name=zephyr']));
    assert.match(problem!, /grade\.model is .*; it has no key "name"/);
  });

  it('reject an unknown key, naming it and the keys allowed there', () => {
    const [problem] = problemsOf(() => applyOverrides(studyData(), ['filters.min_scroe=5']));
    assert.match(problem!, /filters\.min_scroe=5: unknown key "min_scroe" under filters \(did you mean "min_score"\?\)/);
    assert.match(problem!, /allowed keys: date_from, date_to, deleted_match, .*min_score, min_answers, answers, order/);
    const [topLevel] = problemsOf(() => applyOverrides(studyData(), ['filter.min_score=5']));
    assert.match(topLevel!, /unknown key "filter" at the top level \(did you mean "filters"\?\); allowed keys: name, description/);
  });

  it('reject a setting without "="', () => {
    const [problem] = problemsOf(() => applyOverrides(studyData(), ['filters.min_score']));
    assert.match(problem!, /expected key\.path=value/);
  });

  it('are validated with the file: a wrong type names the key and the type', () => {
    const problems = problemsOf(() => loadPipelineConfig('askhistorians-study', ['filters.min_score=high']));
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /askhistorians-study\.yaml: filters\.min_score: must be an integer \(got string "high"\)$/);
  });

  it('make a config whose fractions no longer sum to 1 fail, until fixed', () => {
    const [problem] = problemsOf(() => loadPipelineConfig('askhistorians', ['build.splits.fractions.train=0.8']));
    assert.match(problem!, /build\.splits\.fractions: must sum to 1 \(got 1\.1\d* = train 0\.8 \+ validation 0\.15 \+ test 0\.15\)/);
    const fixed = loadPipelineConfig('askhistorians', [
      'build.splits.fractions.train=0.8',
      'build.splits.fractions.validation=0.1',
      'build.splits.fractions.test=0.1',
    ]);
    assert.equal(fixed.build.splits.fractions.train, 0.8);
  });
});

describe('validation messages', () => {
  it('a wrong enum value lists the allowed values', () => {
    const data = studyData();
    data.filters.length_field = 'titel';
    assert.deepEqual(problemsOfData(data), [
      'bad.yaml: filters.length_field: must be one of title, selftext, title_and_selftext (got "titel") — did you mean "title"?',
    ]);
  });

  it('an unknown key is named, with a did-you-mean and the allowed keys', () => {
    const data = studyData();
    data.filters.min_scroe = 5;
    const [problem] = problemsOfData(data);
    assert.match(problem!, /^bad\.yaml: filters\.min_scroe: unknown key \(did you mean "min_score"\?\); allowed here: date_from, /);
  });

  it('a key at the wrong level points to where it belongs', () => {
    const data = studyData();
    data.min_answers = 2;
    const [problem] = problemsOfData(data);
    assert.match(problem!, /^bad\.yaml: min_answers: unknown key \(did you mean filters\.min_answers\? it belongs there\)/);
  });

  it('a wrong type names the expected type and what was found', () => {
    const data = studyData();
    data.filters.min_score = '4';
    data.filters.question.enabled = 'no';
    data.build.preference.min_score_ratio = 'two';
    assert.deepEqual(problemsOfData(data), [
      'bad.yaml: filters.question.enabled: must be true or false (got string "no")',
      'bad.yaml: filters.min_score: must be an integer (got string "4")',
      'bad.yaml: build.preference.min_score_ratio: must be a number or null (got string "two")',
    ]);
  });

  it('a missing key is named with its type and meaning', () => {
    const data = studyData();
    delete data.filters.min_score;
    const [problem] = problemsOfData(data);
    assert.match(problem!, /^bad\.yaml: filters\.min_score: missing required key \(an integer\): Posts need at least this score/);
  });

  it('fractions that do not sum to 1 are shown with their sum', () => {
    const data = studyData();
    data.build.splits.fractions = { train: 0.7, eval: 0.15, test: 0.1 };
    assert.deepEqual(problemsOfData(data), [
      'bad.yaml: build.splits.fractions: must sum to 1 (got 0.95 = train 0.7 + eval 0.15 + test 0.1)',
    ]);
  });

  it('a regular expression that does not compile is named by its index', () => {
    const data = studyData();
    data.filters.question.exclude_title_patterns = ['^ok$', '(unclosed'];
    const [problem] = problemsOfData(data);
    assert.match(problem!, /^bad\.yaml: filters\.question\.exclude_title_patterns\[1\]: not a valid regular expression/);
  });

  it('filters.order must name each post rule exactly once', () => {
    const data = studyData();
    data.filters.order = ['date_window', 'removed_post', 'min_answers', 'min_chars', 'min_chars', 'min_score'];
    const [problem] = problemsOfData(data);
    assert.match(problem!, /filters\.order: must list each post rule exactly once \(missing asks_question; listed more than once: min_chars\)/);

    data.filters.order = ['date_window', 'removed_post', 'asks_question', 'min_answers', 'min_chars', 'min_scor'];
    const problems = problemsOfData(data);
    assert.ok(problems.some((p) => p.includes('filters.order[5]: must be one of date_window, ') && p.includes('did you mean "min_score"?')));
    assert.ok(problems.some((p) => p.includes('filters.order: must list each post rule exactly once (missing min_score)')));
  });

  it('dates must be real and in order', () => {
    const data = studyData();
    data.filters.date_from = '2023-01-01';
    assert.deepEqual(problemsOfData(data), [
      'bad.yaml: filters.date_from: must not be after filters.date_to ("2023-01-01" > "2022-12-31")',
    ]);
    data.filters.date_from = '2022-02-30';
    data.filters.date_to = '2022/12/31';
    assert.deepEqual(problemsOfData(data), [
      'bad.yaml: filters.date_to: must be a date as YYYY-MM-DD, quoted in YAML ("2011-08-01") (got "2022/12/31")',
      'bad.yaml: filters.date_from: not a calendar date (got "2022-02-30")',
    ]);
  });

  it('ties, SHP-only settings under policy study, a system prompt in standard format and unknown placeholders are refused', () => {
    const data = studyData();
    data.build.preference.allow_ties = true;
    data.build.preference.min_score_ratio = 2;
    data.build.sft.system_prompt = 'You are a historian.';
    data.build.sft.prompt_template = 'Q: {titel}\nA: ';
    const problems = problemsOfData(data);
    assert.ok(problems.includes('bad.yaml: build.preference.allow_ties: must be false (got true)'), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('bad.yaml: build.preference.min_score_ratio: applies to policy shp only')));
    assert.ok(problems.some((p) => p.startsWith('bad.yaml: build.sft.system_prompt: must be null with build.format standard')));
    assert.ok(
      problems.includes(
        'bad.yaml: build.sft.prompt_template: unknown placeholder {titel} (did you mean {title}?); placeholders: {title}, {selftext}, {subreddit}',
      ),
    );
  });

  it('every problem is reported at once, in the message too', () => {
    const data = studyData();
    data.filters.length_field = 'body';
    data.filters.deleted_match = 'contain';
    data.build.splits.method = 'random';
    data.export.shard_max_rows = 0;
    let message = '';
    try {
      validatePipelineConfig(data, 'bad.yaml');
    } catch (error) {
      message = (error as Error).message;
    }
    assert.match(message, /^4 problems in the pipeline config:\n/);
    assert.match(message, /bad\.yaml: filters\.deleted_match: must be one of contains, exact \(got "contain"\)/);
    assert.match(message, /bad\.yaml: filters\.length_field: must be one of title, selftext, title_and_selftext \(got "body"\)/);
    assert.match(message, /bad\.yaml: build\.splits\.method: must be one of hash, seeded_shuffle \(got "random"\)/);
    assert.match(message, /bad\.yaml: export\.shard_max_rows: must be >= 1 \(got 0\)/);
  });

  it('a file that is not a mapping says so', () => {
    assert.deepEqual(problemsOfData(null), ['bad.yaml: (top level): must be a mapping (got null) (is the file empty?)']);
  });
});

describe('loading files', () => {
  it('a bare name resolves to the package pipelines/ from any working directory', () => {
    const dir = tempDir();
    const cwd = process.cwd();
    try {
      process.chdir(dir.path);
      assert.equal(resolvePipelinePath('askhistorians'), RECOMMENDED);
      assert.equal(loadPipelineConfig('askscience').subreddit, 'AskScience');
    } finally {
      process.chdir(cwd);
      dir.dispose();
    }
  });

  it('an unknown name lists the pipelines there are', () => {
    const [problem] = problemsOf(() => resolvePipelinePath('askhistorian'));
    assert.equal(
      problem,
      'no pipeline named "askhistorian" (did you mean "askhistorians"?); give a YAML file path or one of: askhistorians, askhistorians-study, askscience',
    );
    assert.match(problemsOf(() => resolvePipelinePath('nowhere/x.yaml'))[0]!, /^nowhere\/x\.yaml: no such file/);
  });

  it('a YAML file of your own loads, and its problems carry its name', () => {
    const dir = tempDir();
    try {
      const file = join(dir.path, 'mine.yaml');
      writeFileSync(file, readFileSync(STUDY, 'utf8').replace('min_score: 4', 'min_score: 7'));
      assert.equal(loadPipelineConfig(file).filters.min_score, 7);

      writeFileSync(file, readFileSync(STUDY, 'utf8').replace('length_field: title', 'length_field: titel'));
      const [problem] = problemsOf(() => loadPipelineConfig(file));
      assert.ok(problem!.startsWith(`${file}: filters.length_field: must be one of`), problem);

      writeFileSync(file, 'name: a\nname: b\n');
      assert.match(problemsOf(() => loadPipelineConfig(file))[0]!, /mine\.yaml:2:1: Map keys must be unique/);
    } finally {
      dir.dispose();
    }
  });
});

describe('configFingerprint', () => {
  it('ignores key order at every depth', () => {
    const a = { b: 1, a: { y: [1, { q: 1, p: 2 }], x: null } };
    const b = { a: { x: null, y: [1, { p: 2, q: 1 }] }, b: 1 };
    assert.equal(configFingerprint(a), configFingerprint(b));
    assert.equal(canonicalJson(a), '{"a":{"x":null,"y":[1,{"p":2,"q":1}]},"b":1}');
    assert.match(configFingerprint(a), /^[0-9a-f]{64}$/);
  });

  it('changes with any value or list order', () => {
    const filters = loadPipelineConfig('askhistorians').filters;
    const base = configFingerprint(filters);
    assert.notEqual(configFingerprint({ ...filters, min_score: 5 }), base);
    assert.notEqual(configFingerprint({ ...filters, order: [...filters.order].reverse() }), base);
    assert.equal(configFingerprint(structuredClone(filters)), base);
  });
});
