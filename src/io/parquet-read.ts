/**
 * Reads Parquet rows back as plain objects (later stages re-read the thread parts). parquet-wasm reads
 * the file through a file-backed Blob one row group at a time, so memory follows the row group, not the file.
 *
 * Each Arrow record batch is converted column by column, straight from the buffers of its `Data`
 * (offsets + UTF-8 bytes, int64 words, validity bitmaps), instead of through arrow-js's `vector.get(row)`:
 * that path builds a row proxy per struct, a Vector per list and dispatches a visitor per value, and
 * spent most of a filter pass in arrow-js. Types without a columnar reader here (none of the ColumnSpec
 * types) go through the per-value path, so both paths produce exactly the same values.
 */
import type { Data, DataType, Field, Float, Int, RecordBatch, Table, Timestamp, Vector } from 'apache-arrow';
import arrow from './arrow.js';
import * as parquetWasm from 'parquet-wasm';
import { openAsBlob } from 'node:fs';
import { endianness } from 'node:os';

export interface ReadParquetOptions {
  /** only these columns (top-level names) */
  columns?: string[];
  /** rows per Arrow batch handed over from wasm; default 1024 */
  batchSize?: number;
}

type PlainRow = Record<string, unknown>;

/**
 * Yields each row as a plain object: int64 as number when it is a safe integer (bigint otherwise),
 * timestamp_s as epoch seconds, lists as arrays, structs as objects, nulls as null.
 */
export async function* readParquetRows(path: string, options: ReadParquetOptions = {}): AsyncGenerator<PlainRow> {
  for await (const table of readTables(path, options)) {
    const columns = columnReaders(table);
    for (const batch of table.batches) {
      const values = readBatchColumns(batch, columns);
      const rows = batch.numRows;
      for (let row = 0; row < rows; row++) yield assembleRow(columns, values, row);
    }
  }
}

/**
 * The previous row-by-row conversion through arrow-js's `vector.get(row)`: same output as
 * readParquetRows, several times slower. The reference for tests and the benchmark; not for the pipeline.
 */
export async function* readParquetRowsPerRow(path: string, options: ReadParquetOptions = {}): AsyncGenerator<PlainRow> {
  for await (const table of readTables(path, options)) yield* plainRowsPerRow(table);
}

/** readParquetRows' conversion of one Arrow table (exported for tests: sliced data, hand-made types). */
export function* plainRows(table: Table): Generator<PlainRow> {
  const columns = columnReaders(table);
  for (const batch of table.batches) {
    const values = readBatchColumns(batch, columns);
    for (let row = 0; row < batch.numRows; row++) yield assembleRow(columns, values, row);
  }
}

/** readParquetRowsPerRow's conversion of one Arrow table. */
export function* plainRowsPerRow(table: Table): Generator<PlainRow> {
  const columns = table.schema.fields.map((field, i) => ({
    name: field.name,
    vector: table.getChildAt(i)!,
    toPlain: converterFor(field),
  }));
  for (let row = 0; row < table.numRows; row++) {
    const record: PlainRow = {};
    for (const column of columns) record[column.name] = column.toPlain(column.vector.get(row));
    yield record;
  }
}

async function* readTables(path: string, options: ReadParquetOptions): AsyncGenerator<Table> {
  // parquet-wasm's errors ("Corrupt footer") do not say which file: every one here does.
  const named = (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    return message.includes(path) ? error : new Error(`${path}: ${message}`, { cause: error });
  };
  let file: parquetWasm.ParquetFile;
  try {
    file = await parquetWasm.ParquetFile.fromFile(await openAsBlob(path));
  } catch (error) {
    throw named(error);
  }
  try {
    const batches = (await file.stream({
      batchSize: options.batchSize ?? 1024,
      ...(options.columns ? { columns: options.columns } : {}),
    })) as ReadableStream<parquetWasm.RecordBatch>;
    for await (const wasmBatch of batches) yield arrow.tableFromIPC(wasmBatch.intoIPCStream());
  } catch (error) {
    throw named(error);
  } finally {
    file.free();
  }
}

