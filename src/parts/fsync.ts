// Durability: a file's bytes are durable once it is fsynced; a rename or a
// new file is durable only once its folder is fsynced too.

import { open } from 'node:fs/promises';

async function fsyncPath(path: string, flags: 'r' | 'r+'): Promise<void> {
  const fh = await open(path, flags);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export function fsyncFile(path: string): Promise<void> {
  return fsyncPath(path, 'r+');
}

export function fsyncDir(dir: string): Promise<void> {
  return fsyncPath(dir, 'r');
}
