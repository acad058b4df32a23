import type { Api } from '../../../src-main/contract/index.js';
import { createApi } from './create.js';

/** The renderer's one typed client (created once, on first import). */
export const api: Api = createApi();

export type { Api };
