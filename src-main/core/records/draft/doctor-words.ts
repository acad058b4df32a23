/**
 * What the doctor said that a record quotes rather than rephrases: examination findings read out
 * (查体：血压150/90mmHg，心肺未见异常) and the dose of a medicine prescribed (阿莫西林胶囊，一次0.5克，一天
 * 三次). Quoted as said, with the turn as evidence: nothing is added to the doctor's words.
 */
import type { RecordSentence, Turn } from '../../../contract/index.js';

const SENTENCE = /[^。！？!?；;\n]+[。！？!?；;]?/gu;
/** An examination stated, not asked: a vital sign with its value, or a body system with its finding. */
const EXAMINED = /^(?:查体|体格检查|体检见|专科检查)[：:，,]?|(?:血压|心率|脉搏|体温|呼吸|血氧|SpO2)[^，,。]{0,4}\d|(?:心肺|双肺|两肺|肺部|心脏|心音|心律|腹部|腹软|双下肢|咽部|扁桃体|神志|颈静脉)[^。]{0,12}(?:未见|未闻|未及|无|正常|清|齐|异常|杂音|啰音|水肿|充血|肿大|压痛)/iu;
const ASKED = /[?？吗]$/u;
/** A dose or a frequency: what makes a prescription a prescription. */
const DOSE = /\d+(?:\.\d+)?\s*(?:mg|g|μg|ug|ml|iu|u|毫克|克|微克|毫升|单位|片|粒|袋|支|滴)|[一二两三四五六七八九十半]\s*(?:片|粒|袋|支|克)|每[日天晚]|一天|一日|每次|一次|bid|tid|qd|qid|q\d+h/iu;

export function examStatements(turns: readonly Turn[]): RecordSentence[] {
  const out: RecordSentence[] = [];
  for (const turn of turns) {
    if (turn.speaker !== '医生') continue;
    for (const [raw] of turn.text.matchAll(SENTENCE)) {
      const text = raw.trim();
      if (!ASKED.test(text.replace(/[。！!；;]$/u, '')) && EXAMINED.test(text)) out.push({ text: /[。！？!?；;]$/u.test(text) ? text : `${text}。`, evidence: [turn.index], origin: 'draft' });
    }
  }
  return out;
}

/** The doctor's words about a medicine's dose right after its name in a turn that prescribes it, or ''. */
export function doseWords(drug: string, turns: readonly Turn[], evidence: readonly number[]): string {
  for (const index of evidence) {
    const turn = turns[index];
    if (turn?.speaker !== '医生') continue;
    const at = turn.text.indexOf(drug);
    if (at < 0) continue;
    const rest = turn.text.slice(at + drug.length).split(/[。！？!?；;\n]/u)[0]!.trim();
    if (DOSE.test(rest)) return rest.length > 40 ? '' : rest;
  }
  return '';
}
