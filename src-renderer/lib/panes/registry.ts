import { chatPane } from './chat/index.js';
import { dataPane } from './data/index.js';
import { evalPane } from './eval/index.js';
import { knowledgePane } from './knowledge/index.js';
import { modelsPane } from './models/index.js';
import type { Pane } from './pane.js';
import { recordPane } from './record/index.js';

/**
 * The panes, in tab order; the first is where the app opens. A pane brings its own folder
 * (lib/panes/<id>/ with an index.ts declaring it) and strings (lib/i18n/<id>/), and its line here (an import and an entry).
 */
export const panes: readonly Pane[] = [chatPane, recordPane, knowledgePane, modelsPane, evalPane, dataPane];
