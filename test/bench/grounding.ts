import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KnowledgeService } from '../../src-main/core/knowledge/index.js';
import { STARTER_DIR } from '../helpers/env.js';

/** The app's grounding for a question: its rules (system text) and the starter knowledge base's sources. */
export async function grounding(question: string): Promise<{ system: string; sources: string }> {
  const knowledge = KnowledgeService.open({ file: path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'xinglin-bench-kb-')), 'knowledge.db'), starterDir: STARTER_DIR });
  try {
    const { system, sources } = await knowledge.groundedPrompt(knowledge.retrieve(question));
    return { system, sources };
  } finally {
    knowledge.close();
  }
}
