import { isUtf8 } from 'node:buffer';
import { forEachLine, isBlankLine } from '../io/lines.js';
import { linePrefilter } from './line-prefilter.js';
import type { Comment, RejectReason, Submission } from './records.js';
import { normalizeComment, normalizeSubmission } from './normalize.js';
import { FieldSet, scanTopLevel } from './scan-fields.js';

/** The top-level keys the normalizers read: nothing else of a line is ever decoded. */
export const SUBMISSION_KEYS = [
  'id', 'name', 'subreddit', 'subreddit_id', 'author', 'title', 'selftext', 'url', 'permalink', 'score', 'num_comments',
  'created_utc', 'edited', 'distinguished', 'stickied', 'over_18', 'is_self', 'link_flair_text', 'removed_by_category',
  'retrieved_on', 'retrieved_utc', '_meta',
] as const;
export const COMMENT_KEYS = [
  'id', 'name', 'link_id', 'parent_id', 'subreddit', 'author', 'body', 'score', 'created_utc', 'edited', 'distinguished',
  'stickied', 'retrieved_on', 'retrieved_utc', '_meta',
] as const;

// One FieldSet per record kind and thread: each learns the key layout of its own stream of lines.
const fieldSets = { submission: new FieldSet(SUBMISSION_KEYS), comment: new FieldSet(COMMENT_KEYS) };

export type RecordKind = 'submission' | 'comment';

export interface ParseBatchInput {
  kind: RecordKind;
  file: string;
  firstLine: number;
  buf: Uint8Array;
  /** lower-case subreddit name to keep, or null to keep every line (per-subreddit dumps) */
  subreddit: string | null;
  /** drop replies (comments whose parent is another comment) before parsing them */
  topLevelOnly: boolean;
  /** also return each record's own line, byte for byte (extracts store lines, not re-serialized records) */
  keepLines?: boolean;
}

export interface LineReject {
  line: number;
  reason: RejectReason;
  detail: string;
  excerpt: string;
}

export interface ParseBatchCounts {
  lines: number;
  blankLines: number;
  /** lines of other subreddits in a monthly dump (raw-byte test, then the parsed top-level field) */
  otherSubreddit: number;
  /** comments whose parent is a comment: not answers, never parsed */
  replies: number;
  records: number;
  rejected: number;
}

/** The lines of a batch's records, in record order, each ending in `\n`: record i is [ends[i-1], ends[i]). */
export interface KeptLines {
  buf: Uint8Array;
  ends: Int32Array;
}

export interface ParseBatchResult<T = Submission | Comment> {
  records: T[];
  /** with keepLines */
  lines?: KeptLines;
  rejects: LineReject[];
  counts: ParseBatchCounts;
}

const EXCERPT_CHARS = 200;

/**
 * Turns one batch of whole NDJSON lines into normalized records. Pure and synchronous so that it runs
 * the same in a worker thread and in-process; every line is accounted for in `counts`.
 */
export function parseBatch(input: ParseBatchInput): ParseBatchResult {
  const counts: ParseBatchCounts = { lines: 0, blankLines: 0, otherSubreddit: 0, replies: 0, records: 0, rejected: 0 };
  const records: (Submission | Comment)[] = [];
  const rejects: LineReject[] = [];
  const normalize = input.kind === 'submission' ? normalizeSubmission : normalizeComment;
  const fields = fieldSets[input.kind];
  const wantedSubreddit = input.subreddit;

  const buf = Buffer.from(input.buf.buffer, input.buf.byteOffset, input.buf.byteLength);
  const prefilter = linePrefilter(buf, input);
  const batchIsUtf8 = isUtf8(buf);
  const spans: number[] | null = input.keepLines ? [] : null;

  const reject = (lineNo: number, reason: RejectReason, detail: string, start: number, end: number) => {
    counts.rejected++;
    rejects.push({ line: lineNo, reason, detail, excerpt: buf.toString('utf8', start, Math.min(end, start + EXCERPT_CHARS * 4)).slice(0, EXCERPT_CHARS) });
  };

  forEachLine(buf, input.firstLine, (start, end, lineNo) => {
    counts.lines++;
    if (isBlankLine(buf, start, end)) {
      counts.blankLines++;
      return;
    }
    const dropped = prefilter?.(start, end);
    if (dropped) {
      counts[dropped]++;
      return;
    }
    if (!batchIsUtf8 && !isUtf8(buf.subarray(start, end))) {
      reject(lineNo, 'invalid_utf8', 'the line is not valid UTF-8', start, end);
      return;
    }
    // The scanner answers null for anything it cannot vouch for; JSON.parse then decides and names the error.
    let raw: unknown = scanTopLevel(buf, start, end, fields);
    if (raw === null) {
      try {
        raw = JSON.parse(buf.toString('utf8', start, end));
      } catch (error) {
        reject(lineNo, 'invalid_json', (error as Error).message, start, end);
        return;
      }
    }
    const result = normalize(raw);
    if (!result.ok) {
      reject(lineNo, result.reason, result.detail ?? '', start, end);
      return;
    }
    const record = result.record;
    if (wantedSubreddit && record.subreddit.toLowerCase() !== wantedSubreddit) {
      counts.otherSubreddit++;
      return;
    }
    if (input.kind === 'comment' && input.topLevelOnly && !(record as Comment).parent_id.startsWith('t3_')) {
      counts.replies++;
      return;
    }
    counts.records++;
    records.push(record);
    spans?.push(start, end);
  });
  return spans ? { records, rejects, counts, lines: copyLines(buf, spans) } : { records, rejects, counts };
}

/** The given [start, end) line ranges of buf copied into one buffer, each followed by `\n`. */
function copyLines(buf: Buffer, spans: number[]): KeptLines {
  let bytes = 0;
  for (let i = 0; i < spans.length; i += 2) bytes += spans[i + 1]! - spans[i]! + 1;
  const out = Buffer.allocUnsafeSlow(bytes);
  const ends = new Int32Array(spans.length / 2);
  let at = 0;
  for (let i = 0; i < spans.length; i += 2) {
    at += buf.copy(out, at, spans[i]!, spans[i + 1]!);
    out[at++] = 0x0a;
    ends[i / 2] = at;
  }
  return { buf: out, ends };
}
