/** Findings extraction: the vocabulary (data files) and the rules that read a consultation with it. */
export { extractFindings } from './extract.js';
export { readTurn, type Mention } from './mentions.js';
export { loadVocabulary, defaultVocabularyDir, lookupForm, EXTRACTOR_REVISION, type Vocabulary, type ExtraTerm } from './vocabulary.js';
