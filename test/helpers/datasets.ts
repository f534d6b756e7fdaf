import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readWithDuckDB, type PlainRow } from './parquet-readers.js';

/** Every Parquet file of a dataset directory, by relative path, as rows. */
export async function datasetRows(out: string): Promise<Map<string, PlainRow[]>> {
  const rows = new Map<string, PlainRow[]>();
  for (const config of ['sft', 'preference']) {
    for (const file of readdirSync(join(out, config)).sort()) rows.set(`${config}/${file}`, (await readWithDuckDB(join(out, config, file)))!);
  }
  return rows;
}
