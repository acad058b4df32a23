/** The SQLite kit every slice builds its repositories on. Imports no slice. */
export { openDatabase, MEMORY, type Db, type OpenDatabaseOptions } from './open.js';
export { applyKey, rekey, fileEncryption, KEY_BYTES, type DatabaseKey } from './cipher.js';
export { migrate, readSchemaVersion, type Migration } from './migrate.js';
export { SNIPPET_CHARS, makeSnippet } from './snippet.js';
export { segment, indexColumns, queryPieces, ftsQuery, type Piece, type Unit } from './segment.js';
export { SLOW_QUERY_MS, slowQueryTimer, type SlowQueryOptions } from './slow-query.js';
export { snapshotDatabase, checkDatabase, isDatabaseInUse, type DatabaseCheck } from './backup.js';
