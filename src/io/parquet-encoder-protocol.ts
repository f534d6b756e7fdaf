/** Messages between ParquetEncoder (main thread) and parquet-encode-worker.ts. */

/** How a file is encoded; the worker turns it into parquet-wasm WriterProperties. */
export interface EncodingSpec {
  rowGroupRows: number;
  rowGroupBytes: number;
  /** top-level short string columns, dictionary-encoded (all others are not) */
  dictionaryColumns: string[];
  /** top-level free-text columns: no min/max statistics */
  plainTextColumns: string[];
}

export type EncoderRequest =
  | { op: 'open'; id: number; path: string; tempPath: string; spec: EncodingSpec }
  /** Arrow IPC stream bytes (transferred, not copied) */
  | { op: 'batch'; id: number; ipc: Uint8Array }
  | { op: 'finish'; id: number }
  | { op: 'abort'; id: number; reason: string }
  /** a whole small file from one IPC stream, written atomically */
  | { op: 'whole'; id: number; path: string; spec: EncodingSpec; ipc: Uint8Array };

export type EncoderReply =
  /** the encoder took the batch: the sender may send the next one */
  | { op: 'taken'; id: number }
  /** the file is committed under its final name */
  | { op: 'done'; id: number; bytes: number }
  | { op: 'aborted'; id: number }
  | { op: 'failed'; id: number; message: string };
