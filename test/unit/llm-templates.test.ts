// @vitest-environment node
/**
 * The prompt templates a profile chooses, rendered over one conversation (a system text, one
 * earlier turn, a new question) the way node-llama-cpp's chat session renders it, on the real
 * fixture model and its tokenizer.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ChatMLChatWrapper, getLlama, Llama2ChatWrapper, LlamaText, resolveChatWrapper, SpecialToken, type ChatHistoryItem, type ChatWrapper, type LlamaModel } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XinglinError } from '../../src-main/contract/index.js';
import { chatWrapperFor, validateTemplate } from '../../src-main/core/llm/templates/index.js';
import { CHATML_TEMPLATE, generateFixtures } from '../fixtures/gguf/tiny-llama.js';

const SYSTEM = '请只依据知识库回答。';
const conversation: ChatHistoryItem[] = [
  { type: 'system', text: SYSTEM },
  { type: 'user', text: '感冒发热怎么办？' },
  { type: 'model', response: ['多休息，多饮水。'] },
  { type: 'user', text: '需要吃药吗？' },
  // What LlamaChatSession appends: the answer being written.
  { type: 'model', response: [] },
];
const bare: ChatHistoryItem[] = [{ type: 'user', text: '感冒发热怎么办？' }, { type: 'model', response: [] }];

/** QiZhen's demo prompt, character for character. */
const QIZHEN = (question: string) => `Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n### Instruction:\n${question}\n\n### Response: `;

let model: LlamaModel;

beforeAll(async () => {
  const paths = generateFixtures(fs.mkdtempSync(path.join(os.tmpdir(), 'xinglin-templates-')), { contextLength: 512 });
  const llama = await getLlama({ build: 'never', gpu: false });
  model = await llama.loadModel({ modelPath: paths.model });
});

afterAll(async () => {
  await model?.dispose();
});

function render(wrapper: ChatWrapper, history: ChatHistoryItem[] = conversation) {
  return wrapper.generateContextState({ chatHistory: history });
}

/**
 * The rendering as the model reads it: BOS, then the text as plain text (never special tokens),
 * tokenized as node-llama-cpp tokenizes text after a special token (no SentencePiece space prefix).
 */
function expectTokens(contextText: LlamaText, text: string): void {
  const bos = LlamaText(new SpecialToken('BOS')).tokenize(model.tokenizer);
  expect(bos).toHaveLength(1);
  expect(contextText.tokenize(model.tokenizer)).toEqual([...bos, ...model.tokenize(text, false, 'trimLeadingSpace')]);
}

describe('alpaca (QiZhen)', () => {
  it('renders a bare question exactly as QiZhen demos prompt it', () => {
    const { wrapper, name, stopTriggers } = chatWrapperFor(model, { kind: 'alpaca' });
    expect(name).toBe('alpaca');
    expect(stopTriggers).toEqual(['###']);
    const { contextText } = render(wrapper, bare);
    expect(contextText.toJSON()).toEqual([{ type: 'specialToken', value: 'BOS' }, QIZHEN('感冒发热怎么办？')]);
    expectTokens(contextText, QIZHEN('感冒发热怎么办？'));
  });

  it('puts the system text before the first instruction and earlier turns as Instruction/Response pairs', () => {
    const { contextText } = render(chatWrapperFor(model, { kind: 'alpaca' }).wrapper);
    const expected =
      'Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n' +
      `${SYSTEM}\n\n` +
      '### Instruction:\n感冒发热怎么办？\n\n### Response: 多休息，多饮水。\n\n' +
      '### Instruction:\n需要吃药吗？\n\n### Response: ';
    expect(contextText.toJSON()).toEqual([{ type: 'specialToken', value: 'BOS' }, expected]);
    expectTokens(contextText, expected);
  });

  it('cuts the answer at the next ###, and at the end-of-generation token', () => {
    const { stopGenerationTriggers } = render(chatWrapperFor(model, { kind: 'alpaca' }).wrapper);
    expect(stopGenerationTriggers.map((t) => t.toJSON())).toEqual([[{ type: 'specialToken', value: 'EOS' }], '###']);
  });
});