// ---------------------------------------------------------------------------------------------------
// Column-wise conversion

interface TopColumn {
  name: string;
  read: RangeReader;
}

function columnReaders(table: Table): TopColumn[] {
  return table.schema.fields.map((field) => ({ name: field.name, read: rangeReaderFor(field, false) }));
}

/** One plain array per column, each of the batch's length (a batch holds one Data per column). */
function readBatchColumns(batch: RecordBatch, columns: readonly TopColumn[]): unknown[][] {
  const rows = batch.numRows;
  return columns.map((column, i) => {
    const out = new Array<unknown>(rows);
    column.read(batch.data.children[i]!, 0, rows, out, 0);
    return out;
  });
}

function assembleRow(columns: readonly TopColumn[], values: readonly unknown[][], row: number): PlainRow {
  const record: PlainRow = {};
  for (let c = 0; c < columns.length; c++) record[columns[c]!.name] = values[c]![row];
  return record;
}

/**
 * Writes the plain values of `data` at indices [begin, end) to out[at], out[at + 1], ...
 *
 * Indices follow arrow-js's own accessors: a sliced Data has its offsets and value buffers already
 * sliced (index i is values[i]), except bit-packed booleans and the validity bitmap, which are read at
 * bit `data.offset + i`.
 */
type RangeReader = (data: Data, begin: number, end: number, out: unknown[], at: number) => void;

/**
 * `structChild`: the per-row path reads struct fields as `row[name] ?? null`, so undefined (a missing
 * dictionary entry) becomes null there but not in a top-level column or a list element.
 */
function rangeReaderFor(field: Field, structChild: boolean): RangeReader {
  const type = field.type as DataType;
  if (arrow.DataType.isUtf8(type)) return readUtf8;
  if (arrow.DataType.isBool(type)) return readBool;
  if (arrow.DataType.isInt(type)) {
    const int = type as Int;
    if (int.bitWidth < 64) return readNumbers;
    if (int.isSigned && LITTLE_ENDIAN) return readInt64;
  }
  if (arrow.DataType.isFloat(type) && (type as Float).precision !== arrow.Precision.HALF) return readNumbers;
  if (arrow.DataType.isTimestamp(type) && (type as Timestamp).unit === arrow.TimeUnit.SECOND && LITTLE_ENDIAN) return readTimestampSeconds;
  if (arrow.DataType.isList(type)) return listReader(field);
  if (arrow.DataType.isStruct(type)) {
    const reader = structReader(field);
    if (reader) return reader;
  }
  return perValueReader(field, structChild);
}

const LITTLE_ENDIAN = endianness() === 'LE';

/** The validity bitmap when arrow-js would consult it (Data#getValid), else null: every value is valid. */
function validityOf(data: Data): Uint8Array | null {
  const bitmap = data.nullBitmap;
  return data.nullCount > 0 && bitmap !== undefined && bitmap !== null && bitmap.byteLength > 0 ? bitmap : null;
}

function isValid(bitmap: Uint8Array, bit: number): boolean {
  return (bitmap[bit >> 3]! & (1 << (bit & 7))) !== 0;
}

type Utf8Slicer = (buffer: Buffer, start: number, end: number) => string;

interface FastUtf8Buffer {
  utf8Slice(start: number, end: number): string;
}

// Buffer#utf8Slice is toString('utf8', start, end) without the argument checks, on every Node release.
const utf8Slice: Utf8Slicer =
  typeof (Buffer.prototype as unknown as Partial<FastUtf8Buffer>).utf8Slice === 'function'
    ? (buffer, start, end) => (buffer as unknown as FastUtf8Buffer).utf8Slice(start, end)
    : (buffer, start, end) => buffer.toString('utf8', start, end);

const EMPTY_BUFFER = Buffer.alloc(0);

/**
 * Buffer's UTF-8 decoding replaces invalid sequences exactly as TextDecoder (which arrow-js uses) does,
 * but keeps a leading byte order mark, which TextDecoder drops from each string: dropped here too.
 */
