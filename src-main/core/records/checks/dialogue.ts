import type { RecordWarning, Turn } from '../../../contract/index.js';

/** A consultation with one side only (a patient's self-report) drafts, but the doctor should know what is missing. */
export function dialogueWarnings(turns: readonly Turn[]): RecordWarning[] {
  const speakers = new Set(turns.map((t) => t.speaker));
  if (speakers.size !== 1) return [];
  const message = speakers.has('患者')
    ? '对话只有患者一方的陈述，没有医生的问诊和判断：诊断与处理意见须由医生填写'
    : '对话只有医生一方，没有患者的陈述：病史须与患者核实';
  return [{ kind: 'dialogue', severity: 'info', message, entry: null, field: null, quote: null, section: null, drugs: [] }];
}
