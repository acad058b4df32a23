/** The store's public face: the `Store` class and the few helpers other services may reuse. */
export { Store, MAX_SEARCH_LIMIT, type NewMessage, type StoreOptions } from './store.js';
export { openDatabase, type Db, type OpenDatabaseOptions } from './database.js';
export { migrations, LATEST_SCHEMA_VERSION, type Migration } from './migrations.js';
export { MARK_START, MARK_END, SNIPPET_CHARS, makeSnippet } from './snippet.js';
export { segment, indexColumns, queryPieces, ftsQuery, type Piece, type Unit } from './segment.js';
export { SLOW_QUERY_MS, type SlowQueryEntry, type SlowQueryLogger } from './slow-log.js';
