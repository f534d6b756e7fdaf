/**
 * Outputs appear whole or not at all: a crash or a failed stage never leaves a half-written file under
 * its final name, so a later stage (or a user) cannot mistake a truncated Parquet part for a finished one.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, open, readdir, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

/** `.<name>.tmp-<pid>-<rand>` beside the target: same filesystem, so the final rename is atomic. */
export function tempPathFor(finalPath: string): string {
  return join(dirname(finalPath), `.${basename(finalPath)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** A file written in pieces under a temp name; `commit` makes it appear under the final name. */
export class AtomicFile {
  private done = false;

  private constructor(
    readonly finalPath: string,
    readonly tempPath: string,
    private readonly handle: FileHandle,
  ) {}

  /** `tempPath` lets another thread that may have to clean up know the name (default: tempPathFor). */
  static async open(finalPath: string, tempPath = tempPathFor(finalPath)): Promise<AtomicFile> {
    // 'wx': a leftover temp from another process must never be silently shared.
    const handle = await open(tempPath, 'wx');
    return new AtomicFile(finalPath, tempPath, handle);
  }

  async write(data: string | Uint8Array): Promise<void> {
    if (this.done) throw new Error(`${this.finalPath}: write after commit/abort`);
    // writeFile appends at the current position and loops over short writes, unlike a single write().
    await this.handle.writeFile(data);
  }

  /** fsync before rename: otherwise a power loss can leave the final name pointing at empty blocks. */
  async commit(): Promise<void> {
    if (this.done) throw new Error(`${this.finalPath}: already committed or aborted`);
    this.done = true;
    try {
      await this.handle.sync();
      await this.handle.close();
      await rename(this.tempPath, this.finalPath);
    } catch (error) {
      await this.handle.close().catch(() => {});
      await unlink(this.tempPath).catch(() => {});
      throw error;
    }
    await fsyncDir(dirname(this.finalPath));
  }

  /** Safe to call at any point, including after a failed commit. */
  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.handle.close().catch(() => {});
    await unlink(this.tempPath).catch(() => {});
  }
}

export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const file = await AtomicFile.open(path);
  try {
    await file.write(data);
  } catch (error) {
    await file.abort();
    throw error;
  }
  await file.commit();
}

/** An empty sibling of finalDir to build the new content in (same filesystem, so it can be renamed in). */
export async function makeStagingDir(finalDir: string): Promise<string> {
  const parent = dirname(resolve(finalDir));
  await mkdir(parent, { recursive: true });
  await recoverInterruptedSwaps(finalDir);
  return mkdtemp(join(parent, `.${basename(finalDir)}.staging-${process.pid}-`));
}

/**
 * Cleans up after a process that died while writing finalDir: its staging directories go, and if it died
 * between the two renames of a swap (finalDir absent, the old content set aside), the old content is put
 * back. Only leftovers of processes that are no longer running are touched.
 */
export async function recoverInterruptedSwaps(finalDir: string): Promise<void> {
  const final = resolve(finalDir);
  const parent = dirname(final);
  const leftover = new RegExp(`^\\.${escapeRegExp(basename(final))}\\.(staging|old)-(\\d+)-`);
  let names: string[];
  try {
    names = await readdir(parent);
  } catch {
    return;
  }
  for (const name of names.sort()) {
    const match = leftover.exec(name);
    if (!match || isProcessRunning(Number(match[2]))) continue;
    const path = join(parent, name);
    if (match[1] === 'old' && !(await exists(final))) await rename(path, final);
    else await rm(path, { recursive: true, force: true });
  }
}

/** Whether a process with this pid exists (leftovers of running processes are never touched). */
export function isProcessRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Swaps stagingDir in as finalDir. Node has no renameat2(RENAME_EXCHANGE), so this is two renames:
 * readers see either the old or the new directory, except for the instant between the renames when
 * finalDir is absent. If the second rename fails, the old directory is put back.
 */
export async function replaceDirAtomically(stagingDir: string, finalDir: string): Promise<void> {
  const staging = resolve(stagingDir);
  const final = resolve(finalDir);
  const parent = dirname(final);
  if (dirname(staging) !== parent) {
    throw new Error(`staging dir ${staging} must be a sibling of ${final} (rename cannot cross directories safely)`);
  }
  if (!(await stat(staging)).isDirectory()) throw new Error(`${staging} is not a directory`);

  const aside = join(parent, `.${basename(final)}.old-${process.pid}-${randomBytes(4).toString('hex')}`);
  let movedAside = false;
  try {
    await rename(final, aside);
    movedAside = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  try {
    await rename(staging, final);
  } catch (error) {
    if (movedAside) await rename(aside, final).catch(() => {});
    throw error;
  }
  await fsyncDir(parent);
  if (movedAside) await rm(aside, { recursive: true, force: true });
}

/** Makes a rename durable; some filesystems refuse fsync on directories, which only costs durability. */
async function fsyncDir(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // best effort
  } finally {
    await handle?.close().catch(() => {});
  }
}
