import { createHash } from 'node:crypto';
import type { MedicalRecord } from '../../../contract/index.js';
import type { PrintedRecord } from './layout.js';
import { fhirDateTime } from './time.js';

/**
 * The record as a FHIR R4 document: a `Bundle` of type `document` whose first entry is the
 * `Composition`, then every resource it references (bundle rules bdl-10/11 and the document rule
 * that references resolve inside the bundle).
 *
 * Choices, each because it is what the record actually holds:
 * - Type LOINC 34108-1 Outpatient note: a 门诊病历 is the note of an outpatient visit, written by the
 *   treating doctor; 11488-4 Consult note is a consultant's answer to another clinician's request.
 * - The subject is a display-only Reference (未登记患者): the app keeps no patient identity, and a
 *   Patient resource with nothing in it would claim an entity it does not know. Composition.subject
 *   with only `display` is valid R4; the receiving EMR attaches the record to its own patient.
 * - 就诊时间 and 科别 travel in an `Encounter` (period.start, serviceType), where FHIR keeps them.
 * - Signed: status `final`, the signer a `Practitioner` (name text only) as author and legal
 *   attester. Unsigned: status `preliminary`, authored by the drafting software (a `Device` with the
 *   app's version), no attester: nobody has vouched for it yet.
 * - Sections carry the template's LOINC section code; a section the template gives none for goes
 *   uncoded (Composition.section.code is optional) rather than under a guessed code.
 * - Addenda are one section 补充记录 with a sub-section per addendum (its time and author): they are
 *   part of the signed record's legal text, and LOINC has no section code for a note's addendum, so
 *   it is left uncoded rather than given a code that means something else.
 * - Ids are UUIDs derived from the record, so exporting the same document twice gives the same ids;
 *   the Bundle's identifier changes with every version, signature and addendum (a new document).
 */

const LOINC = 'http://loinc.org';
const PATIENT_UNKNOWN = '未登记患者';
const SOFTWARE = '杏林 Xinglin';
const XHTML = 'http://www.w3.org/1999/xhtml';

type Json = Record<string, unknown>;

export interface FhirOptions {
  appVersion: string;
  now: number;
  /** The template's LOINC code of a section key (TemplateSection.loinc). */
  loincOf: (key: string) => string | undefined;
}

/** A name-based UUID (RFC 9562 version 8: SHA-256 of the parts) as a urn:uuid. */
function uuidOf(...parts: string[]): string {
  const bytes = createHash('sha256').update(parts.join('\u0000')).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Characters XML 1.0 does not allow (C0 controls but tab and line ends, lone surrogates, U+FFFE/F). */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function escapeXml(text: string): string {
  return text.replace(NOT_XML, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A narrative built from the record's own text (status `generated`): a paragraph per line. */
function narrative(lines: string[]): Json {
  return { status: 'generated', div: `<div xmlns="${XHTML}">${lines.map((line) => `<p>${escapeXml(line)}</p>`).join('')}</div>` };
}

function section(title: string, lines: string[], loinc: string | undefined): Json {
  return {
    title,
    ...(loinc === undefined ? {} : { code: { coding: [{ system: LOINC, code: loinc }] } }),
    text: narrative(lines),
  };
}

export function recordBundle(record: MedicalRecord, printed: PrintedRecord, options: FhirOptions): Json {
  const url = {
    composition: uuidOf(record.id, 'Composition'),
    encounter: uuidOf(record.id, 'Encounter'),
    author: uuidOf(record.id, printed.signature ? `Practitioner:${printed.signature.by}` : `Device:${options.appVersion}`),
  };
  const subject = { display: PATIENT_UNKNOWN };
  const signature = printed.signature;
  const authorResource: Json = signature
    ? { resourceType: 'Practitioner', name: [{ text: signature.by }] }
    : { resourceType: 'Device', deviceName: [{ name: SOFTWARE, type: 'user-friendly-name' }], version: [{ value: options.appVersion }] };

  const sections = printed.sections.map((s) => section(s.title, s.lines, options.loincOf(s.key)));
  if (printed.addenda.length > 0) {
    sections.push({
      title: '补充记录',
      section: printed.addenda.map((addendum) => ({ ...section(addendum.heading, addendum.lines, undefined), author: [{ display: addendum.author }] })),
    });
  }

  const composition: Json = {
    resourceType: 'Composition',
    language: 'zh-CN',
    identifier: { system: 'urn:ietf:rfc:3986', value: uuidOf(record.id, 'record') },
    status: signature ? 'final' : 'preliminary',
    type: { coding: [{ system: LOINC, code: '34108-1', display: 'Outpatient Note' }], text: '门诊病历' },
    subject,
    encounter: { reference: url.encounter },
    date: fhirDateTime(signature ? signature.atMs : record.updatedAt),
    author: [{ reference: url.author }],
    title: printed.title,
    ...(signature ? { attester: [{ mode: 'legal', time: fhirDateTime(signature.atMs), party: { reference: url.author } }] } : {}),
    section: sections,
  };
  const encounter: Json = {
    resourceType: 'Encounter',
    status: 'finished',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB', display: 'ambulatory' },
    serviceType: { text: printed.department },
    subject,
    period: { start: fhirDateTime(record.createdAt) },
  };
  const documentVersion = [record.id, String(record.version), record.state, String(record.signedAt), ...record.addenda.map((a) => a.id)];
  return {
    resourceType: 'Bundle',
    identifier: { system: 'urn:ietf:rfc:3986', value: uuidOf(...documentVersion) },
    type: 'document',
    timestamp: fhirDateTime(options.now),
    entry: [
      { fullUrl: url.composition, resource: composition },
      { fullUrl: url.encounter, resource: encounter },
      { fullUrl: url.author, resource: authorResource },
    ],
  };
}
