import { createHash } from 'node:crypto';
import type { ChatWrapper } from 'node-llama-cpp';

/** The name recorded in provenance: the wrapper, plus which Jinja template when it is a raw one. */
export function templateName(wrapper: ChatWrapper, jinja: string | null): string {
  if (wrapper.wrapperName === 'JinjaTemplate' && jinja) {
    return `JinjaTemplate(sha256:${createHash('sha256').update(jinja).digest('hex').slice(0, 12)})`;
  }
  return wrapper.wrapperName;
}
