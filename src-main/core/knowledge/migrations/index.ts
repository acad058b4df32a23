import { sourcesEntitiesFacts } from './0001-sources-entities-facts.js';
import { previousVersion } from './0002-previous-version.js';

/** knowledge.db's schema, in order. */
export const knowledgeMigrations = [sourcesEntitiesFacts, previousVersion] as const;
