/**
 * Writes plain-object rows as Parquet parts (`<prefix>-00000.parquet`, ...) from a small column spec, so
 * threads, SFT and preference tables share one writer.
 *
 * Rows go into Arrow builders as they arrive (compact UTF-8, not retained JS objects) and leave in batches
 * of a few MiB for the encoder thread (parquet-encoder.ts), which streams them through parquet-wasm into a
 * temp file that is renamed into place when the part is complete. Memory is bounded by two batches plus
 * the row group parquet-rs is encoding, not by the part, so even a single-file output of any size stays
 * small.
 */
import type { Builder, Data, DataType, Field, List, Schema, Struct, TimestampSecond } from 'apache-arrow';
import arrow from './arrow.js';
import { rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { EncodedPart, writeWholeParquet, type EncodingSpec } from './parquet-encoder.js';

// ---------------------------------------------------------------------------------------------------
// Column spec

export type ScalarColumnType = 'string' | 'int64' | 'int32' | 'float64' | 'bool' | 'timestamp_s';
/** A list of non-null structs, e.g. a thread's answers or a conversation's messages. */
export interface ListOfStructType {
  list: readonly ColumnSpec[];
}
export type ColumnType = ScalarColumnType | ListOfStructType;

export interface ColumnSpec {
  name: string;
  type: ColumnType;
  nullable: boolean;
  /**
   * Free-form text (post bodies): no min/max statistics, which cost time and footer space and never help.
   * Top-level string columns without it get dictionary pages; no other column does (parquet-wasm cannot
   * address nested column paths, so nested strings are always plain, then ZSTD).
   */
  longText?: boolean;
}

type ScalarTypeFor<V> = [V] extends [string]
  ? 'string'
  : [V] extends [number]
    ? 'int64' | 'int32' | 'float64' | 'timestamp_s'
    : [V] extends [bigint]
      ? 'int64'
      : [V] extends [boolean]
        ? 'bool'
        : never;
type ColumnTypeFor<V> = [V] extends [readonly (infer E)[]] ? { list: ColumnsFor<E> } : ScalarTypeFor<V>;
export interface ColumnFor<V> {
  type: ColumnTypeFor<NonNullable<V>>;
  nullable: null extends V ? true : undefined extends V ? true : false;
  longText?: boolean;
}
/** One entry per property of T, in column order; the compiler checks each type and nullability against T. */
export type ColumnsFor<T> = { [K in keyof T & string]-?: ColumnFor<T[K]> };

interface UntypedColumn {
  type: ScalarColumnType | { list: Record<string, UntypedColumn> };
  nullable: boolean;
  longText?: boolean;
}

/** Turns the compiler-checked object form into the ordered column list the writer and the JSON schemas use. */
export function defineColumns<T>(columns: ColumnsFor<T>): ColumnSpec[] {
  return fromObjectForm(columns as unknown as Record<string, UntypedColumn>);
}

function fromObjectForm(columns: Record<string, UntypedColumn>): ColumnSpec[] {
  return Object.entries(columns).map(([name, column]) => ({
    name,
    type: typeof column.type === 'string' ? column.type : { list: fromObjectForm(column.type.list) },
    nullable: column.nullable,
    ...(column.longText ? { longText: true } : {}),
  }));
}

export function arrowSchemaOf(columns: readonly ColumnSpec[]): Schema {
  return new arrow.Schema(columns.map(fieldOf));
}

function fieldOf(column: ColumnSpec): Field {
  return new arrow.Field(column.name, arrowTypeOf(column.type), column.nullable);
}

function arrowTypeOf(type: ColumnType): DataType {
  if (typeof type !== 'string') return new arrow.List(new arrow.Field('element', new arrow.Struct(type.list.map(fieldOf)), false));
  return scalarKinds[type].arrowType();
}

// ---------------------------------------------------------------------------------------------------
// Rows -> Arrow

/** A row that does not fit the column spec; the writer is still usable (the row was not added). */
export class ParquetRowError extends Error {
  override name = 'ParquetRowError';
}

/** Thrown by the encoders on the error path only; each level prepends its part of the column path. */
class ColumnValueError extends Error {
  constructor(
    readonly path: string[],
    readonly problem: string,
  ) {
    super(problem);
  }
}

interface ScalarKind {
  arrowType(): DataType;
  expected: string;
  /** estimated uncompressed bytes, or -1 when the value does not belong in the column */
  size(value: unknown): number;
  toArrow(value: unknown): unknown;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
// arrow-js's TimestampSecond setter takes milliseconds; keep seconds*1000 exactly representable.
const MAX_TIMESTAMP_S = Math.floor(Number.MAX_SAFE_INTEGER / 1000);

const scalarKinds: Record<ScalarColumnType, ScalarKind> = {
  string: {
    arrowType: () => new arrow.Utf8(),
    expected: 'a string',
    // Lone surrogates are written as U+FFFD by the UTF-8 encoder; the normalizer should not produce them.
    size: (v) => (typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : -1),
    toArrow: (v) => v,
  },
  int64: {
    arrowType: () => new arrow.Int64(),
    expected: 'a safe integer or an int64 bigint',
    size: (v) => (Number.isSafeInteger(v) || (typeof v === 'bigint' && v >= INT64_MIN && v <= INT64_MAX) ? 8 : -1),
    toArrow: (v) => BigInt(v as number | bigint),
  },
  int32: {
    arrowType: () => new arrow.Int32(),
    expected: 'a 32-bit integer',
    size: (v) => (Number.isInteger(v) && (v as number) >= INT32_MIN && (v as number) <= INT32_MAX ? 4 : -1),
    toArrow: (v) => v,
  },
  float64: {
    arrowType: () => new arrow.Float64(),
    expected: 'a number',
    size: (v) => (typeof v === 'number' ? 8 : -1),
    toArrow: (v) => v,
  },
  bool: {
    arrowType: () => new arrow.Bool(),
    expected: 'a boolean',
    size: (v) => (typeof v === 'boolean' ? 1 : -1),
    toArrow: (v) => v,
  },
  timestamp_s: {
    arrowType: () => new arrow.TimestampSecond(),
    expected: 'integer epoch seconds',
    size: (v) => (Number.isSafeInteger(v) && Math.abs(v as number) <= MAX_TIMESTAMP_S ? 8 : -1),
    toArrow: (v) => (v as number) * 1000,
  },
};

interface ColumnEncoder {
  /** Checks a value without touching any builder; returns its estimated uncompressed size. */
  measure(value: unknown): number;
  /** Only called with values measure() accepted. */
  append(value: unknown): void;
  /** Everything appended since the last flush, as one Arrow Data; the encoder starts empty again. */
  flush(): Data;
}

function encoderFor(column: ColumnSpec): ColumnEncoder {
  if (typeof column.type !== 'string') return new ListOfStructEncoder(column.type.list, column.nullable);
  if (column.type === 'string') return new Utf8Encoder(column.nullable);
  return new ScalarEncoder(scalarKinds[column.type], column.nullable);
}

/**
 * Strings straight into one UTF-8 buffer with Buffer#write. Arrow's Utf8Builder encodes each value with
 * TextEncoder into a fresh array: on answer bodies that was over half the write time, mostly GC.
 */
class Utf8Encoder implements ColumnEncoder {
  private data = Buffer.allocUnsafeSlow(1 << 16);
  private used = 0;
  private offsets: Int32Array = new Int32Array(1024);
  private validity: Uint8Array = new Uint8Array(128);
  private length = 0;
  private nullCount = 0;

  constructor(private readonly nullable: boolean) {}

  measure(value: unknown): number {
    if (value === null || value === undefined) {
      if (!this.nullable) throw new ColumnValueError([], 'null in a non-nullable column');
      return 1;
    }
    if (typeof value !== 'string') throw new ColumnValueError([], `expected a string, got ${describe(value)}`);
    return Buffer.byteLength(value, 'utf8');
  }

  append(value: unknown): void {
    if (this.length + 2 > this.offsets.length) this.offsets = growInt32(this.offsets, this.length + 2);
    if (this.length + 1 > this.validity.length * 8) this.validity = growBytes(this.validity, (this.length >> 3) + 1);
    if (value === null || value === undefined) {
      this.nullCount++;
    } else {
      const text = value as string;
      const worstCase = this.used + text.length * 3;
      if (worstCase > this.data.length) {
        const bigger = Buffer.allocUnsafeSlow(Math.max(worstCase, this.data.length * 2));
        this.data.copy(bigger, 0, 0, this.used);
        this.data = bigger;
      }
      this.used += this.data.write(text, this.used, 'utf8');
      this.validity[this.length >> 3]! |= 1 << (this.length & 7);
    }
    this.length++;
    this.offsets[this.length] = this.used;
  }

  flush(): Data {
    const data = arrow.makeData({
      type: new arrow.Utf8(),
      length: this.length,
      nullCount: this.nullCount,
      nullBitmap: this.nullCount > 0 ? this.validity.slice(0, (this.length + 7) >> 3) : undefined,
      valueOffsets: this.offsets.slice(0, this.length + 1),
      data: new Uint8Array(this.data.buffer, this.data.byteOffset, this.used),
    });
    // The Data keeps a view of the bytes: start a new buffer rather than overwrite them.
    this.data = Buffer.allocUnsafeSlow(Math.max(1 << 16, this.used));
    this.used = 0;
    this.offsets = new Int32Array(this.offsets.length);
    this.validity = new Uint8Array(this.validity.length);
    this.length = 0;
    this.nullCount = 0;
    return data;
  }
}

function growInt32(array: Int32Array, minLength: number): Int32Array {
  const bigger = new Int32Array(Math.max(minLength, array.length * 2));
  bigger.set(array);
  return bigger;
}

function growBytes(array: Uint8Array, minLength: number): Uint8Array {
  const bigger = new Uint8Array(Math.max(minLength, array.length * 2));
  bigger.set(array);
  return bigger;
}

class ScalarEncoder implements ColumnEncoder {
  private readonly builder: Builder;

  constructor(
    private readonly kind: ScalarKind,
    private readonly nullable: boolean,
  ) {
    this.builder = arrow.makeBuilder({ type: kind.arrowType(), nullValues: [null, undefined] });
  }

  measure(value: unknown): number {
    if (value === null || value === undefined) {
      if (!this.nullable) throw new ColumnValueError([], 'null in a non-nullable column');
      return 1;
    }
    const size = this.kind.size(value);
    if (size < 0) throw new ColumnValueError([], `expected ${this.kind.expected}, got ${describe(value)}`);
    return size;
  }

  append(value: unknown): void {
    this.builder.append(value === null || value === undefined ? null : this.kind.toArrow(value));
  }

  flush(): Data {
    return this.builder.flush();
  }
}

class StructEncoder {
  readonly type: Struct;
  private readonly fields: { name: string; encoder: ColumnEncoder }[];
  private length = 0;

  constructor(columns: readonly ColumnSpec[]) {
    this.type = new arrow.Struct(columns.map(fieldOf));
    this.fields = columns.map((column) => ({ name: column.name, encoder: encoderFor(column) }));
  }

  measure(value: unknown): number {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new ColumnValueError([], `expected an object, got ${describe(value)}`);
    }
    const record = value as Record<string, unknown>;
    let size = 0;
    for (const field of this.fields) {
      try {
        size += field.encoder.measure(record[field.name]);
      } catch (error) {
        if (error instanceof ColumnValueError) error.path.unshift(field.name);
        throw error;
      }
    }
    return size;
  }

  append(value: unknown): void {
    const record = value as Record<string, unknown>;
    for (const field of this.fields) field.encoder.append(record[field.name]);
    this.length++;
  }

  flush(): Data<Struct> {
    const children = this.fields.map((field) => field.encoder.flush());
    const data = arrow.makeData({ type: this.type, length: this.length, nullCount: 0, children });
    this.length = 0;
    return data;
  }
}

class ListOfStructEncoder implements ColumnEncoder {
  private readonly type: List<Struct>;
  private readonly element: StructEncoder;
  private offsets: number[] = [0];
  private validity: boolean[] = [];
  private nullCount = 0;

  constructor(
    fields: readonly ColumnSpec[],
    private readonly nullable: boolean,
  ) {
    this.element = new StructEncoder(fields);
    this.type = new arrow.List(new arrow.Field('element', this.element.type, false));
  }

  measure(value: unknown): number {
    if (value === null || value === undefined) {
      if (!this.nullable) throw new ColumnValueError([], 'null in a non-nullable column');
      return 4;
    }
    if (!Array.isArray(value)) throw new ColumnValueError([], `expected an array, got ${describe(value)}`);
    let size = 4;
    for (let i = 0; i < value.length; i++) {
      try {
        size += this.element.measure(value[i]);
      } catch (error) {
        if (error instanceof ColumnValueError) error.path.unshift(`[${i}]`);
        throw error;
      }
    }
    return size;
  }

  append(value: unknown): void {
    let end = this.offsets[this.offsets.length - 1]!;
    if (value === null || value === undefined) {
      this.nullCount++;
      this.validity.push(false);
    } else {
      for (const element of value as unknown[]) this.element.append(element);
      end += (value as unknown[]).length;
      this.validity.push(true);
    }
    this.offsets.push(end);
  }

  flush(): Data {
    const length = this.validity.length;
    let nullBitmap: Uint8Array | undefined;
    if (this.nullCount > 0) {
      nullBitmap = new Uint8Array((length + 7) >> 3);
      this.validity.forEach((valid, i) => {
        if (valid) nullBitmap![i >> 3]! |= 1 << (i & 7);
      });
    }
    const data = arrow.makeData({
      type: this.type,
      length,
      nullCount: this.nullCount,
      nullBitmap,
      valueOffsets: Int32Array.from(this.offsets),
      child: this.element.flush(),
    });
    this.offsets = [0];
    this.validity = [];
    this.nullCount = 0;
    return data;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `a string (${JSON.stringify(value.slice(0, 40))})`;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  return typeof value;
}

// ---------------------------------------------------------------------------------------------------
// Streaming one part through parquet-wasm

export interface ParquetLayout {
  /** rows per row group (parquet-rs cuts a group at whichever limit comes first) */
  rowGroupRows: number;
  /** encoded (roughly compressed) bytes per row group, as parquet-rs estimates them while writing */
  rowGroupBytes: number;
}

function encodingSpec(columns: readonly ColumnSpec[], layout: ParquetLayout): EncodingSpec {
  return {
    ...layout,
    // parquet-wasm cannot address nested column paths, so only top-level columns can be named.
    dictionaryColumns: columns.filter((column) => column.type === 'string' && !column.longText).map((column) => column.name),
    plainTextColumns: columns.filter((column) => column.type === 'string' && column.longText).map((column) => column.name),
  };
}

// ---------------------------------------------------------------------------------------------------
// The writer

export interface ParquetPartWriterOptions {
  dir: string;
  columns: readonly ColumnSpec[];
  /** parts are `<prefix>-00000.parquet`, `<prefix>-00001.parquet`, ...; default "part" */
  prefix?: string;
  /** write one file with this name instead of numbered parts (no part limits; memory stays bounded) */
  fileName?: string;
  /** default: no row limit (the byte limit decides) */
  maxRowsPerPart?: number;
  /** estimated uncompressed bytes (UTF-8 text + 8 per number) per part; default 128 MiB */
  maxBytesPerPart?: number;
  /**
   * Final part names, known only once the part count is (Hugging Face: `train-00000-of-00003.parquet`,
   * see huggingFaceShardName). Parts are written under hidden interim names and renamed by close().
   */
  finalName?: (index: number, count: number) => string;
  rowGroupRows?: number;
  rowGroupBytes?: number;
}

export interface ParquetWriteResult {
  /** full paths, in part order */
  files: string[];
  rows: number;
  /** bytes on disk */
  bytes: number;
}

export const DEFAULT_MAX_BYTES_PER_PART = 128 * 1024 * 1024;
// ~10k threads of a few KiB: row groups of tens of MiB, small enough for the Hugging Face viewer and
// enough of them per part for DuckDB to read in parallel.
export const DEFAULT_ROW_GROUP_ROWS = 10_000;
export const DEFAULT_ROW_GROUP_BYTES = 32 * 1024 * 1024;
// Rows leave the Arrow builders in batches this size: large enough to amortize the IPC hop into wasm,
// small enough that the batch is a rounding error next to the row group being encoded.
const BATCH_ROWS = 4096;
const BATCH_BYTES = 8 * 1024 * 1024;

/** `train-00000-of-00003.parquet`, the shard naming the Hugging Face Hub recognizes as a split. */
export function huggingFaceShardName(split: string): (index: number, count: number) => string {
  return (index, count) => `${split}-${pad5(index)}-of-${pad5(count)}.parquet`;
}

function pad5(n: number): string {
  return String(n).padStart(5, '0');
}

export class ParquetPartWriter<T extends object> {
  private readonly rows: StructEncoder;
  private readonly schema: Schema;
  private readonly layout: ParquetLayout;
  private readonly maxRowsPerPart: number;
  private readonly maxBytesPerPart: number;
  private readonly written: { path: string; bytes: number }[] = [];
  private part: EncodedPart | null = null;
  private partRows = 0;
  private partBytes = 0;
  private batchRows = 0;
  private batchBytes = 0;
  private totalRows = 0;
  private state: 'open' | 'busy' | 'closed' | 'failed' = 'open';

  constructor(private readonly options: ParquetPartWriterOptions) {
    if (options.fileName !== undefined && (options.finalName || options.maxRowsPerPart || options.maxBytesPerPart || options.prefix)) {
      throw new Error('fileName writes a single file: it cannot be combined with prefix, part limits or finalName');
    }
    this.rows = new StructEncoder(options.columns);
    this.schema = arrowSchemaOf(options.columns);
    this.layout = {
      rowGroupRows: options.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS,
      rowGroupBytes: options.rowGroupBytes ?? DEFAULT_ROW_GROUP_BYTES,
    };
    const single = options.fileName !== undefined;
    this.maxRowsPerPart = single ? Infinity : (options.maxRowsPerPart ?? Infinity);
    this.maxBytesPerPart = single ? Infinity : (options.maxBytesPerPart ?? DEFAULT_MAX_BYTES_PER_PART);
    if (!(this.maxRowsPerPart >= 1) || !(this.maxBytesPerPart >= 1)) throw new Error('part limits must be at least 1');
  }

  /**
   * Throws ParquetRowError, and keeps the writer usable, when the row does not fit the columns. Any
   * other failure (disk, encoder) aborts the writer: its temp and finished parts are removed.
   * Await each call before the next.
   */
  async add(row: T): Promise<void> {
    this.enter();
    try {
      let size: number;
      try {
        size = this.rows.measure(row);
      } catch (error) {
        if (!(error instanceof ColumnValueError)) throw error;
        const column = error.path.join('.').replace(/\.\[/g, '[');
        throw new ParquetRowError(`row ${this.totalRows}: ${column ? `column ${column}: ` : ''}${error.problem}`);
      }
      await this.failing(async () => {
        // A part closes before the row that would overflow it, so only a single oversized row exceeds the limit.
        if (this.partRows > 0 && this.partBytes + size > this.maxBytesPerPart) await this.finishPart();
        this.rows.append(row);
        this.batchRows++;
        this.batchBytes += size;
        this.partRows++;
        this.partBytes += size;
        this.totalRows++;
        if (this.partRows >= this.maxRowsPerPart) await this.finishPart();
        else if (this.batchRows >= BATCH_ROWS || this.batchBytes >= BATCH_BYTES) await this.flushBatch();
      });
    } finally {
      this.leave();
    }
  }

  /** Writes what is buffered, names the parts, and returns them. With no rows, writes one empty part (readers still see the schema). */
  async close(): Promise<ParquetWriteResult> {
    this.enter();
    try {
      return await this.failing(async () => {
        if (this.partRows > 0) await this.finishPart();
        if (this.written.length === 0) await this.writeEmptyPart();
        const files = await this.applyFinalNames();
        this.state = 'closed';
        return { files, rows: this.totalRows, bytes: this.written.reduce((sum, part) => sum + part.bytes, 0) };
      });
    } finally {
      this.leave();
    }
  }

  /** Removes everything this writer wrote, finished parts included: a partial set of parts is not an output. */
  async abort(reason: unknown = new Error('aborted')): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'failed';
    const part = this.part;
    this.part = null;
    await part?.abort(reason);
    for (const { path } of this.written.splice(0)) await unlink(path).catch(() => {});
  }

  private enter(): void {
    if (this.state === 'busy') throw new Error('ParquetPartWriter: await each add()/close() before the next call');
    if (this.state !== 'open') throw new Error(`ParquetPartWriter: writer is ${this.state}`);
    this.state = 'busy';
  }

  private leave(): void {
    if (this.state === 'busy') this.state = 'open';
  }

  private async failing<R>(work: () => Promise<R>): Promise<R> {
    try {
      return await work();
    } catch (error) {
      await this.abort(error);
      throw error;
    }
  }

  private async flushBatch(): Promise<void> {
    if (this.batchRows === 0) return;
    const batch = new arrow.RecordBatch(this.schema, this.rows.flush());
    this.batchRows = 0;
    this.batchBytes = 0;
    this.part ??= new EncodedPart(this.partPath(this.written.length), encodingSpec(this.options.columns, this.layout));
    await this.part.write(arrow.tableToIPC(new arrow.Table([batch]), 'stream'));
  }

  private async finishPart(): Promise<void> {
    await this.flushBatch();
    const part = this.part!;
    const path = this.partPath(this.written.length);
    const bytes = await part.finish();
    this.part = null;
    this.written.push({ path, bytes });
    this.partRows = 0;
    this.partBytes = 0;
  }

  private async writeEmptyPart(): Promise<void> {
    const empty = new arrow.RecordBatch(this.schema, this.rows.flush());
    const path = this.partPath(0);
    const bytes = await writeWholeParquet(path, encodingSpec(this.options.columns, this.layout), arrow.tableToIPC(new arrow.Table([empty]), 'stream'));
    this.written.push({ path, bytes });
  }

  private partPath(index: number): string {
    const { dir, fileName, prefix = 'part', finalName } = this.options;
    if (fileName !== undefined) return join(dir, fileName);
    const name = `${prefix}-${pad5(index)}.parquet`;
    // Hidden until renamed, so a glob over *.parquet never picks up a set that is still being named.
    return join(dir, finalName ? `.${name}.pending` : name);
  }

  private async applyFinalNames(): Promise<string[]> {
    const { finalName, dir } = this.options;
    if (!finalName) return this.written.map((part) => part.path);
    const count = this.written.length;
    for (const [index, part] of this.written.entries()) {
      const finalPath = join(dir, finalName(index, count));
      await rename(part.path, finalPath);
      part.path = finalPath;
    }
    return this.written.map((part) => part.path);
  }
}
