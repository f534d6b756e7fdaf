import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachLine } from '../src/io/lines.js';
import { linePrefilter, type PrefilterOptions } from '../src/ingest/line-prefilter.js';

/** The prefilter's verdict for every line of `lines`, asked in order as the parser asks. */
function verdicts(lines: string[], options: PrefilterOptions): (string | null)[] {
  const buf = Buffer.from(lines.join('\n'));
  const prefilter = linePrefilter(buf, options);
  assert.ok(prefilter, 'these options test something');
  const out: (string | null)[] = [];
  forEachLine(buf, 1, (start, end) => out.push(prefilter(start, end)));
  return out;
}

const monthly: PrefilterOptions = { kind: 'comment', subreddit: 'askhistorians', topLevelOnly: true };

test('the subreddit test matches the name exactly, ASCII case-insensitively, in compact and python-style lines', () => {
  const lines = [
    '{"id":"a","subreddit":"AskHistorians","parent_id":"t3_x"}',
    '{"id": "b", "subreddit": "ASKHISTORIANS", "parent_id": "t3_x"}',
    '{"id":"c","subreddit":"AskHistoriansMeta","parent_id":"t3_x"}',
    '{"id":"d","subreddit":"AskHistorian","parent_id":"t3_x"}',
    '{"id":"e","subreddit":"history","parent_id":"t3_x"}',
    '{"id":"f","subreddit":null,"parent_id":"t3_x"}',
    '{"id":"g","body":"\\"subreddit\\":\\"AskHistorians\\"","subreddit":"history"}',
  ];
  assert.deepEqual(verdicts(lines, monthly), [null, null, 'otherSubreddit', 'otherSubreddit', 'otherSubreddit', 'otherSubreddit', 'otherSubreddit']);
});

test('any subreddit key may pass a line (the parsed top-level field decides), but never one on another line', () => {
  const crosspost = '{"id":"x","subreddit":"history","crosspost_parent_list":[{"subreddit":"AskHistorians"}],"parent_id":"t3_x"}';
  const lines = [crosspost, '{"id":"y","subreddit":"history"}', '{"id":"z","subreddit":"AskHistorians"}', '{"id":"w","subreddit":', '{"id":"v"}'];
  assert.deepEqual(verdicts(lines, monthly), [null, 'otherSubreddit', null, 'otherSubreddit', 'otherSubreddit']);
});

test('replies are dropped by their parent_id in either spelling; top-level comments and odd parents are parsed', () => {
  const options: PrefilterOptions = { kind: 'comment', subreddit: null, topLevelOnly: true };
  const lines = [
    '{"id":"a","parent_id":"t1_abc"}',
    '{"id": "b", "parent_id": "t1_abc"}',
    '{"id":"c","parent_id":"t3_abc"}',
    '{"id":"d","parent_id":12345}',
    '{"id":"e"}',
    '{"id":"f","parent_id":"t1',
  ];
  assert.deepEqual(verdicts(lines, options), ['replies', 'replies', null, null, null, null]);
});

test('options that test nothing give no prefilter', () => {
  assert.equal(linePrefilter(Buffer.from('{}'), { kind: 'submission', subreddit: null, topLevelOnly: true }), null);
  assert.equal(linePrefilter(Buffer.from('{}'), { kind: 'comment', subreddit: null, topLevelOnly: false }), null);
});
