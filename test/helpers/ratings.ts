import { createHash } from 'node:crypto';

/**
 * A fake server answer: a 1-5 rating distribution that depends only on the question text, so every run
 * (and every task of a sharded run) grades a post the same.
 */
export function ratingFor(body: Record<string, unknown>) {
  const messages = body.messages as { content: string }[];
  const digest = createHash('sha256').update(messages.at(-1)!.content).digest();
  const top = 1 + (digest[0]! % 5);
  const topLogprobs = ['1', '2', '3', '4', '5'].map((token) => ({ token, logprob: Math.log(token === String(top) ? 0.8 : 0.05) }));
  return { text: String(top), topLogprobs, usage: { prompt_tokens: 300, completion_tokens: 1 } };
}
