/**
 * Typed error codes shared by every host and the renderer. The core builds the Chinese
 * `message` (naming the cause: the file, the limit, the field); `details` carries the same
 * facts as data so the renderer can phrase them in another language.
 */
export const errorCodes = [
  'INVALID_INPUT',
  'UNKNOWN_METHOD',
  'UNAUTHORIZED',
  'NOT_FOUND',
  'BUSY',
  'NO_MODEL',
  'MODEL_NOT_FOUND',
  'MODEL_NOT_GGUF',
  'MODEL_TRUNCATED',
  'MODEL_UNSUPPORTED',
  'MODEL_LOAD_FAILED',
  /** The file is a GGUF whose header or hyperparameters cannot be right (zero heads, counts the file cannot hold). */
  'MODEL_CORRUPT',
  /** The model process died (a native abort, out of memory, a hang); the app kept running. */
  'RUNTIME_CRASHED',
  /** Loading would need more RAM or VRAM than the workstation has (the message says how much of each). */
  'MODEL_TOO_LARGE',
  /** An import of a file the registry already holds (same sha256), or of a name already taken. */
  'MODEL_DUPLICATE',
  /** The file is loaded or named by a profile: unload it or change the profile first. */
  'MODEL_IN_USE',
  /** A remote model server cannot be reached, or did not answer in time. */
  'REMOTE_UNAVAILABLE',
  /** A remote model server answered with an error or with a stream that is not OpenAI's format. */
  'REMOTE_FAILED',
  'ADAPTER_NOT_FOUND',
  'ADAPTER_MISMATCH',
  'PROMPT_TOO_LONG',
  'GENERATION_FAILED',
  'IMPORT_INVALID',
  /** The user (or a newer request) cancelled the work; nothing of it was kept. */
  'CANCELLED',
  /** The data folder's database was written by a newer Xinglin: upgrade the app. */
  'DATABASE_NEWER',
  /** The database file is damaged or is not Xinglin's: restore it from a backup. */
  'DATABASE_CORRUPT',
  /** The database file cannot be opened or created (permissions, a full disk, a locked file). */
  'DATABASE_UNAVAILABLE',
  /** A schema upgrade failed and was rolled back; the data is as it was. */
  'MIGRATION_FAILED',
  /** A file of the starter knowledge base that ships with the app is damaged: reinstall. */
  'STARTER_INVALID',
  /** A data or models folder is a file, cannot be created, is read-only, full, or a special filesystem. */
  'FOLDER_UNUSABLE',
  /** An uploaded or chosen file is larger than the limit for its use. */
  'FILE_TOO_LARGE',
  /** A record was saved in another window since this one opened it: nothing was overwritten. */
  'RECORD_CONFLICT',
  /** A signed record cannot change: a correction is an addendum. */
  'RECORD_SIGNED',
  /** The consultation text cannot be read as a dialogue (empty, no speaker prefixes). */
  'DIALOGUE_INVALID',
  /** An evaluation set that runs read their cases from: delete those runs first. */
  'EVAL_SET_IN_USE',
  /** A backup file is not Xinglin's, is of an unknown format, or was truncated or altered: nothing was restored. */
  'BACKUP_INVALID',
  /** The data folder (or a backup) is encrypted and no database key was given: the keychain entry, XINGLIN_DB_KEY_FILE or XINGLIN_DB_KEY. */
  'ENCRYPTION_KEY_MISSING',
  /** The database key given is not the one the data folder (or the backup) was encrypted with; nothing was opened or changed. */
  'ENCRYPTION_KEY_WRONG',
  /** A key was given for a data folder whose databases are not encrypted: run `xinglin encrypt` (it backs up first). */
  'ENCRYPTION_NOT_ENABLED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof errorCodes)[number];
export type ErrorDetails = Record<string, string | number | boolean>;

/** What crosses a process or network boundary. */
export interface WireError {
  code: ErrorCode;
  message: string;
  details?: ErrorDetails;
}

export class XinglinError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails | undefined;

  constructor(code: ErrorCode, message: string, details?: ErrorDetails) {
    super(message);
    this.name = 'XinglinError';
    this.code = code;
    this.details = details;
  }

  toWire(): WireError {
    return this.details ? { code: this.code, message: this.message, details: this.details } : { code: this.code, message: this.message };
  }

  static fromWire(wire: WireError): XinglinError {
    return new XinglinError(wire.code, wire.message, wire.details);
  }
}

export function isWireError(value: unknown): value is WireError {
  if (typeof value !== 'object' || value === null) return false;
  const { code, message } = value as Record<string, unknown>;
  return typeof message === 'string' && (errorCodes as readonly unknown[]).includes(code);
}
