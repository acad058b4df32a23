/**
 * The model process's side of the protocol: one LocalRuntime, driven by the app's requests.
 * Every llama.cpp object lives here, so a native abort or an out-of-memory kill ends this
 * process and never the app.
 */
import { XinglinError, type WireError } from '../../../contract/index.js';
import { LocalRuntime } from '../runtime/runtime.js';
import { errorText } from '../runtime/load.js';
import type { FromRuntime, ToRuntime } from './protocol.js';

export interface RuntimePort {
  send(message: FromRuntime): void;
  onMessage(listener: (message: ToRuntime) => void): void;
}

function toWire(error: unknown): WireError {
  return error instanceof XinglinError ? error.toWire() : { code: 'GENERATION_FAILED', message: `模型进程出错：${errorText(error)}` };
}

export function serveRuntime(port: RuntimePort): void {
  let runtime: LocalRuntime | null = null;
  const aborts = new Map<number, AbortController>();
  // The grounded prompt asks whether each candidate sources text fits: the question is measured once.
  let budget: { key: string; fits: (sources: string) => boolean } | null = null;

  const engine = (): LocalRuntime => {
    if (!runtime) throw new XinglinError('INTERNAL', '模型进程尚未初始化');
    return runtime;
  };

  async function handle(message: Exclude<ToRuntime, { op: 'abort' }>, signal: AbortSignal): Promise<unknown> {
    const { id } = message;
    switch (message.op) {
      case 'init':
        runtime ??= new LocalRuntime(message.params);
        await runtime.init();
        return runtime.status();
      case 'load': {
        budget = null;
        const { plan, ...request } = message.params;
        return engine().load(plan, { ...request, signal, onProgress: (progress) => port.send({ id, type: 'progress', progress }) });
      }
      case 'useVariant':
        budget = null;
        return engine().useVariant(message.params.variant, message.params.profile);
      case 'unload':
        budget = null;
        return engine().unload();
      case 'generate': {
        const result = await engine().generate({
          ...message.params,
          signal,
          onStarted: (promptTokens) => port.send({ id, type: 'started', promptTokens }),
          onText: (text) => port.send({ id, type: 'text', text }),
        });
        return { result, memory: engine().status().memory };
      }
      case 'maxParallel':
        return engine().maxParallel(message.params.variant);
      case 'scoreOptions':
        return engine().scoreOptions({ ...message.params, signal });
      case 'assertPromptFits': {
        const { prompt, ...options } = message.params;
        engine().assertPromptFits(prompt, options);
        return null;
      }
      case 'sourcesFit': {
        const { sources, ...question } = message.params;
        const key = JSON.stringify(question);
        if (budget?.key !== key) budget = { key, fits: engine().sourcesBudget(question.prompt, question.maxTokens, question) };
        return budget.fits(sources);
      }
      case 'templateName':
        return engine().templateName(message.params.template);
      case 'hardware':
        return engine().hardware();
    }
  }

  port.onMessage((message) => {
    if (message.op === 'abort') {
      aborts.get(message.id)?.abort();
      return;
    }
    const abort = new AbortController();
    if (message.aborted) abort.abort();
    aborts.set(message.id, abort);
    handle(message, abort.signal).then(
      (value) => port.send({ id: message.id, type: 'result', value }),
      (error: unknown) => port.send({ id: message.id, type: 'error', error: toWire(error) }),
    ).finally(() => aborts.delete(message.id));
  });
}
