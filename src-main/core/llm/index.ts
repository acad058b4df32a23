/** The local LLM host: GGUF inspection, file digests, context fitting and the node-llama-cpp host. */
export { LlmHost } from './llm-host.js';
export type { AdapterChoice, GenerateRequest, GenerateResult, LlmHostOptions, LlmProvenance, LoadProgress } from './llm-host.js';
export { checkAdapterFits, inspectAdapter, inspectGguf, inspectModel, isSupportedArchitecture } from './gguf-inspect.js';
export type { GgufInspection, GgufRole, GgufTensor } from './gguf-inspect.js';
export type { GgufValue } from './gguf-reader.js';
export { clearHashCache, sha256File } from './file-hash.js';
export type { FileDigest, HashOptions } from './file-hash.js';
export { fitToContext, replyReserve } from './context-fit.js';
export type { ChatTurn, ContextPlan, FitOptions } from './context-fit.js';
export { ggmlTensorBytes, ggmlTypeName, isCpuRepackedType } from './ggml-types.js';
