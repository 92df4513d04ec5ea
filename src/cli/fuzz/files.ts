/**
 * Crash-safe file writes for campaigns: write a temporary file beside the target, fsync it, then
 * rename it over the target, so a reader (or a campaign resumed after `kill -9`) sees either the old
 * file or the new one, never a torn one (the classic write-temp-then-rename(2) pattern; rename is
 * atomic within one POSIX file system). Every failure becomes a one-line UsageError naming the path.
 * Leaves out: fsync of the directory itself (a power cut may lose the rename, never tear the file).
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { open as openAsync, rename, rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../../engine/violation.js';

let tempCounter = 0;

function reason(e: unknown): string {
  const code = (e as { code?: string }).code;
  if (code === 'ENOSPC') return 'the disk is full';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EROFS') return 'read-only file system';
  if (code === 'ENOTDIR') return 'a parent is not a directory';
  return e instanceof Error ? e.message.split('\n')[0] ?? 'error' : String(e);
}

/**
 * `mkdir -p`, one level at a time: Node 20's `mkdirSync(p, { recursive: true })` spins forever on
 * some paths under /proc, so parents are created (or found missing) one by one.
 */
function mkdirp(dir: string): void {
  const abs = resolve(dir);
  const missing: string[] = [];
  let d = abs;
  while (!existsSync(d)) {
    missing.push(d);
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  for (const m of missing.reverse()) mkdirSync(m);
}

/** Create a directory (and parents); one-line UsageError when impossible. */
export function ensureDir(dir: string): void {
  try {
    mkdirp(dir);
  } catch (e) {
    throw new UsageError(`cannot create directory ${dir}: ${reason(e)}`);
  }
}

/**
 * Atomically replace `path` with `data` (temp file + fsync + rename). `sync = false` skips the
 * fsync: still atomic for a killed process (the page cache survives it), not for a power cut.
 */
export function writeAtomic(path: string, data: string | Uint8Array, sync = true): void {
  const tmp = `${path}.tmp-${process.pid}-${tempCounter++}`;
  try {
    mkdirp(dirname(path));
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
      if (sync) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    try { rmSync(tmp, { force: true }); } catch { /* best effort */ }
    throw new UsageError(`cannot write ${path}: ${reason(e)}`);
  }
}

/** Asynchronous `writeAtomic`, for the findings store (its mutex is held across the await). */
export async function writeAtomicAsync(path: string, data: string, sync = true): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${tempCounter++}`;
  try {
    mkdirp(dirname(path));
    const fh = await openAsync(tmp, 'w');
    try {
      await fh.writeFile(data);
      if (sync) await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw new UsageError(`cannot write ${path}: ${reason(e)}`);
  }
}

export function writeJsonAtomic(path: string, value: unknown, sync = true): void {
  writeAtomic(path, `${JSON.stringify(value, null, 2)}\n`, sync);
}

/** Largest file a campaign or report reads back (bytes): far above any it writes. */
export const MAX_READ_BYTES = 64 * 1024 * 1024;

/**
 * Read a text file from outside: only a regular file of at most `maxBytes` (a FIFO or /dev/zero
 * would never end), else a one-line UsageError.
 */
export function readTextFile(path: string, what: string, maxBytes = MAX_READ_BYTES): string {
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new UsageError(`cannot read ${what} ${path}: not a regular file`);
    if (st.size > maxBytes) throw new UsageError(`cannot read ${what} ${path}: ${st.size} bytes, more than the ${maxBytes} accepted`);
    return readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot read ${what} ${path}: ${reason(e)}`);
  }
}

/** Read and parse a JSON file; a missing, oversized or corrupt file is a one-line UsageError. */
export function readJson(path: string, what: string): unknown {
  const text = readTextFile(path, what);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new UsageError(`${what} ${path} is corrupt (not valid JSON); delete or restore it`);
  }
}

/** Check a directory is writable by creating and removing a probe file. */
export function assertWritable(dir: string): void {
  ensureDir(dir);
  writeAtomic(`${dir}/.probe`, 'ok');
  try { rmSync(`${dir}/.probe`, { force: true }); } catch { /* harmless */ }
}

/** File-name-safe form of a model name: `litmus/abba` -> `litmus/abba` (kept as folders). */
export function safeName(s: string): string {
  return s.replace(/[^a-zA-Z0-9._/-]/g, '_');
}
