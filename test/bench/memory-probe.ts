/**
 * One fresh model process per measurement (run by memory.ts), given the load plan the app process
 * made: resident memory before the weights, after they load (no context yet), after a context,
 * and after a short answer has touched every weight. `app`: loaded as the model process loads
 * them (loadWeights, mmap as usesMmap decides); `mmap`: mapped regardless, to show what the app's
 * rule avoids. Anonymous and file-backed resident memory are read apart (/proc/self/status).
 */
import fs from 'node:fs';
import { getLlama, LlamaCompletion, LlamaLogLevel } from 'node-llama-cpp';
import { loadWeights, usesMmap, type LoadPlan } from '../../src-main/core/llm/runtime/load.js';

const [planJson, mode, contextArg] = process.argv.slice(2);
if (!planJson || (mode !== 'app' && mode !== 'mmap')) throw new Error('usage: memory-probe <plan json> app|mmap <contextSize>');
const plan = JSON.parse(planJson) as LoadPlan;
const contextSize = Number(contextArg);

function rss() {
  const status = fs.readFileSync('/proc/self/status', 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
  return { total: process.memoryUsage().rss, anon: kib('RssAnon'), file: kib('RssFile') };
}

const signal = new AbortController().signal;
const llama = await getLlama({ build: 'never', gpu: false, maxThreads: 1, logLevel: LlamaLogLevel.error });
const useMmap = mode === 'app' ? usesMmap(llama, plan) : true;

const before = rss();
const model = mode === 'app' ? await loadWeights(llama, plan, { signal }) : await llama.loadModel({ modelPath: plan.model.path, useMmap: true, gpuLayers: 0 });
const afterLoad = rss();
const context = await model.createContext({ contextSize, sequences: 1, threads: 1 });
const afterContext = rss();
await new LlamaCompletion({ contextSequence: context.getSequence() }).generateCompletion('The patient has a headache and', { maxTokens: 8, temperature: 0 });
const afterAnswer = rss();

const insights = model.fileInsights;
const estimate = {
  weights: (await insights.estimateModelResourceRequirementsV2({ gpuLayers: 0, useMmap })).cpuRam,
  context: (await insights.estimateContextResourceRequirementsV2({ contextSize, modelGpuLayers: 0, sequences: 1, useMmap })).cpuRam,
};
console.log(JSON.stringify({ useMmap, before, afterLoad, afterContext, afterAnswer, estimate }));
await llama.dispose();
