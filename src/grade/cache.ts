/**
 * The grade cache: every outcome the grader returns, kept across runs, so a rerun sends only what is not
 * graded yet and a killed run loses at most the requests that were in flight.
 *
 * Layout: `<dir>/seg-NNNNNN.ndjson`, append-only NDJSON, one record a line:
 *   {"key": ..., "ok": true, "label": "yes", "probabilities": {...}, "expected": 0.93, "reason": null, "at": ISO}
 *   {"key": ..., "ok": false, "label": null, "probabilities": null, "expected": null, "reason": "HTTP 400 ...", "at": ISO}
 * Each run appends to a segment of its own, so a line torn by a kill -9 can only be the last line of a
 * segment that nobody appends to again. Opening reads every segment in order; later lines win; a torn last
 * line is skipped and counted. Failures are kept as failures (for the report) and are never grades, so the
 * next run sends those posts again.
 */
import { closeSync, createReadStream, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { AtomicFile } from '../io/atomic.js';
import { lineBatches } from '../io/lines.js';
import type { GradeOutcome } from './types.js';

export interface CachedGrade {
  ok: true;
  label: string;
  probabilities: Record<string, number>;
  /** as the grader computed it; NaN when it stored none */
  expected: number;
  /** epoch ms */
  at: number;
}

export interface CachedFailure {
  ok: false;
  reason: string;
  at: number;
}

export type CacheEntry = CachedGrade | CachedFailure;

export interface GradeCacheStats {
  /** keys whose latest record is a grade */
  grades: number;
  /** keys whose latest record is a failure (sent again by the next run) */
  failures: number;
  segments: number;
  /** lines read on open */
  lines_read: number;
  /** unfinished last lines of a segment (a run killed mid-write), skipped */
  torn_lines: number;
  /** finished lines that are not a record (edited by hand, disk damage), skipped */
  bad_lines: number;
  /** records appended by this process */
  appended: number;
}

export interface GradeCacheOptions {
  /** fsync after this many appended records ... */
  fsyncEveryRecords?: number;
  /** ... or this long after the last fsync, whichever comes first */
  fsyncIntervalMs?: number;
  /** more segments than this on open are merged into one */
  maxSegments?: number;
  /**
   * Other caches to look grades up in, read once on open and never written or locked: a sharded grade
   * task appends to a cache of its own and still finds what the shared cache and the other tasks hold.
   */
  readAlso?: readonly string[];
  /**
   * The directory belongs to this caller alone (a sharded grade task's own cache): a lock left by another
   * host (an earlier attempt of the task, on another node) is taken over instead of refused.
   */
  ownedByTask?: boolean;
}

const SEGMENT = /^seg-(\d{6,})\.ndjson$/;
const KEY = /^[0-9a-f]{64}$/;
const NEWLINE = 0x0a;

export class GradeCache {
  private fd: number | null = null;
  private segmentsOnDisk: number[];
  private appended = 0;
  private sinceSync = 0;
  private lastSync = Date.now();
  private closed = false;

  private constructor(
    readonly dir: string,
    private readonly entries: Map<string, CacheEntry>,
    segments: number[],
    private readonly readStats: { lines_read: number; torn_lines: number; bad_lines: number },
    private readonly options: Required<Omit<GradeCacheOptions, 'readAlso' | 'ownedByTask'>>,
    private readonly shared: ReadonlyMap<string, CacheEntry> = new Map(),
  ) {
    this.segmentsOnDisk = segments;
  }

  /**
   * Reads every segment of `dir` (created if missing) and takes the directory's lock: two runs appending
   * to one cache would each compact away the other's segment.
   */
  static async open(dir: string, options: GradeCacheOptions = {}): Promise<GradeCache> {
    const settings: Required<Omit<GradeCacheOptions, 'readAlso' | 'ownedByTask'>> = {
      fsyncEveryRecords: options.fsyncEveryRecords ?? 512,
      fsyncIntervalMs: options.fsyncIntervalMs ?? 2000,
      maxSegments: options.maxSegments ?? 16,
    };
    mkdirSync(dir, { recursive: true });
    acquireLock(dir, options.ownedByTask ?? false);
    try {
      removeAbandonedTemps(dir);
      const segments = listSegments(dir);
      const entries = new Map<string, CacheEntry>();
      const readStats = { lines_read: 0, torn_lines: 0, bad_lines: 0 };
      for (const number of segments) await readSegment(join(dir, segmentName(number)), entries, readStats);
      const shared = new Map<string, CacheEntry>();
      for (const other of options.readAlso ?? []) await readCacheDir(other, shared, readStats);
      const cache = new GradeCache(dir, entries, segments, readStats, settings, shared);
      if (segments.length > settings.maxSegments || (readStats.lines_read > 10_000 && readStats.lines_read > 2 * entries.size)) {
        await cache.compact();
      }
      return cache;
    } catch (error) {
      releaseLock(dir);
      throw error;
    }
  }

  /** The stored grade of `key`; undefined when there is none or the latest record is a failure. */
  grade(key: string): CachedGrade | undefined {
    const entry = this.entries.get(key);
    if (entry?.ok) return entry;
    const shared = this.shared.get(key);
    return shared?.ok ? shared : undefined;
  }

  /**
   * Moves another cache's records into this one (a finished grade task's cache, at the merge) and removes
   * that directory. Its lock is taken first: a task still running keeps its cache.
   */
  async absorb(other: string): Promise<number> {
    // A finished task's cache: its lock, if any, is a leftover of a killed attempt, possibly on another host.
    acquireLock(other, true);
    let moved = 0;
    try {
      const incoming = new Map<string, CacheEntry>();
      await readCacheDir(other, incoming, { lines_read: 0, torn_lines: 0, bad_lines: 0 });
      for (const [key, entry] of incoming) {
        const mine = this.entries.get(key);
        // A grade is never replaced: it is what was paid for. Of two failures the later one is kept.
        if (mine?.ok) continue;
        if (mine && !entry.ok && mine.at >= entry.at) continue;
        writeWhole(this.segmentFd(), recordLine(key, entry));
        this.entries.set(key, entry);
        moved++;
      }
      if (this.fd !== null) this.sync();
    } catch (error) {
      releaseLock(other);
      throw error;
    }
    held.delete(join(other, 'LOCK'));
    rmSync(other, { recursive: true, force: true });
    return moved;
  }

  /** The latest failure of `key`, when its latest record is one. */
  failure(key: string): CachedFailure | undefined {
    const entry = this.entries.get(key);
    return entry && !entry.ok ? entry : undefined;
  }

  /**
   * Stores an outcome with one write() of one whole line, so a kill leaves either the line or a torn
   * tail that the next open skips. The write reaches the page cache at once (a killed process loses
   * nothing written); the periodic fsync bounds what a power loss can take.
   */
  append(key: string, outcome: GradeOutcome, at: number = Date.now()): void {
    if (this.closed) throw new Error(`grade cache ${this.dir}: append after close`);
    const entry: CacheEntry = outcome.ok
      ? { ok: true, label: outcome.label, probabilities: outcome.probabilities, expected: outcome.expected, at }
      : { ok: false, reason: outcome.reason, at };
    writeWhole(this.segmentFd(), recordLine(key, entry));
    this.entries.set(key, entry);
    this.appended++;
    this.sinceSync++;
    if (this.sinceSync >= this.options.fsyncEveryRecords || Date.now() - this.lastSync >= this.options.fsyncIntervalMs) this.sync();
  }

  stats(): GradeCacheStats {
    let grades = 0;
    for (const entry of this.entries.values()) if (entry.ok) grades++;
    return {
      grades,
      failures: this.entries.size - grades,
      segments: this.segmentsOnDisk.length,
      ...this.readStats,
      appended: this.appended,
    };
  }

  /** fsync, close the segment and release the lock. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      if (this.fd !== null) {
        fsyncSync(this.fd);
        closeSync(this.fd);
        this.fd = null;
      }
    } finally {
      releaseLock(this.dir);
    }
  }

  private sync(): void {
    if (this.fd !== null) fsyncSync(this.fd);
    this.sinceSync = 0;
    this.lastSync = Date.now();
  }

  /** This run's segment, created on the first append (a run that grades nothing leaves no file). */
  private segmentFd(): number {
    if (this.fd !== null) return this.fd;
    let number = (this.segmentsOnDisk.at(-1) ?? 0) + 1;
    for (;;) {
      try {
        // 'wx': never append to a segment another run may have torn.
        this.fd = openSync(join(this.dir, segmentName(number)), 'wx');
        this.segmentsOnDisk.push(number);
        return this.fd;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        number++;
      }
    }
  }

  /**
   * Rewrites the latest record of every key as one new segment, then removes the old ones. The new
   * segment sorts last, so a crash before the removals leaves duplicates whose later copy wins.
   */
  private async compact(): Promise<void> {
    const number = (this.segmentsOnDisk.at(-1) ?? 0) + 1;
    const file = await AtomicFile.open(join(this.dir, segmentName(number)));
    try {
      let batch: string[] = [];
      for (const [key, entry] of this.entries) {
        batch.push(recordLine(key, entry));
        if (batch.length >= 4096) {
          await file.write(batch.join(''));
          batch = [];
        }
      }
      await file.write(batch.join(''));
      await file.commit();
    } catch (error) {
      await file.abort();
      throw error;
    }
    for (const old of this.segmentsOnDisk) rmSync(join(this.dir, segmentName(old)), { force: true });
    this.segmentsOnDisk = [number];
  }
}

function segmentName(number: number): string {
  return `seg-${String(number).padStart(6, '0')}.ndjson`;
}

function listSegments(dir: string): number[] {
  return readdirSync(dir)
    .map((name) => SEGMENT.exec(name))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => Number(match[1]))
    .sort((a, b) => a - b);
}

