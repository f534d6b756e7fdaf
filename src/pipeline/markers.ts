/**
 * Completion markers: a small JSON file written (atomically) after a unit of work's output is in place.
 * A unit is done exactly when its marker exists and carries the fingerprint the current run computes, so
 * a killed task, re-submitted, redoes only units without a matching marker, and a merge step can tell
 * when all parts are in.
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../io/atomic.js';
import type { FingerprintParts } from './fingerprint.js';

export interface Marker<T = unknown> {
  fingerprint: string;
  parts: FingerprintParts;
  finished_at: string;
  seconds: number;
  /** who wrote it: "task 2/8 on host (pid 123)" */
  by: string;
  result: T;
}

export async function readMarker<T>(path: string): Promise<Marker<T> | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const marker = JSON.parse(text) as Marker<T>;
    return typeof marker.fingerprint === 'string' ? marker : null;
  } catch {
    // Markers are written by rename, so this is a hand edit or disk damage: treat the unit as not done.
    return null;
  }
}

export async function writeMarker<T>(path: string, marker: Marker<T>): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(marker, null, 1) + '\n');
}
