import type { Api } from '$contract';
import { connect, type Connection } from './create.js';

/** The renderer's one typed client, or why there is none (created once, on first import). */
export const connection: Connection = connect();

export type { Api, Connection };
