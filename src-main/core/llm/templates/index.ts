/**
 * How turns become a prompt, per profile (contract TemplateChoice). `chatWrapperFor` runs in the
 * model process; `validateTemplate` in the app process, before a profile with a custom Jinja
 * template is saved.
 */
import { ChatMLChatWrapper, JinjaTemplateChatWrapper, Llama2ChatWrapper, resolveChatWrapper, type ChatHistoryItem, type ChatWrapper, type LlamaModel } from 'node-llama-cpp';
import { XinglinError, type TemplateChoice } from '../../../contract/index.js';
import { ALPACA_STOP, QiZhenAlpacaChatWrapper } from './alpaca.js';
import { CHATGLM_STOPS, ChatGlmChatWrapper } from './chatglm.js';
import { templateName } from './name.js';

export { templateName } from './name.js';
export { ALPACA_PREAMBLE, QiZhenAlpacaChatWrapper } from './alpaca.js';
export { ChatGlmChatWrapper } from './chatglm.js';

export interface ResolvedTemplate {
  wrapper: ChatWrapper;
  /** Recorded in provenance. */
  name: string;
  /** Text that ends an answer besides the model's end-of-generation token (the wrapper stops on them too). */
  stopTriggers: string[];
}

/** The administrator's Jinja source as node-llama-cpp runs it (its constructor renders a sanity test). */
function jinjaWrapper(source: string): JinjaTemplateChatWrapper {
  return new JinjaTemplateChatWrapper({ template: source });
}

function named(wrapper: ChatWrapper, stopTriggers: readonly string[]): ResolvedTemplate {
  return { wrapper, name: wrapper.wrapperName, stopTriggers: [...stopTriggers] };
}

export function chatWrapperFor(model: LlamaModel, template: TemplateChoice): ResolvedTemplate {
  switch (template.kind) {
    case 'auto': {
      const wrapper = resolveChatWrapper(model);
      return { wrapper, name: templateName(wrapper, model.fileInfo.metadata.tokenizer?.chat_template ?? null), stopTriggers: [] };
    }
    case 'chatml':
      return named(new ChatMLChatWrapper(), []);
    case 'llama2':
      return named(new Llama2ChatWrapper(), []);
    case 'alpaca':
      return named(new QiZhenAlpacaChatWrapper(), [ALPACA_STOP]);
    case 'chatglm':
      return named(new ChatGlmChatWrapper(), CHATGLM_STOPS);
    case 'jinja': {
      const source = template.source ?? '';
      const wrapper = jinjaWrapper(source);
      return { wrapper, name: templateName(wrapper, source), stopTriggers: [] };
    }
  }
}

const SAMPLE: ChatHistoryItem[] = [
  { type: 'system', text: '请只依据知识库回答。' },
  { type: 'user', text: '感冒发热怎么办？' },
  { type: 'model', response: ['多休息，多饮水。'] },
  { type: 'user', text: '需要吃药吗？' },
  { type: 'model', response: [] },
];

/** Refuses a custom Jinja template that does not render a sample conversation, naming the error. */
export function validateTemplate(template: TemplateChoice): void {
  if (template.kind !== 'jinja') return;
  try {
    jinjaWrapper(template.source ?? '').generateContextState({ chatHistory: SAMPLE });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // node-llama-cpp wraps the engine's error in an English sentence of its own: keep the engine's.
    const cause = /sanity test: (?:Error: )?([\s\S]*?)\.? Inspect the Jinja/.exec(message)?.[1] ?? message;
    throw new XinglinError('INVALID_INPUT', `自定义 Jinja 模板无法使用（Jinja 报错：${cause.slice(0, 300)}）`, { field: 'template.source' });
  }
}
