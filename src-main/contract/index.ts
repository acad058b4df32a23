/** THE API of Xinglin: pure TypeScript, no Node, Electron or core imports. */
export * from './errors.js';
export * from './common.js';
export * from './app.js';
export * from './chat.js';
export * from './models.js';
export * from './clinic.js';
export * from './knowledge.js';
export * from './records.js';
export * from './eval.js';
export * from './data.js';
export * from './jobs.js';
export * from './methods.js';
export * from './events.js';
export * from './api.js';

/** The one IPC channel names used by the Electron main process and its preload. */
export const IPC_INVOKE = 'xinglin:invoke';
export const IPC_EVENT = 'xinglin:event';
/** Electron only: the main process shows a native open dialog and answers a `ChosenFile` (or null). */
export const IPC_CHOOSE_FILE = 'xinglin:choose-file';
/** Electron only: the main process prints the window to PDF (its print stylesheet applies) and saves it where the user chooses. */
export const IPC_SAVE_PDF = 'xinglin:save-pdf';
/** Electron only: the same dialog choosing several files; answers a `ChosenFile[]` (empty: cancelled). */
export const IPC_CHOOSE_FILES = 'xinglin:choose-files';
/** Electron only: the main process opens the models folder in the system's file manager. */
export const IPC_OPEN_MODELS_FOLDER = 'xinglin:open-models-folder';
/** Electron only: the paths of model files dropped on the window (the preload reads them); answers a `Reply<ChosenFile>` for each, in order. */
export const IPC_DROP_MODEL_FILES = 'xinglin:drop-model-files';