/** A compaction killed before its rename leaves `.seg-*.tmp-*`; with the lock held, nobody is writing one. */
function removeAbandonedTemps(dir: string): void {
  for (const name of readdirSync(dir)) if (name.startsWith('.seg-') && name.includes('.tmp-')) rmSync(join(dir, name), { force: true });
}

/** Every segment of a cache directory, read without taking its lock; a missing directory holds nothing. */
async function readCacheDir(dir: string, entries: Map<string, CacheEntry>, stats: { lines_read: number; torn_lines: number; bad_lines: number }): Promise<void> {
  let segments: number[];
  try {
    segments = listSegments(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  for (const number of segments) await readSegment(join(dir, segmentName(number)), entries, stats);
}

function recordLine(key: string, entry: CacheEntry): string {
  const record = entry.ok
    ? { key, ok: true, label: entry.label, probabilities: entry.probabilities, expected: Number.isFinite(entry.expected) ? entry.expected : null, reason: null, at: new Date(entry.at).toISOString() }
    : { key, ok: false, label: null, probabilities: null, expected: null, reason: entry.reason, at: new Date(entry.at).toISOString() };
  return JSON.stringify(record) + '\n';
}

/** A short write is possible in principle (a full disk); the rest goes in the same call's loop. */
function writeWhole(fd: number, line: string): void {
  const bytes = Buffer.from(line, 'utf8');
  let offset = 0;
  while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
}

async function readSegment(path: string, entries: Map<string, CacheEntry>, stats: { lines_read: number; torn_lines: number; bad_lines: number }): Promise<void> {
  const take = (line: Buffer, finished: boolean): void => {
    if (line.length === 0) return;
    stats.lines_read++;
    const parsed = parseRecord(line.toString('utf8'));
    if (parsed) {
      // A record complete but for its newline is whole: the kill came between the JSON and the '\n'.
      entries.set(parsed.key, parsed.entry);
    } else if (finished) {
      stats.bad_lines++;
    } else {
      stats.torn_lines++;
    }
  };
  for await (const { buf } of lineBatches(createReadStream(path))) {
    let start = 0;
    for (let newline = buf.indexOf(NEWLINE, start); newline !== -1; newline = buf.indexOf(NEWLINE, start)) {
      take(buf.subarray(start, newline), true);
      start = newline + 1;
    }
    // lineBatches cuts batches at newlines, so only the segment's last batch can end without one.
    if (start < buf.length) take(buf.subarray(start), false);
  }
}

function parseRecord(text: string): { key: string; entry: CacheEntry } | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const record = value as Record<string, unknown>;
  if (typeof record.key !== 'string' || !KEY.test(record.key)) return null;
  const at = typeof record.at === 'string' ? Date.parse(record.at) : NaN;
  if (!Number.isFinite(at)) return null;
  if (record.ok === false) {
    return typeof record.reason === 'string' ? { key: record.key, entry: { ok: false, reason: record.reason, at } } : null;
  }
  if (record.ok !== true || typeof record.label !== 'string' || !isProbabilities(record.probabilities)) return null;
  const expected = typeof record.expected === 'number' ? record.expected : NaN;
  return { key: record.key, entry: { ok: true, label: record.label, probabilities: record.probabilities, expected, at } };
}

function isProbabilities(value: unknown): value is Record<string, number> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.values(value).every((p) => typeof p === 'number' && Number.isFinite(p));
}

