import type { z } from 'zod';
import { appMethods } from './app.js';
import { chatMethods } from './chat.js';
import { dataMethods } from './data.js';
import { evalMethods } from './eval.js';
import { jobMethods } from './jobs.js';
import { knowledgeMethods } from './knowledge.js';
import { modelMethods } from './models.js';
import { recordMethods } from './records.js';

/**
 * Every method of the API, merged from the domains: its input schema (validated at each host
 * boundary) and its output schema. Hosts, the preload and the renderer client are all built from it.
 */
export const methods = { ...appMethods, ...chatMethods, ...modelMethods, ...knowledgeMethods, ...recordMethods, ...evalMethods, ...dataMethods, ...jobMethods } as const;

export type MethodName = keyof typeof methods;
export type MethodInput<M extends MethodName> = z.input<(typeof methods)[M]['input']>;
/** The input after validation (defaults applied): what the core receives. */
export type MethodParams<M extends MethodName> = z.output<(typeof methods)[M]['input']>;
export type MethodOutput<M extends MethodName> = z.output<(typeof methods)[M]['output']>;

export const methodNames = Object.keys(methods) as MethodName[];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(methods, name);
}
