/**
 * The embedded `local` grader: a GGUF model the user already has, run by llama.cpp (node-llama-cpp)
 * on the CPU in a child process. No server, no network, no API key.
 *
 * Requests are graded one at a time, in the order they arrive. Per-request problems (prompt too long,
 * a label that is not a token of the model) come back as GradeFailure, like a server's 4xx; when the
 * engine itself is lost (the model does not load, the process crashes) grade() rejects with a
 * LocalEngineError naming the model file, for every pending and later request: a stage must stop, not
 * store a failure per post.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GradeOutcome, GradeRequest, Grader, GraderStats } from '../types.js';
import type { EngineInfo, EngineOptions, FromEngine, ToEngine } from './engine-protocol.js';

export interface LocalGraderOptions {
  /** a GGUF file */
  modelPath: string;
  /** tokens of context; clamped to the model's training context. Default 4096. */
  contextSize?: number;
  /** CPU threads; default: llama.cpp's choice (all cores) */
  threads?: number;
}

/**
 * `engine`: node-llama-cpp or its prebuilt binary is unavailable here; `model`: the model file does not
 * load; `crash`: the engine process died; `closed`: close() was called.
 */
export type LocalEngineFailure = 'engine' | 'model' | 'crash' | 'closed';

export class LocalEngineError extends Error {
  constructor(message: string, readonly failure: LocalEngineFailure) {
    super(message);
    this.name = 'LocalEngineError';
  }
}

const DEFAULT_CONTEXT_SIZE = 4096;
/** How long close() waits for a polite exit before SIGKILL. */
const EXIT_GRACE_MS = 3000;
/** What a crash report quotes of the child's output: llama.cpp's abort message is in its last lines. */
const OUTPUT_TAIL_CHARS = 2000;

const childScript = fileURLToPath(new URL('./engine-child.js', import.meta.url));

interface Pending {
  resolve(outcome: GradeOutcome): void;
  reject(error: Error): void;
}

/** The parts of a child's pipes and IPC channel that can stop them from keeping the parent alive. */
interface Refable {
  ref?(): void;
  unref?(): void;
}

export class LocalGrader implements Grader {
  readonly description: string;
  readonly modelPath: string;
  private readonly child: ChildProcess;
  private readonly started: Promise<EngineInfo>;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** callers inside grade()/ready(): while any wait, the child keeps the parent's event loop alive */
  private waiters = 0;
  private failure: LocalEngineError | null = null;
  private outputTail = '';
  private readonly counters: GraderStats = { requests: 0, retries: 0, failures: 0, prompt_tokens: 0, completion_tokens: 0 };

