/** The knowledge base's public face: the service, and the pieces chat and the CLI reuse. */
export { KnowledgeService, type KnowledgeOptions, type ModelReply } from './service.js';
export type { Retrieval, Recognition, RecognizedEntity } from './recognize.js';
export type { GroundedPrompt } from './grounded.js';
export { STARTER_LABEL, defaultStarterDir, readStarter } from './starter.js';
export { parseListSection, parseInteractions } from './label-text.js';
export { drugKey, lookupForm, normalizeName, stripDosageForm } from './names.js';
export { parseIndications, type LabelIndication, type ParsedIndications } from './label-indications.js';
export { readSynonyms, SYNONYM_SOURCES, type Synonym } from './synonyms.js';
