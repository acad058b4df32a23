import type { ErrorCode } from '$contract';
import type { messages as zh } from './zh-CN.js';

/** Errors: the generic line and one line per error code, in English: exactly the keys of zh-CN.ts (the type says so). */
export const messages: { readonly [K in keyof typeof zh]: string } = {
  'error.generic': 'Something went wrong',
};

/** English text for each error code; the details (file, limit, field) are appended. */
export const codes: Record<ErrorCode, string> = {
  INVALID_INPUT: 'The input is not valid.',
  UNKNOWN_METHOD: 'Unknown operation.',
  UNAUTHORIZED: 'Access token missing or expired. Reopen the page from the link Xinglin printed at start-up.',
  NOT_FOUND: 'Not found.',
  BUSY: 'Busy with another task. Try again in a moment.',
  NO_MODEL: 'No model is loaded.',
  MODEL_NOT_FOUND: 'The model file was not found.',
  MODEL_NOT_GGUF: 'The file is not a GGUF model.',
  MODEL_TRUNCATED: 'The model file is incomplete (truncated).',
  MODEL_UNSUPPORTED: 'This model is not supported.',
  MODEL_LOAD_FAILED: 'The model could not be loaded.',
  MODEL_CORRUPT: 'The model file is damaged: its header or hyperparameters cannot be right.',
  RUNTIME_CRASHED: 'The model process quit unexpectedly; Xinglin is still running. Reload the model.',
  MODEL_TOO_LARGE: 'The model needs more memory (RAM or VRAM) than this workstation has.',
  MODEL_DUPLICATE: 'This file is already in the model registry (same content or same name).',
  MODEL_IN_USE: 'The file is in use: unload the model or change the profile that names it first.',
  REMOTE_UNAVAILABLE: 'The remote model server cannot be reached or did not answer in time.',
  REMOTE_FAILED: 'The remote model server answered with an error or with data in a format it cannot read.',
  ADAPTER_NOT_FOUND: 'The adapter file was not found.',
  ADAPTER_MISMATCH: 'The adapter does not match the model.',
  PROMPT_TOO_LONG: 'The question is too long for the model’s context.',
  GENERATION_FAILED: 'Generation failed.',
  IMPORT_INVALID: 'The file could not be imported: its content is not valid.',
  CANCELLED: 'Cancelled. Nothing of it was kept.',
  DATABASE_NEWER: 'The data folder was written by a newer version of Xinglin. Upgrade Xinglin to open it.',
  DATABASE_CORRUPT: 'The database file is damaged or is not Xinglin’s. Restore it from a backup.',
  DATABASE_UNAVAILABLE: 'The database file cannot be opened or created (permissions, a full disk or a locked file).',
  MIGRATION_FAILED: 'Upgrading the database failed and was rolled back; the data is as it was.',
  STARTER_INVALID: 'A file of the starter knowledge base that ships with Xinglin is damaged. Reinstall Xinglin.',
  FOLDER_UNUSABLE: 'A data or models folder cannot be used (a file, read-only, full, or a special filesystem).',
  FILE_TOO_LARGE: 'The file is too large.',
  RECORD_CONFLICT: 'The record was saved in another window since you opened it. Nothing was overwritten.',
  RECORD_SIGNED: 'The record is signed and cannot change. Write an addendum to correct it.',
  DIALOGUE_INVALID: 'The text could not be read as a consultation dialogue.',
  BACKUP_INVALID: 'The backup file is not Xinglin’s, has an unknown format, or was truncated or altered. Nothing was restored.',
  ENCRYPTION_KEY_MISSING: 'The data is encrypted and no database key was given (keychain, XINGLIN_DB_KEY_FILE or XINGLIN_DB_KEY).',
  ENCRYPTION_KEY_WRONG: 'The database key is not the one this data (or backup) was encrypted with. Nothing was opened or changed.',
  ENCRYPTION_NOT_ENABLED: 'A database key was given, but this data folder is not encrypted. Run xinglin encrypt first (it backs up first).',
  EVAL_SET_IN_USE: 'Evaluation runs still use this set: delete them first.',
  INTERNAL: 'Internal error.',
};