  constructor(options: LocalGraderOptions) {
    this.modelPath = resolve(options.modelPath);
    const engineOptions: EngineOptions = {
      modelPath: this.modelPath,
      contextSize: options.contextSize ?? DEFAULT_CONTEXT_SIZE,
      threads: options.threads ?? 0,
    };
    this.description = `local llama.cpp (node-llama-cpp, CPU): ${this.modelPath}, context ${engineOptions.contextSize}`;

    // execArgv: [] so the parent's flags (node --test, inspectors) do not leak into the engine.
    this.child = fork(childScript, [JSON.stringify(engineOptions)], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], execArgv: [] });
    this.child.stdout?.on('data', (chunk: Buffer) => this.keepOutput(chunk));
    this.child.stderr?.on('data', (chunk: Buffer) => this.keepOutput(chunk));

    this.started = new Promise<EngineInfo>((resolveStart, rejectStart) => {
      this.child.on('message', (message: FromEngine) => {
        if (message.type === 'ready') resolveStart(message.info);
        else if (message.type === 'fatal') {
          const error = message.stage === 'engine'
            ? new LocalEngineError(`the local engine (node-llama-cpp) cannot run here, so ${this.modelPath} was not loaded: ${message.message}`, 'engine')
            : new LocalEngineError(`cannot load model ${this.modelPath}: ${message.message}`, 'model');
          this.fail(error);
          rejectStart(error);
        } else if (message.type === 'outcome') this.settle(message.id, message.outcome);
      });
      // 'close', not 'exit': it comes after the pipes are drained, so the crash message has the last output.
      this.child.on('close', (code, signal) => {
        const error = this.failure ?? new LocalEngineError(this.crashMessage(code, signal), 'crash');
        this.fail(error);
        rejectStart(error);
      });
      this.child.on('error', (error) => {
        const wrapped = new LocalEngineError(`the local engine for ${this.modelPath} failed: ${error.message}`, 'crash');
        this.fail(wrapped);
        rejectStart(wrapped);
      });
    });
    // Nobody may await the start (a grader made and closed unused): its failure is reported by grade().
    this.started.catch(() => undefined);
    this.updateKeepAlive();
  }

  /** Resolves once the model is loaded; rejects with the LocalEngineError that grade() would give. */
  async ready(): Promise<EngineInfo> {
    return this.whileWaiting(() => this.started);
  }

  /** The engine process id (for tests and diagnostics); undefined if it never started. */
  get enginePid(): number | undefined {
    return this.child.pid;
  }

  async grade(request: GradeRequest): Promise<GradeOutcome> {
    return this.whileWaiting(async () => {
      await this.started;
      if (this.failure !== null) throw this.failure;
      const id = this.nextId++;
      this.counters.requests++;
      const outcome = await new Promise<GradeOutcome>((resolveOutcome, rejectOutcome) => {
        this.pending.set(id, { resolve: resolveOutcome, reject: rejectOutcome });
        const message: ToEngine = { type: 'grade', id, request };
        this.child.send(message, (error) => {
          if (error === null) return;
          // A killed engine's pipe breaks (EPIPE) before its 'close' arrives: give 'close' a moment to fail
          // everything with the real cause (the signal, the last output); fail here only if it never comes.
          setTimeout(() => {
            if (this.failure === null) this.fail(new LocalEngineError(`cannot reach the local engine for ${this.modelPath}: ${error.message}`, 'crash'));
          }, 1000);
        });
      });
      if (outcome.ok) {
        this.counters.prompt_tokens += outcome.prompt_tokens ?? 0;
        this.counters.completion_tokens += outcome.completion_tokens ?? 0;
      } else {
        this.counters.failures++;
      }
      return outcome;
    });
  }

  stats(): GraderStats {
    return { ...this.counters };
  }

  /** Ends the engine process; pending requests reject with a `closed` LocalEngineError. */
  async close(): Promise<void> {
    this.fail(new LocalEngineError(`the local grader for ${this.modelPath} was closed`, 'closed'));
    if (this.child.exitCode !== null || this.child.signalCode !== null || this.child.pid === undefined) return;
    this.setKeepAlive(true);
    const exited = once(this.child, 'exit').catch(() => undefined);
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), EXIT_GRACE_MS);
    await exited;
    clearTimeout(timer);
    this.setKeepAlive(false);
  }

  private settle(id: number, outcome: GradeOutcome): void {
    const pending = this.pending.get(id);
    if (pending === undefined) return;
    this.pending.delete(id);
    pending.resolve(outcome);
  }

  /** The first failure wins: it is the cause; later ones (the exit after a fatal message) are its effects. */
  private fail(error: LocalEngineError): void {
    this.failure ??= error;
    for (const pending of this.pending.values()) pending.reject(this.failure);
    this.pending.clear();
    if (this.child.exitCode === null && this.child.signalCode === null && this.failure.failure !== 'closed') this.child.kill('SIGKILL');
  }

  private crashMessage(code: number | null, signal: NodeJS.Signals | null): string {
    const how = signal !== null ? `was killed by ${signal}` : `exited with code ${code}`;
    const output = this.outputTail.trim();
    return `the local engine for ${this.modelPath} ${how}${output === '' ? '' : `; its last output:\n${output}`}`;
  }

  private keepOutput(chunk: Buffer): void {
    this.outputTail = (this.outputTail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  }

  private async whileWaiting<T>(work: () => Promise<T>): Promise<T> {
    this.waiters++;
    this.updateKeepAlive();
    try {
      return await work();
    } finally {
      this.waiters--;
      this.updateKeepAlive();
    }
  }

  /** An idle grader must not keep a finished program running; the child leaves when the parent does. */
  private updateKeepAlive(): void {
    this.setKeepAlive(this.waiters > 0);
  }

  private setKeepAlive(active: boolean): void {
    const handles: Array<Refable | null | undefined> = [this.child, this.child.channel as Refable | undefined, this.child.stdout as Refable | null, this.child.stderr as Refable | null];
    for (const handle of handles) {
      if (active) handle?.ref?.();
      else handle?.unref?.();
    }
  }
}
