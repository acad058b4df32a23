/** How the model process starts llama.cpp: a leaf, so the protocol can name it without the runtime. */
export interface RuntimeOptions {
  /** CPU threads for inference; defaults to the measured rule of `chooseThreads` (runtime/hardware.ts). */
  threads?: number;
  /** 'auto' uses a GPU when a usable backend is found; false forces the CPU. */
  gpu?: 'auto' | false;
  /** Context window in tokens; capped by the model's trained context. Defaults to 4096. */
  contextSize?: number;
  /**
   * The RAM the model may take (weights and every context together), in place of what the machine
   * has free: how the tests make a model "too large", or the context pool full, without depending
   * on the test machine's real memory. Unset: the RAM free now (plus what the loaded model holds).
   */
  memoryLimitBytes?: number;
}
