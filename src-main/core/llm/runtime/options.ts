/** How the model process starts llama.cpp: a leaf, so the protocol can name it without the runtime. */
export interface RuntimeOptions {
  /** CPU threads for inference; defaults to the physical core count (llama.cpp's math cores). */
  threads?: number;
  /** 'auto' uses a GPU when a usable backend is found; false forces the CPU. */
  gpu?: 'auto' | false;
  /** Context window in tokens; capped by the model's trained context. Defaults to 4096. */
  contextSize?: number;
}
