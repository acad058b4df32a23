/**
 * The models folder's manifest (`<modelsDir>/manifest.json`): what the registry knows of each file
 * (digest, metadata, when imported and verified) and the profiles, with the last one used. One small
 * JSON file an administrator can read and copy with the models; written whole, atomically (a
 * temporary file renamed over it), so a crash mid-write leaves the previous manifest.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { GgufMetadata, ModelKind, Profile, ProfileId } from '../../contract/index.js';

export const MANIFEST_FILE = 'manifest.json';

export const RecordedFile = z.object({
  file: z.string(),
  kind: ModelKind,
  sizeBytes: z.number().int(),
  mtimeMs: z.number(),
  sha256: z.string().nullable(),
  importedAt: z.number().int().nullable(),
  verifiedAt: z.number().int().nullable(),
  metadata: GgufMetadata,
});
export type RecordedFile = z.infer<typeof RecordedFile>;

const ManifestSchema = z.object({
  version: z.literal(1),
  files: z.array(RecordedFile),
  profiles: z.array(Profile),
  lastProfileId: ProfileId.nullable(),
  autoLoad: z.boolean(),
});
export type Manifest = z.infer<typeof ManifestSchema>;

const empty = (): Manifest => ({ version: 1, files: [], profiles: [], lastProfileId: null, autoLoad: true });

/** What happened to a manifest that could not be read: set aside under this name, never deleted. */
export interface ManifestRecovery {
  damagedCopy: string;
  cause: string;
}

export class ManifestFile {
  readonly path: string;
  #cache: Manifest | null = null;
  /** Set when the manifest on disk was unreadable and a fresh one began. */
  recovery: ManifestRecovery | null = null;

  constructor(modelsDir: string) {
    this.path = path.join(modelsDir, MANIFEST_FILE);
  }

  read(): Manifest {
    if (this.#cache) return structuredClone(this.#cache);
    let text: string;
    try {
      text = fs.readFileSync(this.path, 'utf8');
    } catch {
      this.#cache = empty();
      return empty();
    }
    try {
      this.#cache = ManifestSchema.parse(JSON.parse(text));
    } catch (cause) {
      // A damaged or hand-edited manifest must not stop the app, nor be lost: keep it aside.
      const damagedCopy = `${this.path}.damaged-${Date.now()}`;
      fs.renameSync(this.path, damagedCopy);
      this.recovery = { damagedCopy, cause: cause instanceof Error ? cause.message.slice(0, 300) : String(cause) };
      this.#cache = empty();
    }
    return structuredClone(this.#cache);
  }

  /** Applies `change` to the current manifest and writes the result atomically; returns it. */
  update(change: (manifest: Manifest) => void): Manifest {
    const next = this.read();
    change(next);
    const parsed = ManifestSchema.parse(next);
    const temp = `${this.path}.${process.pid}.tmp`;
    const fd = fs.openSync(temp, 'w', 0o600);
    try {
      fs.writeFileSync(fd, `${JSON.stringify(parsed, null, 2)}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, this.path);
    this.#cache = parsed;
    return structuredClone(parsed);
  }
}
