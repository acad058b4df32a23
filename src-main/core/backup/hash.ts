import { createHash } from 'node:crypto';
import fs from 'node:fs';

/** The sha256 (hex) of a file, read as a stream: a database can be larger than memory allows. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
