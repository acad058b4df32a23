/** Encryption at rest: the data folder's key (where it comes from, its fingerprint), the folder's marker, and encrypting or decrypting a folder in place. */
export { keyCheck, generateKey, keyToText, parseKey, readKeyFile, createKeyFile, keyFromEnvironment, type SuppliedKey } from './key.js';
export { readMarker, MARKER_NAME, type EncryptionMarker } from './marker.js';
export { checkFolderKey, folderKey } from './folder.js';
export { encryptDataFolder, decryptDataFolder, type EncryptionChange, type EncryptionChangeResult } from './migrate.js';
