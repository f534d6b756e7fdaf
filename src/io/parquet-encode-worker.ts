/**
 * The Parquet encoder's thread: parquet-wasm turns Arrow IPC batches into a Parquet file here while the
 * main thread builds the next batch (in one thread, encoding took half of every write). Each part is
 * streamed into a temp file and renamed into place when its footer is written; see parquet-encoder.ts for
 * the other side of the protocol.
 */
import { parentPort } from 'node:worker_threads';
import * as parquetWasm from 'parquet-wasm';
import { AtomicFile, writeFileAtomic } from './atomic.js';
import type { EncoderReply, EncoderRequest, EncodingSpec } from './parquet-encoder-protocol.js';

/** parquet-wasm consumes WriterProperties when writing, so each file needs a fresh one. */
function writerProperties(spec: EncodingSpec): parquetWasm.WriterProperties {
  // Dictionary pages only where values repeat: tried on every column (parquet-rs' default), the
  // dictionary encoder hashed every answer body before giving up, and the files came out larger.
  let builder = new parquetWasm.WriterPropertiesBuilder()
    .setCompression(parquetWasm.Compression.ZSTD)
    .setDictionaryEnabled(false)
    .setMaxRowGroupSize(spec.rowGroupRows)
    .setMaxRowGroupBytes(spec.rowGroupBytes);
  for (const name of spec.dictionaryColumns) builder = builder.setColumnDictionaryEnabled(name, true);
  // Min/max statistics of free text cost time and footer space and never prune a read.
  for (const name of spec.plainTextColumns) builder = builder.setColumnStatisticsEnabled(name, parquetWasm.EnabledStatistics.None);
  return builder.build();
}

/**
 * A ReadableStream that holds at most one batch: push() resolves once the encoder has taken the batch,
 * which is when the main thread may send another (memory stays at a batch or two plus the row group).
 */
class BatchFeed<T> {
  readonly stream: ReadableStream<T>;
  private controller!: ReadableStreamDefaultController<T>;
  private pulled: (() => void) | null = null;
  private offered: { item: T | null; taken: () => void } | null = null;

  constructor() {
    this.stream = new ReadableStream<T>(
      {
        start: (controller) => {
          this.controller = controller;
        },
        pull: () =>
          new Promise<void>((resolve) => {
            this.pulled = resolve;
            this.handOver();
          }),
      },
      { highWaterMark: 0 },
    );
  }

  /** null ends the stream. */
  push(item: T | null): Promise<void> {
    return new Promise((taken) => {
      this.offered = { item, taken };
      this.handOver();
    });
  }

  fail(error: unknown): void {
    try {
      this.controller.error(error);
    } catch {
      // already closed or errored
    }
  }

  private handOver(): void {
    if (!this.pulled || !this.offered) return;
    const { item, taken } = this.offered;
    const pulled = this.pulled;
    this.offered = null;
    this.pulled = null;
    if (item === null) this.controller.close();
    else this.controller.enqueue(item);
    pulled();
    taken();
  }
}

/** One part being encoded; requests for it are handled strictly in arrival order. */
class EncodingPart {
  private readonly feed = new BatchFeed<parquetWasm.RecordBatch>();
  private readonly output: Promise<number>;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly file: AtomicFile,
    spec: EncodingSpec,
  ) {
    this.output = this.pump(writerProperties(spec));
    this.output.catch(() => {});
  }

  private async pump(properties: parquetWasm.WriterProperties): Promise<number> {
    const encoded = (await parquetWasm.transformParquetStream(this.feed.stream, properties)) as ReadableStream<Uint8Array>;
    let bytes = 0;
    for await (const chunk of encoded) {
      await this.file.write(chunk);
      bytes += chunk.byteLength;
    }
    return bytes;
  }

  /** Runs after everything queued before it; once a step fails, every later one fails with its error. */
  enqueue(step: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(step);
    return this.queue;
  }

  async write(ipc: Uint8Array): Promise<void> {
    const table = parquetWasm.Table.fromIPCStream(ipc);
    try {
      for (const batch of table.recordBatches()) await this.deliver(batch);
    } finally {
      table.free();
    }
  }

  async finish(): Promise<number> {
    await this.deliver(null);
    const bytes = await this.output;
    await this.file.commit();
    return bytes;
  }

  async abort(reason: string): Promise<void> {
    this.feed.fail(new Error(reason));
    await this.output.catch(() => {});
    await this.file.abort();
  }

  /** Waits for the encoder to take the item, or fails with the encoder's (or the disk's) error. */
  private async deliver(item: parquetWasm.RecordBatch | null): Promise<void> {
    const encoderDone =
      item === null
        ? this.output
        : this.output.then(() => {
            throw new Error('parquet-wasm ended the stream before all batches were written');
          });
    await Promise.race([this.feed.push(item), encoderDone]);
  }
}

const parts = new Map<number, Promise<EncodingPart>>();
const reply = (message: EncoderReply) => parentPort!.postMessage(message);
const failure = (error: unknown) => (error instanceof Error ? error.message : String(error));

parentPort!.on('message', (request: EncoderRequest) => {
  const { id } = request;
  switch (request.op) {
    case 'open': {
      const opening = AtomicFile.open(request.path, request.tempPath).then((file) => new EncodingPart(file, request.spec));
      opening.catch((error) => reply({ op: 'failed', id, message: failure(error) }));
      parts.set(id, opening);
      return;
    }
    case 'whole': {
      const table = parquetWasm.Table.fromIPCStream(request.ipc);
      let bytes: Uint8Array;
      try {
        bytes = parquetWasm.writeParquet(table, writerProperties(request.spec));
      } catch (error) {
        reply({ op: 'failed', id, message: failure(error) });
        return;
      }
      writeFileAtomic(request.path, bytes).then(
        () => reply({ op: 'done', id, bytes: bytes.byteLength }),
        (error) => reply({ op: 'failed', id, message: failure(error) }),
      );
      return;
    }
    default: {
      const opening = parts.get(id);
      if (request.op !== 'batch') parts.delete(id);
      if (!opening) {
        // A part that failed to open was reported then; only an abort still needs its answer.
        if (request.op === 'abort') reply({ op: 'aborted', id });
        return;
      }
      opening.then(
        (part) => {
          if (request.op === 'batch') {
            part.enqueue(() => part.write(request.ipc)).then(
              () => reply({ op: 'taken', id }),
              (error) => reply({ op: 'failed', id, message: failure(error) }),
            );
          } else if (request.op === 'finish') {
            part.enqueue(async () => reply({ op: 'done', id, bytes: await part.finish() })).catch((error) => reply({ op: 'failed', id, message: failure(error) }));
          } else {
            void part.abort(request.reason).then(() => reply({ op: 'aborted', id }));
          }
        },
        () => {
          if (request.op === 'abort') reply({ op: 'aborted', id });
        },
      );
    }
  }
});
