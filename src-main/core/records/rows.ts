import type { AuditEntry, ErrorData, Finding, MedicalRecord, RecordAddendum, RecordProvenance, RecordSection, RecordSummary, RecordVersion, Turn } from '../../contract/index.js';

/** Rows as SQLite returns them (snake_case, JSON as text), and their mapping to contract types. */

export interface SummaryRow {
  id: string;
  kind: RecordSummary['kind'];
  department: string;
  title: string;
  state: RecordSummary['state'];
  version: number;
  created_at: number;
  updated_at: number;
  signed_at: number | null;
  signed_by: string | null;
}

export interface RecordRow extends SummaryRow {
  template_id: string;
  session_id: string | null;
  dialogue: string;
  findings: string;
  provenance: string;
  draft_error: string | null;
  drafting_sections: string | null;
  /** The current version's sections (joined from record_versions). */
  sections: string;
}

export interface VersionRow {
  version: number;
  author: string;
  saved_at: number;
  action: RecordVersion['action'];
  sections: string;
}

export interface AddendumRow {
  id: string;
  text: string;
  author: string;
  created_at: number;
}

export interface AuditRow {
  at: number;
  actor: string;
  action: AuditEntry['action'];
  version: number | null;
  details: string;
}

export function toSummary(row: SummaryRow): RecordSummary {
  return {
    id: row.id,
    kind: row.kind,
    department: row.department,
    title: row.title,
    state: row.state,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    signedAt: row.signed_at,
    signedBy: row.signed_by,
  };
}

/** The stored part of a record: everything but what the service computes when it is read. */
export type StoredRecord = Omit<MedicalRecord, 'warnings' | 'unsupported'>;

export function toStoredRecord(row: RecordRow, addenda: AddendumRow[]): StoredRecord {
  return {
    ...toSummary(row),
    sessionId: row.session_id,
    templateId: row.template_id,
    dialogue: JSON.parse(row.dialogue) as Turn[],
    findings: JSON.parse(row.findings) as Finding[],
    sections: JSON.parse(row.sections) as RecordSection[],
    provenance: JSON.parse(row.provenance) as RecordProvenance,
    addenda: addenda.map(toAddendum),
    draftError: row.draft_error === null ? null : (JSON.parse(row.draft_error) as ErrorData),
  };
}

export function toVersion(row: VersionRow): RecordVersion {
  return { version: row.version, author: row.author, savedAt: row.saved_at, action: row.action, sections: JSON.parse(row.sections) as RecordSection[] };
}

export function toAddendum(row: AddendumRow): RecordAddendum {
  return { id: row.id, text: row.text, author: row.author, createdAt: row.created_at };
}

export function toAuditEntry(row: AuditRow): AuditEntry {
  return { at: row.at, actor: row.actor, action: row.action, version: row.version, details: JSON.parse(row.details) as Record<string, unknown> };
}
