/**
 * Parquet encoding on its own thread. The main thread turns rows into Arrow batches and hands each one
 * over as IPC bytes (transferred, not copied); parquet-wasm encodes and writes on the encoder thread
 * meanwhile. Measured on ingest's write phase: see docs/decisions.md ("Parquet encoding on its own thread").
 *
 * One thread serves every part the process writes. It keeps the process alive only while a part is open,
 * and if it dies, every open part fails with the reason instead of waiting for ever.
 */
import { unlink } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { tempPathFor } from './atomic.js';
import type { EncoderReply, EncoderRequest, EncodingSpec } from './parquet-encoder-protocol.js';

export type { EncodingSpec } from './parquet-encoder-protocol.js';

/** Batches sent but not yet taken by the encoder: one being encoded, one waiting. */
const MAX_BATCHES_IN_FLIGHT = 2;

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: Error): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Rejections are delivered to whoever awaits; none may surface as unhandled in between.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

interface ReplyHandler {
  onReply(reply: EncoderReply): void;
  onEncoderLost(error: Error): void;
}

class EncoderThread {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly handlers = new Map<number, ReplyHandler>();

  register(handler: ReplyHandler): number {
    const id = this.nextId++;
    this.handlers.set(id, handler);
    this.start().ref();
    return id;
  }

  release(id: number): void {
    this.handlers.delete(id);
    if (this.handlers.size === 0) this.worker?.unref();
  }

  /** Starts the thread now, without keeping the process alive for it. */
  warm(): void {
    const worker = this.start();
    if (this.handlers.size === 0) worker.unref();
  }

  /** Stops the thread; open parts fail. For tests of that path, and a clean shutdown. */
  async stop(): Promise<void> {
    await this.worker?.terminate();
  }

  send(request: EncoderRequest, transfer: ArrayBuffer[] = []): void {
    this.start().postMessage(request, transfer);
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./parquet-encode-worker.js', import.meta.url));
    worker.on('message', (reply: EncoderReply) => this.handlers.get(reply.id)?.onReply(reply));
    const lost = (error: Error) => {
      if (this.worker !== worker) return;
      this.worker = null;
      const handlers = [...this.handlers.values()];
      this.handlers.clear();
      for (const handler of handlers) handler.onEncoderLost(error);
    };
    worker.on('error', (error) => lost(new Error(`the Parquet encoder thread failed: ${error.message}`)));
    worker.on('exit', (code) => lost(new Error(`the Parquet encoder thread exited (code ${code})`)));
    this.worker = worker;
    return worker;
  }
}

const encoder = new EncoderThread();

/**
 * Starts the encoder thread ahead of the first part: booting it and compiling parquet-wasm there takes
 * ~70 ms, which then overlaps the reading that comes before any write instead of delaying the first part.
 */
export function warmEncoderThread(): void {
  encoder.warm();
}

/** Stops the encoder thread: open parts fail with the reason; the next part starts a new thread. */
export function stopEncoderThread(): Promise<void> {
  return encoder.stop();
}

/** IPC bytes as a whole ArrayBuffer, so they can be transferred instead of copied. */
function transferable(ipc: Uint8Array): Uint8Array {
  return ipc.byteOffset === 0 && ipc.byteLength === ipc.buffer.byteLength ? ipc : new Uint8Array(ipc);
}

/** One Parquet file being written by the encoder thread: a temp file until finish() renames it. */
export class EncodedPart implements ReplyHandler {
  private readonly id: number;
  private readonly taken: Deferred<void>[] = [];
  private readonly done = deferred<number>();
  private readonly aborted = deferred<void>();
  private error: Error | null = null;
  private encoderLost = false;

  private readonly tempPath: string;

  constructor(path: string, spec: EncodingSpec) {
    this.tempPath = tempPathFor(path);
    this.id = encoder.register(this);
    encoder.send({ op: 'open', id: this.id, path, tempPath: this.tempPath, spec });
  }

  /** Resolves once the encoder has room for the next batch. */
  async write(ipc: Uint8Array): Promise<void> {
    if (this.error) throw this.error;
    const bytes = transferable(ipc);
    const wait = deferred<void>();
    this.taken.push(wait);
    encoder.send({ op: 'batch', id: this.id, ipc: bytes }, [bytes.buffer as ArrayBuffer]);
    while (this.taken.length >= MAX_BATCHES_IN_FLIGHT) await this.taken[0]!.promise;
  }

  /** Returns the committed file's size. */
  async finish(): Promise<number> {
    if (this.error) throw this.error;
    encoder.send({ op: 'finish', id: this.id });
    try {
      return await this.done.promise;
    } finally {
      encoder.release(this.id);
    }
  }

  /** Removes the temp file; safe after a failure. */
  async abort(reason: unknown): Promise<void> {
    if (!this.encoderLost) {
      encoder.send({ op: 'abort', id: this.id, reason: reason instanceof Error ? reason.message : String(reason) });
      await this.aborted.promise;
    }
    // A thread that died could not clean up after itself.
    if (this.encoderLost) await unlink(this.tempPath).catch(() => {});
    encoder.release(this.id);
  }

  onReply(reply: EncoderReply): void {
    if (reply.op === 'taken') this.taken.shift()?.resolve();
    else if (reply.op === 'done') this.done.resolve(reply.bytes);
    else if (reply.op === 'aborted') this.aborted.resolve();
    else this.fail(new Error(reply.message));
  }

  onEncoderLost(error: Error): void {
    this.encoderLost = true;
    this.fail(error);
    this.aborted.resolve();
  }

  private fail(error: Error): void {
    this.error ??= error;
    for (const wait of this.taken.splice(0)) wait.reject(this.error);
    this.done.reject(this.error);
  }
}

/** Writes one small file from a single IPC stream (e.g. an empty part that only carries the schema). */
export async function writeWholeParquet(path: string, spec: EncodingSpec, ipc: Uint8Array): Promise<number> {
  const done = deferred<number>();
  const id = encoder.register({
    onReply: (reply) => {
      if (reply.op === 'done') done.resolve(reply.bytes);
      else if (reply.op === 'failed') done.reject(new Error(reply.message));
    },
    onEncoderLost: (error) => done.reject(error),
  });
  const bytes = transferable(ipc);
  encoder.send({ op: 'whole', id, path, spec, ipc: bytes }, [bytes.buffer as ArrayBuffer]);
  try {
    return await done.promise;
  } finally {
    encoder.release(id);
  }
}