const readUtf8: RangeReader = (data, begin, end, out, at) => {
  const offsets = data.valueOffsets as Int32Array;
  const bytes = data.values as Uint8Array | undefined;
  const buffer = bytes ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) : EMPTY_BUFFER;
  const bitmap = validityOf(data);
  const bit0 = data.offset;
  for (let i = begin; i < end; i++, at++) {
    if (bitmap !== null && !isValid(bitmap, bit0 + i)) {
      out[at] = null;
      continue;
    }
    let start = offsets[i]!;
    const stop = offsets[i + 1]!;
    if (stop - start >= 3 && buffer[start] === 0xef && buffer[start + 1] === 0xbb && buffer[start + 2] === 0xbf) start += 3;
    out[at] = start === stop ? '' : utf8Slice(buffer, start, stop);
  }
};

/** int8..int32, uint8..uint32, float32, float64: the value array holds the values as JS numbers. */
const readNumbers: RangeReader = (data, begin, end, out, at) => {
  const values = data.values as Int32Array | Float64Array;
  const bitmap = validityOf(data);
  const bit0 = data.offset;
  if (bitmap === null) {
    for (let i = begin; i < end; i++, at++) out[at] = values[i];
  } else {
    for (let i = begin; i < end; i++, at++) out[at] = isValid(bitmap, bit0 + i) ? values[i] : null;
  }
};

const readBool: RangeReader = (data, begin, end, out, at) => {
  const bits = data.values as Uint8Array;
  const bitmap = validityOf(data);
  const bit0 = data.offset;
  for (let i = begin; i < end; i++, at++) {
    out[at] = bitmap !== null && !isValid(bitmap, bit0 + i) ? null : isValid(bits, bit0 + i);
  }
};

const TWO_POW_32 = 4294967296;
// A signed 64-bit value is a safe integer when its high word is in [-2^21, 2^21), except -2^53 itself.
const SAFE_HIGH_WORD = 0x200000;

/** The two 32-bit words of each int64, little-endian: low at 2i, high at 2i + 1. */
function int64Words(values: BigInt64Array): Int32Array {
  return new Int32Array(values.buffer, values.byteOffset, values.length * 2);
}

/** The int64 at `i` as a number when it is a safe integer, else null; read from its two words, no bigint made. */
function safeInt64At(words: Int32Array, i: number): number | null {
  const high = words[2 * i + 1]!;
  const low = words[2 * i]! >>> 0;
  return high >= -SAFE_HIGH_WORD && high < SAFE_HIGH_WORD && (high !== -SAFE_HIGH_WORD || low !== 0) ? high * TWO_POW_32 + low : null;
}

/** int64 as a number when it is a safe integer, else the bigint. */
const readInt64: RangeReader = (data, begin, end, out, at) => {
  const values = data.values as BigInt64Array;
  const words = int64Words(values);
  const bitmap = validityOf(data);
  const bit0 = data.offset;
  for (let i = begin; i < end; i++, at++) {
    if (bitmap !== null && !isValid(bitmap, bit0 + i)) {
      out[at] = null;
      continue;
    }
    out[at] = safeInt64At(words, i) ?? values[i]!;
  }
};

/**
 * Epoch seconds. arrow-js hands timestamps out as milliseconds (1000 * seconds, throwing past 2^53) and the
 * per-row path divides by 1000 again: the same arithmetic here, so even rounding matches.
 */
const readTimestampSeconds: RangeReader = (data, begin, end, out, at) => {
  const values = data.values as BigInt64Array;
  const words = int64Words(values);
  const bitmap = validityOf(data);
  const bit0 = data.offset;
  for (let i = begin; i < end; i++, at++) {
    if (bitmap !== null && !isValid(bitmap, bit0 + i)) {
      out[at] = null;
      continue;
    }
    const seconds = safeInt64At(words, i);
    if (seconds === null) throw new TypeError(`${values[i]} is not safe to convert to a number.`);
    out[at] = (1000 * seconds) / 1000;
  }
};

