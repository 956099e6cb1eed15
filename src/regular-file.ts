/**
 * Reading files the scanned tree or the user names: only regular files. A FIFO nobody writes to blocks a read
 * (and even a plain open) forever; a device may never end.
 */
import { closeSync, constants, fstatSync, openSync, readFileSync, readSync } from 'node:fs';

/**
 * The file's bytes; throws `not a regular file` for a FIFO, device or socket. Synchronous: a scan reads
 * thousands of small files, and the thread-pool round trips of an asynchronous read (open, stat, read, close)
 * cost more than the reads themselves.
 */
export function readRegularFile(file: string): Buffer {
  // Non-blocking, so that opening a FIFO returns at once; regular files read as usual.
  const descriptor = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!fstatSync(descriptor).isFile()) throw new Error('not a regular file');
    return readFileSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
}

/** `length` bytes of the file from `offset`; throws when it is not a regular file or ends before them. */
export function readRegularFileRange(file: string, offset: number, length: number): Buffer {
  const descriptor = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!fstatSync(descriptor).isFile()) throw new Error('not a regular file');
    const bytes = Buffer.allocUnsafe(length);
    for (let read = 0; read < length; ) {
      const got = readSync(descriptor, bytes, read, length - read, offset + read);
      if (!got) throw new Error('the file ends before the bytes asked for');
      read += got;
    }
    return bytes;
  } finally {
    closeSync(descriptor);
  }
}

/** The file as UTF-8 text, or undefined when it cannot be read. */
export function readTextOrUndefined(file: string): string | undefined {
  try {
    return readRegularFile(file).toString('utf8');
  } catch {
    return undefined;
  }
}

// What a file-system error means to the person who named the file.
const FILE_PROBLEMS: Record<string, string> = {
  ENOENT: 'no such file or folder',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'it is a folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
};

/** A file error as a sentence: the problem in words (the system's code when it has no words here). */
export function fileProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return (code && FILE_PROBLEMS[code]) ?? (code || (error as Error).message);
}
