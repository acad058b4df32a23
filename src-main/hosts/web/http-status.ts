import type { ErrorCode } from '../../contract/index.js';

/**
 * The HTTP status of each typed error. A Record, not a Partial: a new error code does not type-check
 * until it has a status here, so no typed error falls through to 500, which means INTERNAL only.
 */
export const httpStatusOf: Record<ErrorCode, number> = {
  INVALID_INPUT: 400,
  UNAUTHORIZED: 401,
  // Not found: the method, the entity, the model or adapter file the request named.
  UNKNOWN_METHOD: 404,
  NOT_FOUND: 404,
  MODEL_NOT_FOUND: 404,
  ADAPTER_NOT_FOUND: 404,
  // The state of the app refuses it now: wait, load a model, or ask again.
  BUSY: 409,
  NO_MODEL: 409,
  CANCELLED: 409,
  // The record changed or was signed since the request's version: nothing was overwritten.
  RECORD_CONFLICT: 409,
  RECORD_SIGNED: 409,
  MODEL_DUPLICATE: 409,
  MODEL_IN_USE: 409,
  EVAL_SET_IN_USE: 409,
  // Too large for its limit.
  PROMPT_TOO_LONG: 413,
  FILE_TOO_LARGE: 413,
  MODEL_TOO_LARGE: 413,
  // The file the request named is there but cannot be used; sending it again will not help.
  MODEL_NOT_GGUF: 422,
  MODEL_TRUNCATED: 422,
  MODEL_UNSUPPORTED: 422,
  MODEL_CORRUPT: 422,
  MODEL_LOAD_FAILED: 422,
  ADAPTER_MISMATCH: 422,
  IMPORT_INVALID: 422,
  DIALOGUE_INVALID: 422,
  BACKUP_INVALID: 422,
  // The app's own side cannot serve it: its database, folders, shipped files or model process.
  DATABASE_NEWER: 503,
  DATABASE_CORRUPT: 503,
  DATABASE_UNAVAILABLE: 503,
  ENCRYPTION_KEY_MISSING: 503,
  ENCRYPTION_KEY_WRONG: 503,
  ENCRYPTION_NOT_ENABLED: 503,
  MIGRATION_FAILED: 503,
  STARTER_INVALID: 503,
  FOLDER_UNUSABLE: 503,
  RUNTIME_CRASHED: 503,
  GENERATION_FAILED: 503,
  // The remote model server the profile names failed, not this app.
  REMOTE_UNAVAILABLE: 502,
  REMOTE_FAILED: 502,
  INTERNAL: 500,
};
