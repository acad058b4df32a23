/** The instruction-data builder: the knowledge base (and a hospital's pairs and signed records) as Alpaca or ShareGPT lines. */
export { buildDataset, RECORD_INSTRUCTION, type DatasetRequest, type DatasetSources } from './build.js';
