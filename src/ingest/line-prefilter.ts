/**
 * Raw-byte tests that drop lines before anything is parsed: replies (comments whose parent is a comment)
 * and, in monthly all-Reddit dumps, lines of other subreddits. A line that passes is still checked on its
 * parsed top-level fields (a crosspost's nested `subreddit` never selects it); these tests only ever drop
 * what the parsed check would drop too.
 */

export interface PrefilterOptions {
  kind: 'submission' | 'comment';
  /** lower-case subreddit name to keep, or null to keep every line (per-subreddit dumps) */
  subreddit: string | null;
  /** drop replies before parsing them */
  topLevelOnly: boolean;
}

/** Reasons a line is dropped, as counted in the ingest report. */
export type DropReason = 'otherSubreddit' | 'replies';

/**
 * Finds the next occurrence of a byte pattern at or after a line start. Lines are visited in order,
 * so each cursor only moves forward: one native indexOf per hit, not one per line.
 */
class ForwardSearch {
  private next = -2;
  constructor(
    private readonly buf: Buffer,
    private readonly pattern: Buffer,
  ) {}
  /** Offset of the pattern inside [start, end), or -1. */
  findIn(start: number, end: number): number {
    if (this.next !== -1 && this.next < start) this.next = this.buf.indexOf(this.pattern, start);
    return this.next !== -1 && this.next < end ? this.next : -1;
  }
}

const PARENT_KEY = Buffer.from('"parent_id":');
const QUOTE = 0x22;
const SPACE = 0x20;
const SUBREDDIT_KEY = Buffer.from('"subreddit":');

/**
 * Does a `"subreddit":` key in the line name the wanted subreddit (ASCII case-insensitive)? Any key
 * counts here, nested ones included; the parsed top-level field decides later. One native search for the
 * key, then a byte comparison: no latin1 copy of the batch, no regex.
 */
class SubredditTest {
  private readonly search: ForwardSearch;
  private readonly wanted: Buffer;

  constructor(
    private readonly buf: Buffer,
    subreddit: string,
  ) {
    this.search = new ForwardSearch(buf, SUBREDDIT_KEY);
    this.wanted = Buffer.from(subreddit.toLowerCase(), 'utf8');
  }

  inLine(start: number, end: number): boolean {
    for (let at = this.search.findIn(start, end); at !== -1; at = this.search.findIn(at + 1, end)) {
      if (this.namesWanted(at + SUBREDDIT_KEY.length, end)) return true;
    }
    return false;
  }

  private namesWanted(from: number, end: number): boolean {
    const { buf, wanted } = this;
    let i = from;
    while (i < end && buf[i] === SPACE) i++;
    if (buf[i] !== QUOTE || i + wanted.length + 2 > end) return false;
    i++;
    for (let k = 0; k < wanted.length; k++, i++) {
      const c = buf[i]!;
      // ASCII letters fold to lower case; any other byte must match exactly.
      if ((c >= 0x41 && c <= 0x5a ? c + 0x20 : c) !== wanted[k]) return false;
    }
    return buf[i] === QUOTE;
  }
}


/**
 * A reply names a comment as its parent: `"parent_id":"t1_` in compact lines, `"parent_id": "t1_` in
 * python-style ones. One search for the key, then a look at the bytes after it, costs half of searching
 * for both spellings.
 */
function isReply(buf: Buffer, keyAt: number, end: number): boolean {
  let i = keyAt + PARENT_KEY.length;
  while (i < end && buf[i] === SPACE) i++;
  return i + 4 <= end && buf[i] === QUOTE && buf[i + 1] === 0x74 /* t */ && buf[i + 2] === 0x31 /* 1 */ && buf[i + 3] === 0x5f /* _ */;
}

/** Why a line is dropped unparsed, or null to parse it. */
export type LinePrefilter = (start: number, end: number) => DropReason | null;

/**
 * The raw-byte tests for one batch, or null when these options test nothing. Lines must be asked about in
 * order: the searches only move forward through the batch.
 */
export function linePrefilter(buf: Buffer, options: PrefilterOptions): LinePrefilter | null {
  const subredditTest = options.subreddit ? new SubredditTest(buf, options.subreddit) : null;
  const parentSearch = options.kind === 'comment' && options.topLevelOnly ? new ForwardSearch(buf, PARENT_KEY) : null;
  if (!subredditTest && !parentSearch) return null;
  return (start, end) => {
    if (subredditTest && !subredditTest.inLine(start, end)) return 'otherSubreddit';
    const parentAt = parentSearch ? parentSearch.findIn(start, end) : -1;
    return parentAt !== -1 && isReply(buf, parentAt, end) ? 'replies' : null;
  };
}
