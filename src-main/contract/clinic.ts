import { z } from 'zod';
import { Sampling } from './common.js';

/**
 * OpenAI's chat-completions wire format as Xinglin speaks it: what the clinic server (`/v1`)
 * accepts and answers, and what the remote provider reads back from any OpenAI-compatible server
 * (vLLM, llama.cpp server, Ollama, another Xinglin). Field names are OpenAI's (snake_case).
 * Requests tolerate fields they do not know (SDKs add new ones); they are dropped, not refused.
 */

/** `developer` is OpenAI's newer name for `system`, and is read as one. */
export const ChatRole = z.enum(['system', 'developer', 'user', 'assistant']);
export type ChatRole = z.infer<typeof ChatRole>;

/** The longest text of one message (the 1 MB body limit and the model's context decide the rest). */
export const MAX_MESSAGE_CHARS = 200_000;

export const ChatMessage = z.object({ role: ChatRole, content: z.string().max(MAX_MESSAGE_CHARS) });
export type ChatMessage = z.infer<typeof ChatMessage>;

/** A JSON schema the answer must follow (`response_format: {type: 'json_schema', …}`). */
export const ResponseFormat = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_schema'), json_schema: z.object({ name: z.string().max(64), schema: z.record(z.string(), z.unknown()), strict: z.boolean().nullish() }) }),
]);
export type ResponseFormat = z.infer<typeof ResponseFormat>;

const STOP_MAX = 4;

/**
 * A chat-completions request. The sampling fields take the ranges of the app's own Sampling (a
 * value outside is refused naming the range). `top_k`, `min_p` and `repeat_penalty` (alias
 * `repetition_penalty`, vLLM's name) are the extensions llama.cpp's server and vLLM accept.
 */
export const ChatCompletionRequest = z.object({
  /** A profile id of `/v1/models`. */
  model: z.string().min(1).max(256),
  messages: z.array(ChatMessage).min(1).max(512),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().nullish() }).nullish(),
  temperature: Sampling.shape.temperature.nullish(),
  top_p: Sampling.shape.topP.nullish(),
  max_tokens: Sampling.shape.maxTokens.nullish(),
  /** Newer SDKs' name for max_tokens. */
  max_completion_tokens: Sampling.shape.maxTokens.nullish(),
  seed: Sampling.shape.seed.nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  top_k: Sampling.shape.topK.nullish(),
  min_p: z.number().min(0).max(1).nullish(),
  repeat_penalty: z.number().min(1).max(2).nullish(),
  repetition_penalty: z.number().min(1).max(2).nullish(),
  /** The answer ends before the first of these texts (which is not part of it). */
  stop: z.union([z.string().min(1).max(200), z.array(z.string().min(1).max(200)).max(STOP_MAX)]).nullish(),
  /** One answer per request: the workstation has one model sequence. */
  n: z.literal(1).nullish(),
  response_format: ResponseFormat.nullish(),
});
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequest>;
export type ChatCompletionRequestInput = z.input<typeof ChatCompletionRequest>;

export const FinishReason = z.enum(['stop', 'length']);
export type FinishReason = z.infer<typeof FinishReason>;

export const Usage = z.object({ prompt_tokens: z.number().int(), completion_tokens: z.number().int(), total_tokens: z.number().int() });
export type Usage = z.infer<typeof Usage>;

export const ChatCompletion = z.object({
  id: z.string(),
  object: z.literal('chat.completion'),
  created: z.number().int(),
  model: z.string(),
  choices: z.array(z.object({
    index: z.number().int(),
    message: z.object({ role: z.literal('assistant'), content: z.string() }),
    finish_reason: FinishReason,
    logprobs: z.null(),
  })),
  usage: Usage,
});
export type ChatCompletion = z.infer<typeof ChatCompletion>;

/** One event of a streamed answer; the last one (when usage was asked for) has no choices. */
export const ChatCompletionChunk = z.object({
  id: z.string(),
  object: z.literal('chat.completion.chunk'),
  created: z.number().int(),
  model: z.string(),
  choices: z.array(z.object({
    index: z.number().int(),
    delta: z.object({ role: z.literal('assistant').optional(), content: z.string().optional() }),
    finish_reason: FinishReason.nullable(),
    logprobs: z.null(),
  })),
  usage: Usage.nullable().optional(),
});
export type ChatCompletionChunk = z.infer<typeof ChatCompletionChunk>;

/**
 * What a client needs of a streamed chunk from any OpenAI-compatible server: the text delta and
 * why it finished. Servers add their own fields (vLLM's `usage: null`, llama.cpp's `timings`,
 * reasoning text); they are ignored, but a chunk without `choices` is not this format.
 */
export const ServerChunk = z.object({
  choices: z.array(z.object({
    delta: z.object({ content: z.string().nullish() }).nullish(),
    finish_reason: z.string().nullish(),
  })),
  usage: z.object({ prompt_tokens: z.number().int().min(0), completion_tokens: z.number().int().min(0) }).nullish(),
});
export type ServerChunk = z.infer<typeof ServerChunk>;

/** A whole answer from a server that ignored `stream: true`. */
export const ServerCompletion = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.string().nullish() }), finish_reason: z.string().nullish() })).min(1),
  usage: ServerChunk.shape.usage,
});
export type ServerCompletion = z.infer<typeof ServerCompletion>;

/** OpenAI's model object: the id is a profile id. */
export const ClinicModel = z.object({ id: z.string(), object: z.literal('model'), created: z.number().int(), owned_by: z.string() });
export type ClinicModel = z.infer<typeof ClinicModel>;

export const ClinicModelList = z.object({ object: z.literal('list'), data: z.array(ClinicModel) });
export type ClinicModelList = z.infer<typeof ClinicModelList>;

/** OpenAI's error body; `code` is Xinglin's error code. */
export const OpenAiError = z.object({
  error: z.object({ message: z.string(), type: z.string(), code: z.string().nullable(), param: z.string().nullable() }),
});
export type OpenAiError = z.infer<typeof OpenAiError>;

/**
 * How servers phrase an error, each a little differently: OpenAI, Ollama and llama.cpp as
 * `{error: {message}}` (llama.cpp mid-stream too), vLLM as `{message}` at the top, FastAPI as
 * `{detail}`, some as `{error: "text"}`.
 */
export const ServerError = z.union([
  z.object({ error: z.object({ message: z.string() }) }).transform((e) => e.error.message),
  z.object({ error: z.string() }).transform((e) => e.error),
  z.object({ message: z.string(), object: z.literal('error') }).transform((e) => e.message),
  z.object({ detail: z.string() }).transform((e) => e.detail),
]);
