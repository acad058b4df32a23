import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EventName, EventPayload } from '../../src-main/contract/index.js';
import type { CoreConfig } from '../../src-main/core/config.js';
import { createCore, forkRuntime, type Core, type RuntimeProcess, type SpawnRuntime } from '../../src-main/core/core.js';
import { runtimeEntry } from '../../src-main/hosts/common/app-root.js';
import { fileURLToPath } from 'node:url';
import { generateFixtures, type FixturePaths, type TinyLlamaOptions } from '../fixtures/gguf/tiny-llama.js';

const TEST_CONTEXT = 2048;

/** The starter knowledge base as it ships (the hosts find it the same way from source). */
export const STARTER_DIR = fileURLToPath(new URL('../../src-main/core/knowledge/starter', import.meta.url));

export function tempDir(prefix = 'xinglin-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * A models folder holding the generated fixtures (base model at the top, adapters in lora/). The
 * context is long enough for the knowledge-base sources a grounded answer carries.
 */
export function fixtureModels(options: TinyLlamaOptions = { contextLength: TEST_CONTEXT }): { modelsDir: string; paths: FixturePaths } {
  const modelsDir = tempDir('xinglin-models-');
  return { modelsDir, paths: generateFixtures(modelsDir, options) };
}

/** The model process as the hosts start it from source: the TypeScript entry, run through tsx. */
export function spawnTestRuntime() {
  const { entry, execArgv } = runtimeEntry();
  return forkRuntime(entry, execArgv);
}

/** The model processes a core starts, kept so a test can kill one as the system would (`spawned.at(-1)`). */
export function recordingRuntime(): { spawn: SpawnRuntime; spawned: RuntimeProcess[] } {
  const spawned: RuntimeProcess[] = [];
  const base = spawnTestRuntime();
  return {
    spawned,
    spawn: () => {
      const child = base();
      spawned.push(child);
      return child;
    },
  };
}

/**
 * A real core on real files: its own data folder, the real model process, one CPU thread (tests
 * must pass beside other CPU work), no GPU.
 */
export function openTestCore(overrides: Partial<CoreConfig> = {}): Promise<Core> {
  return createCore({ dataDir: tempDir('xinglin-data-'), modelsDir: tempDir('xinglin-models-'), host: 'cli', appVersion: 'test', starterDir: STARTER_DIR, spawnRuntime: spawnTestRuntime(), threads: 1, gpu: false, contextSize: TEST_CONTEXT, ...overrides });
}

/** Resolves with the payload of the next `event` matching `predicate`. */
export function nextEvent<E extends EventName>(core: Core, event: E, predicate: (payload: EventPayload<E>) => boolean = () => true): Promise<EventPayload<E>> {
  return new Promise((resolve) => {
    const unsubscribe = core.subscribe((name, payload) => {
      if (name === event && predicate(payload as EventPayload<E>)) {
        unsubscribe();
        resolve(payload as EventPayload<E>);
      }
    });
  });
}

/** Waits for the answer to a message: its `chat.done` message, or the error. */
export function answerOf(core: Core, messageId: string) {
  return new Promise<{ done?: EventPayload<'chat.done'>; error?: EventPayload<'chat.error'> }>((resolve) => {
    const unsubscribe = core.subscribe((name, payload) => {
      if (name === 'chat.done' && (payload as EventPayload<'chat.done'>).message.id === messageId) {
        unsubscribe();
        resolve({ done: payload as EventPayload<'chat.done'> });
      }
      if (name === 'chat.error' && (payload as EventPayload<'chat.error'>).messageId === messageId) {
        unsubscribe();
        resolve({ error: payload as EventPayload<'chat.error'> });
      }
    });
  });
}

/**
 * A hospital file of about `megabytes` MB, one disease per line, for long imports. `symptoms`
 * sets the line length: many short lines keep an import reading (line by line) for longer.
 */
export function bigImport(megabytes: number, symptoms = 120): string {
  const file = path.join(tempDir('xinglin-big-'), 'big.jsonl');
  const list = Array.from({ length: symptoms }, (_, i) => `症状${i}号表现为持续性不适`);
  const out = fs.openSync(file, 'w');
  let bytes = 0;
  for (let i = 0; bytes < megabytes * 1024 * 1024; i++) {
    const line = `${JSON.stringify({ type: 'disease', name: `测试病${i}`, symptoms: list })}\n`;
    fs.writeSync(out, line);
    bytes += Buffer.byteLength(line);
  }
  fs.closeSync(out);
  return file;
}