/** Converts the elements of the whole range in one go, then cuts one array per list. */
function listReader(field: Field): RangeReader {
  const elementField = (field.type as DataType).children[0]!;
  const readElements = rangeReaderFor(elementField, false);
  const fallback = perValueReader(field, false);
  return (data, begin, end, out, at) => {
    if (begin >= end) return;
    const offsets = data.valueOffsets as Int32Array;
    const child = data.children[0]!;
    const first = offsets[begin]!;
    const last = offsets[end]!;
    // Offsets must not decrease (the Arrow format says so); anything else takes the per-value path.
    for (let i = begin; i < end; i++) {
      if (offsets[i + 1]! < offsets[i]!) return fallback(data, begin, end, out, at);
    }
    const elements = new Array<unknown>(last - first);
    readElements(child, first, last, elements, 0);
    const bitmap = validityOf(data);
    const bit0 = data.offset;
    for (let i = begin; i < end; i++, at++) {
      out[at] = bitmap !== null && !isValid(bitmap, bit0 + i) ? null : elements.slice(offsets[i]! - first, offsets[i + 1]! - first);
    }
  };
}

/**
 * Converts each field over the range, then builds the objects. Null when the struct slot is null.
 * Undefined for field names the per-row path would not read from the data (its row proxy answers
 * `toString`, `constructor`, ... from the prototype first, and the first of duplicate names wins).
 */
function structReader(field: Field): RangeReader | undefined {
  const children = (field.type as DataType).children;
  const names = children.map((child) => child.name);
  if (new Set(names).size !== names.length || names.some((name) => name in arrow.StructRow.prototype)) return undefined;
  const readers = children.map((child) => rangeReaderFor(child, true));
  return (data, begin, end, out, at) => {
    const length = end - begin;
    const columns = readers.map((read, c) => {
      const values = new Array<unknown>(length);
      read(data.children[c]!, begin, end, values, 0);
      return values;
    });
    const bitmap = validityOf(data);
    const bit0 = data.offset;
    for (let k = 0; k < length; k++, at++) {
      if (bitmap !== null && !isValid(bitmap, bit0 + begin + k)) {
        out[at] = null;
        continue;
      }
      const record: PlainRow = {};
      for (let c = 0; c < names.length; c++) record[names[c]!] = columns[c]![k];
      out[at] = record;
    }
  };
}

/** The per-row path for one column, for types without a columnar reader. */
function perValueReader(field: Field, structChild: boolean): RangeReader {
  const toPlain = converterFor(field);
  return (data, begin, end, out, at) => {
    const vector = new arrow.Vector([data]);
    for (let i = begin; i < end; i++, at++) {
      const value = vector.get(i);
      out[at] = toPlain(structChild ? (value ?? null) : value);
    }
  };
}

// ---------------------------------------------------------------------------------------------------
// Per-value conversion of what arrow-js's vector.get() returns

type Converter = (value: unknown) => unknown;

const identity: Converter = (value) => value;

function converterFor(field: Field): Converter {
  const type = field.type;
  if (arrow.DataType.isInt(type) && type.bitWidth === 64) return (value) => (value === null ? null : int64ToPlain(value as bigint));
  // arrow-js hands every timestamp out as epoch milliseconds
  if (arrow.DataType.isTimestamp(type) && (type as Timestamp).unit === arrow.TimeUnit.SECOND) {
    return (value) => (value === null ? null : (value as number) / 1000);
  }
  if (arrow.DataType.isList(type)) {
    const element = converterFor(type.children[0]!);
    return (value) => {
      if (value === null) return null;
      const vector = value as Vector;
      const out = new Array<unknown>(vector.length);
      for (let i = 0; i < vector.length; i++) out[i] = element(vector.get(i));
      return out;
    };
  }
  if (arrow.DataType.isStruct(type)) {
    const fields = type.children.map((child) => ({ name: child.name, toPlain: converterFor(child) }));
    return (value) => {
      if (value === null) return null;
      const row = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const child of fields) out[child.name] = child.toPlain(row[child.name] ?? null);
      return out;
    };
  }
  return identity;
}

function int64ToPlain(value: bigint): number | bigint {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : value;
}
