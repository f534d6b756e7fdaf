import type { PlainRow } from './parquet-readers.js';

/**
 * The first difference between two values as a path (Object.is on leaves: NaN, -0 and bigint vs number
 * all count), without printing megabyte strings; null when equal. With keyOrder, objects must also list
 * their keys in the same order (rows and structs keep the column order) and share a prototype.
 */
export function firstDifference(actual: unknown, expected: unknown, path = '$', keyOrder = true): string | null {
  if (Object.is(actual, expected)) return null;
  if (typeof actual === 'bigint' && typeof expected === 'bigint') return actual === expected ? null : `${path}: ${actual}n vs ${expected}n`;
  if (typeof actual === 'string' && typeof expected === 'string') {
    let at = 0;
    while (at < actual.length && actual[at] === expected[at]) at++;
    return `${path}: strings differ at index ${at} (lengths ${actual.length} vs ${expected.length}): ` +
      `${JSON.stringify(actual.slice(at, at + 20))} vs ${JSON.stringify(expected.slice(at, at + 20))}`;
  }
  if (Array.isArray(actual) && Array.isArray(expected)) {
    if (actual.length !== expected.length) return `${path}: length ${actual.length} vs ${expected.length}`;
    for (let i = 0; i < actual.length; i++) {
      const diff = firstDifference(actual[i], expected[i], `${path}[${i}]`, keyOrder);
      if (diff) return diff;
    }
    return null;
  }
  const isObject = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObject(actual) && isObject(expected)) {
    const keysA = Object.keys(actual as object);
    const keysE = Object.keys(expected as object);
    if (!keyOrder) {
      keysA.sort();
      keysE.sort();
    }
    if (keysA.join() !== keysE.join()) return `${path}: keys ${keysA.join()} vs ${keysE.join()}`;
    if (keyOrder && Object.getPrototypeOf(actual) !== Object.getPrototypeOf(expected)) return `${path}: prototypes differ`;
    for (const key of keysE) {
      const diff = firstDifference((actual as PlainRow)[key], (expected as PlainRow)[key], `${path}.${key}`, keyOrder);
      if (diff) return diff;
    }
    return null;
  }
  return `${path}: ${String(actual)} (${typeof actual}) vs ${String(expected)} (${typeof expected})`;
}

