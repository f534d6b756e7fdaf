/**
 * Stage fingerprints: a hash of everything a stage's output depends on, kept next to the output with the
 * parts it was made from, so a later run can skip a stage whose inputs are unchanged and say why it is
 * stale when they are not.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { canonicalJson } from './config.js';
import { packageRoot } from '../io/package-root.js';

/** What a fingerprint was computed from: named parts, each any JSON value. */
export type FingerprintParts = Record<string, unknown>;

export function fingerprintOf(parts: FingerprintParts): string {
  return createHash('sha256').update(canonicalJson(parts)).digest('hex');
}

const versionCache = new Map<string, string>();

/**
 * The code a stage runs: the package version and a hash of the compiled modules of the given source
 * folders (src/ingest, src/io ...). A code change re-runs the stages it touches; a release bump all.
 */
export function codeVersion(folders: readonly string[]): string {
  const key = folders.join(',');
  const known = versionCache.get(key);
  if (known) return known;
  const hash = createHash('sha256');
  const srcRoot = dirname(dirname(fileURLToPath(import.meta.url)));
  for (const folder of [...folders].sort()) {
    for (const file of listModules(join(srcRoot, folder))) {
      hash.update(file.slice(srcRoot.length)).update('\0').update(readFileSync(file)).update('\0');
    }
  }
  const version = `${packageVersion()}+${hash.digest('hex').slice(0, 16)}`;
  versionCache.set(key, version);
  return version;
}

function listModules(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...listModules(path));
    else if (/\.(js|ts)$/.test(entry.name) && !entry.name.endsWith('.d.ts') && !entry.name.endsWith('.map')) files.push(path);
  }
  return files;
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * Why a stage is stale, in words: each part that differs, with the config values that changed
 * ("filters.min_score: 4 -> 5") where the part is a config section. At most `limit` lines.
 */
export function describeChanges(before: FingerprintParts, after: FingerprintParts, labels: Record<string, string> = {}, limit = 4): string[] {
  const reasons: string[] = [];
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const a = before[key];
    const b = after[key];
    if (canonicalJson(a) === canonicalJson(b)) continue;
    const label = labels[key];
    if (label) {
      reasons.push(label);
    } else {
      const leaves = changedLeaves(a, b, key);
      reasons.push(...(leaves.length > 0 ? leaves : [`${key} changed`]));
    }
  }
  return reasons.length > limit ? [...reasons.slice(0, limit), `and ${reasons.length - limit} more changes`] : reasons;
}

function changedLeaves(a: unknown, b: unknown, path: string): string[] {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObject(a) && isObject(b)) {
    const out: string[] = [];
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (canonicalJson(a[key]) !== canonicalJson(b[key])) out.push(...changedLeaves(a[key], b[key], `${path}.${key}`));
    }
    return out;
  }
  return [`${path}: ${short(a)} -> ${short(b)}`];
}

function short(value: unknown): string {
  const text = value === undefined ? '(unset)' : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
