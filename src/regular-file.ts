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
