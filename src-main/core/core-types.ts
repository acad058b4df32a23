import type { Api, Reply } from '../contract/index.js';
import type { CoreConfig } from './config.js';
import type { AnyEventListener } from './event-bus.js';
import type { HostFiles } from './file-handles.js';
import type { ClinicService } from './llm/index.js';
import type { Logger } from './log.js';

/** The one object every host holds. */
export interface Core {
  readonly config: CoreConfig;
  /** Validates raw input against the contract, runs the method, and never throws: failures come back as a Reply. */
  call(method: string, input: unknown): Promise<Reply>;
  /** The same API, typed, for in-process callers (the CLI, tests). */
  readonly api: Api;
  subscribe(listener: AnyEventListener): () => void;
  /** Where a host turns a file the user chose or uploaded into the handle the API takes instead of a path. */
  readonly files: HostFiles;
  /** The loaded model in OpenAI's format, for the clinic server (hosts/web/clinic) when an administrator starts it. */
  readonly clinic: ClinicService;
  /** The data folder's log, for the host's own events. */
  readonly log: Logger;
  close(): Promise<void>;
}
