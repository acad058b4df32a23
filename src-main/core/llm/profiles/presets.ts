/**
 * Ready starting points for QiZhen's three model families, with the prompt and sampling their own
 * demos use. Every value outside the QiZhen/ChatGLM sources is the app's default (core/config
 * `defaultSampling`): the seed, top-k, min-p, presence and frequency penalties.
 */
import type { ProfilePreset, Sampling } from '../../../contract/index.js';
import { defaultSampling } from '../../config.js';

/**
 * QiZhen's CaMA-13B and Chinese-LLaMA-Plus-7B demos: `temperature=0.4, top_p=0.75,
 * repetition_penalty=1.3, max_new_tokens=512` (issue 11, item 2, quoting the QiZhen demos).
 */
const QIZHEN_LLAMA_SAMPLING: Sampling = { ...defaultSampling, temperature: 0.4, topP: 0.75, repeatPenalty: 1.3, maxTokens: 512 };

/**
 * ChatGLM-6B: the defaults of its own `chat()` (THUDM/chatglm-6b modeling_chatglm.py:
 * `do_sample=True, top_p=0.7, temperature=0.95`), with QiZhen's 512 new tokens. chat() applies
 * no repetition penalty (1: off).
 */
const CHATGLM_SAMPLING: Sampling = { ...defaultSampling, temperature: 0.95, topP: 0.7, repeatPenalty: 1, maxTokens: 512 };

/** Each family's context length as trained (LLaMA and ChatGLM-6B: 2048 tokens). */
const TRAINED_CONTEXT = 2048;

export const PRESETS: readonly ProfilePreset[] = [
  {
    id: 'qizhen-cama',
    name: '启真 CaMA-13B',
    description: '启真医学大模型的 CaMA-13B 版本：Alpaca 指令格式，采样参数与启真演示一致（温度 0.4，top-p 0.75，重复惩罚 1.3，最多 512 个新词元）。',
    template: { kind: 'alpaca' },
    sampling: QIZHEN_LLAMA_SAMPLING,
    contextSize: TRAINED_CONTEXT,
  },
  {
    id: 'qizhen-chinese-llama',
    name: '启真 Chinese-LLaMA-Plus-7B',
    description: '启真医学大模型的 Chinese-LLaMA-Plus-7B 版本：Alpaca 指令格式，采样参数与启真演示一致（温度 0.4，top-p 0.75，重复惩罚 1.3，最多 512 个新词元）。',
    template: { kind: 'alpaca' },
    sampling: QIZHEN_LLAMA_SAMPLING,
    contextSize: TRAINED_CONTEXT,
  },
  {
    id: 'qizhen-chatglm',
    name: '启真 ChatGLM-6B',
    description: '启真医学大模型的 ChatGLM-6B 版本：ChatGLM 的“[Round n] 问：… 答：”对话格式，采样参数取 ChatGLM-6B 自带对话函数的默认值（温度 0.95，top-p 0.7），最多 512 个新词元。',
    template: { kind: 'chatglm' },
    sampling: CHATGLM_SAMPLING,
    contextSize: TRAINED_CONTEXT,
  },
];