// ---------------------------------------------------------------------------------------------------
// The lock: a LOCK file holding the owner's pid and host. A lock whose process is gone (kill -9) is taken
// over; so is one naming this very pid on this host that this process does not hold (a container restarted
// as pid 1 again). Another host's lock cannot be checked: it is refused unless the caller says the
// directory is its own (a grade task's cache: the scheduler runs one attempt of a task at a time).

const held = new Set<string>();
// A process ended by process.exit (the CLI turns SIGTERM and SIGINT into one) leaves no lock behind.
process.on('exit', () => {
  for (const path of held) rmSync(path, { force: true });
});

function acquireLock(dir: string, takeOverForeign = false): void {
  const path = join(dir, 'LOCK');
  const me = `${process.pid} ${hostname()}`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(path, `${me}\n`, { flag: 'wx' });
      held.add(path);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      continue; // removed meanwhile: try again
    }
    const [pidText, host = hostname()] = text.trim().split(/\s+/);
    const holder = Number.parseInt(pidText ?? '', 10);
    const sameHost = host === hostname();
    const alive = sameHost
      ? Number.isInteger(holder) && holder > 0 && (holder === process.pid ? held.has(path) : processIsAlive(holder))
      : !takeOverForeign;
    if (alive) {
      throw new Error(
        `grade cache ${dir} is in use by process ${holder}${sameHost ? '' : ` on ${host}`}${holder === process.pid && sameHost ? ' (this one)' : ''}; ` +
          `wait for it, or delete ${path} if no grade run is going on`,
      );
    }
    rmSync(path, { force: true });
  }
  throw new Error(`grade cache ${dir}: could not take the lock ${path}`);
}

function releaseLock(dir: string): void {
  const path = join(dir, 'LOCK');
  if (!held.delete(path)) return;
  rmSync(path, { force: true });
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
