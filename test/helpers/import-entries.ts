import fs from 'node:fs';
import path from 'node:path';
import type { KbImportReport } from '../../src-main/contract/index.js';
import type { Core } from '../../src-main/core/core.js';
import { tempDir } from './env.js';

/** Imports `records` as one jsonl source through the API, as the command line does: a file the user named, turned into a handle. */
export function importEntries(core: Core, records: object[], source: string): Promise<KbImportReport> {
  const file = path.join(tempDir('xinglin-import-'), 'entries.jsonl');
  fs.writeFileSync(file, `${records.map((record) => JSON.stringify(record)).join('\n')}\n`);
  return core.api.kb.import({ file: core.files.register(file).file, format: 'jsonl', dryRun: false, source });
}
