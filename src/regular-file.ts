/**
 * Reading files the scanned tree or the user names: only regular files. A FIFO nobody writes to blocks a read
 * (and even a plain open) forever; a device may never end.
 */
import { constants, promises as fs } from 'node:fs';

/** The file's bytes; throws `not a regular file` for a FIFO, device or socket. */
export async function readRegularFile(file: string): Promise<Buffer> {
  // Non-blocking, so that opening a FIFO returns at once; regular files read as usual.
  const handle = await fs.open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!(await handle.stat()).isFile()) throw new Error('not a regular file');
    return await handle.readFile();
  } finally {
    await handle.close();
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
