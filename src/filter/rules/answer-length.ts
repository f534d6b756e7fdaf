import type { FiltersConfig } from '../../pipeline/config-types.js';
import type { AnswerRule } from '../types.js';
import { codePointLength } from './code-points.js';

/**
 * Whitespace as a reader sees it: String#trim's set (which includes U+00A0, what &nbsp; decodes to) plus
 * the invisible format characters that editors leave behind (zero-width space/joiners, word joiner, BOM).
 * A char-code test, not a regex: `[...]+$` retries at every position of a long body (a tenth of the filter
 * stage's time on long answers).
 */
export function isBlank(code: number): boolean {
  return (
    code === 0x20 || (code >= 0x09 && code <= 0x0d) || code === 0xa0 || code === 0x1680 || (code >= 0x2000 && code <= 0x200d) ||
    code === 0x2028 || code === 0x2029 || code === 0x202f || code === 0x205f || code === 0x2060 || code === 0x3000 || code === 0xfeff
  );
}

export function visibleText(body: string): string {
  let start = 0;
  let end = body.length;
  while (start < end && isBlank(body.charCodeAt(start))) start++;
  while (end > start && isBlank(body.charCodeAt(end - 1))) end--;
  return start === 0 && end === body.length ? body : body.slice(start, end);
}

/** Answers with some text: an empty or whitespace-only body answers nothing. */
export function emptyAnswerRule(_config: FiltersConfig): AnswerRule {
  return {
    name: 'empty_answer',
    description: 'body not empty or whitespace',
    reject: function emptyAnswer(answer) {
      if (answer.body.length === 0) return 'body is empty';
      return visibleText(answer.body).length === 0 ? 'body is whitespace only' : null;
    },
  };
}

/** Answers of at least `answers.min_chars` code points once trimmed ("RemindMe! 2 days" is no answer). */
export function shortAnswerRule(config: FiltersConfig): AnswerRule {
  const minimum = config.answers.min_chars;
  return {
    name: 'short_answer',
    description: `body >= ${minimum} code points, trimmed`,
    reject: function shortAnswer(answer) {
      const length = codePointLength(visibleText(answer.body));
      return length >= minimum ? null : `body has ${length} code points < ${minimum}`;
    },
  };
}