describe('chatglm', () => {
  it('renders the system text, then ChatGLM-6B rounds from [Round 0]', () => {
    const { wrapper, name, stopTriggers } = chatWrapperFor(model, { kind: 'chatglm' });
    expect(name).toBe('chatglm');
    expect(stopTriggers).toEqual(['[Round ', '\n问：']);
    const { contextText } = render(wrapper);
    const expected = `${SYSTEM}\n[Round 0]\n问：感冒发热怎么办？\n答：多休息，多饮水。\n[Round 1]\n问：需要吃药吗？\n答：`;
    expect(contextText.toJSON()).toEqual([{ type: 'specialToken', value: 'BOS' }, expected]);
    expectTokens(contextText, expected);
  });

  it('sends a first question alone, as ChatGLM-6B chat() does without history', () => {
    const { wrapper } = chatWrapperFor(model, { kind: 'chatglm' });
    expect(render(wrapper, bare).contextText.toJSON()).toEqual([{ type: 'specialToken', value: 'BOS' }, '感冒发热怎么办？']);
    const noSystem = conversation.slice(1);
    expect(render(wrapper, noSystem).contextText.toJSON()).toEqual([{ type: 'specialToken', value: 'BOS' }, '[Round 0]\n问：感冒发热怎么办？\n答：多休息，多饮水。\n[Round 1]\n问：需要吃药吗？\n答：']);
  });
});

describe('node-llama-cpp formats', () => {
  it('auto is the model’s own template, resolved as before', () => {
    const { wrapper, name, stopTriggers } = chatWrapperFor(model, { kind: 'auto' });
    const resolved = resolveChatWrapper(model);
    expect(wrapper.wrapperName).toBe(resolved.wrapperName);
    expect(name).toBe(resolved.wrapperName);
    expect(stopTriggers).toEqual([]);
    expect(render(wrapper).contextText.toJSON()).toEqual(render(resolved).contextText.toJSON());
  });

  it('chatml and llama2 use node-llama-cpp’s wrappers', () => {
    const chatml = chatWrapperFor(model, { kind: 'chatml' });
    expect(chatml.wrapper).toBeInstanceOf(ChatMLChatWrapper);
    expect(chatml.name).toBe('ChatML');
    expect(render(chatml.wrapper).contextText.toString()).toContain(`<|im_start|>system\n${SYSTEM}<|im_end|>\n<|im_start|>user\n感冒发热怎么办？<|im_end|>\n<|im_start|>assistant\n多休息，多饮水。`);
    const llama2 = chatWrapperFor(model, { kind: 'llama2' });
    expect(llama2.wrapper).toBeInstanceOf(Llama2ChatWrapper);
    expect(llama2.name).toBe('Llama2Chat');
    expect(render(llama2.wrapper).contextText.toString()).toContain(`[INST] <<SYS>>\n${SYSTEM}\n<</SYS>>\n\n感冒发热怎么办？ [/INST] 多休息，多饮水。`);
  });
});

describe('custom Jinja', () => {
  const source = "{% for m in messages %}<{{ m.role }}>{{ m.content }}\n{% endfor %}{% if add_generation_prompt %}<assistant>{% endif %}";

  it('renders the administrator’s source and names it by its digest', () => {
    const { wrapper, name } = chatWrapperFor(model, { kind: 'jinja', source });
    expect(name).toBe(`JinjaTemplate(sha256:${createHash('sha256').update(source).digest('hex').slice(0, 12)})`);
    expect(render(wrapper).contextText.toString()).toBe(`<system>${SYSTEM}\n<user>感冒发热怎么办？\n<assistant>多休息，多饮水。\n<user>需要吃药吗？\n<assistant>`);
    expect(() => validateTemplate({ kind: 'jinja', source })).not.toThrow();
    // Also the fixture's own (ChatML) template, as an administrator might paste it.
    expect(() => validateTemplate({ kind: 'jinja', source: CHATML_TEMPLATE })).not.toThrow();
  });

  it('refuses a broken template with INVALID_INPUT naming the Jinja error', () => {
    const refusal = (template: string): XinglinError => {
      try {
        validateTemplate({ kind: 'jinja', source: template });
      } catch (error) {
        expect(error).toBeInstanceOf(XinglinError);
        return error as XinglinError;
      }
      throw new Error('expected a refusal');
    };
    const syntax = refusal('{% for m in messages %}{{ m.content }');
    expect(syntax.code).toBe('INVALID_INPUT');
    expect(syntax.message).toMatch(/^自定义 Jinja 模板无法使用（Jinja 报错：Parser Error: Expected closing expression token/);
    // A template that leaves the conversation out cannot prompt the model.
    expect(refusal('你好').message).toContain('Some input messages are not present');
    expect(refusal('{{ raise_exception("不支持系统消息") }}').message).toContain('不支持系统消息');
  });

  it('accepts every non-Jinja template without rendering anything', () => {
    for (const kind of ['auto', 'chatml', 'llama2', 'alpaca', 'chatglm'] as const) expect(() => validateTemplate({ kind })).not.toThrow();
  });
});
