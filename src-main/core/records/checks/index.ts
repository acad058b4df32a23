import type { Finding, RecordKind, RecordSection, RecordWarning, Turn } from '../../../contract/index.js';
import type { KnowledgeService } from '../../knowledge/index.js';
import { allergyWarnings } from './allergy.js';
import { contraindicationWarnings } from './contraindications.js';
import { dialogueWarnings } from './dialogue.js';
import { doseWarnings } from './dose.js';
import { formWarnings } from './form.js';
import { duplicateWarnings, interactionWarnings } from './interactions.js';
import { readRecord } from './reading.js';

export { MAX_CHIEF_COMPLAINT_CHARS } from './form.js';

/**
 * The checks before signing: the record's form and the dialogue it came from, then pharmacy review (处方审核) of the planned
 * medicines, every drug warning citing the knowledge-base entry and the words it rests on. Where
 * an entry states nothing, nothing is said. Safety problems first.
 */
export function checkRecord(input: { kind: RecordKind; sections: RecordSection[]; findings: Finding[]; turns: Turn[] }, kb: KnowledgeService): RecordWarning[] {
  const reading = readRecord(input.sections, input.findings, kb);
  const drugs = reading.planned.length === 0 ? [] : [
    ...allergyWarnings(reading.planned, reading.allergies),
    ...contraindicationWarnings(reading, reading.names),
    ...interactionWarnings(reading.planned, reading.current, reading.names),
    ...duplicateWarnings(reading.planned),
    ...doseWarnings(reading.planned, reading.patient),
  ];
  const rank = { error: 0, warning: 1, info: 2 } as const;
  return [...drugs, ...formWarnings(input.kind, input.sections), ...dialogueWarnings(input.turns)].sort((a, b) => rank[a.severity] - rank[b.severity]);
}
