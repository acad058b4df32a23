import type { Migration } from '../../db/index.js';

/*
 * What a signed record is and what the audit trail keeps are rules of the file, not only of the
 * store: the triggers refuse the same writes to any connection, raw SQL included.
 * - `records` holds the record's identity, its state and its current version; the sections of every
 *   version live in `record_versions`. The (id, version) foreign key is DEFERRED so a record and its
 *   first version can be written in either order inside one transaction, and it makes every
 *   record's current version one that exists.
 * - Versions count 1, 2, 3… per record with no gap; none is added once the record is signed, and a
 *   doctor's edit or signature cannot land while the model is still drafting.
 * - A record becomes `signed` only on a version whose action is `sign`; from then on its row never
 *   changes. No record is deleted: its versions and audit lines are append-only and refer to it.
 * - Addenda exist only for signed records (the rules for corrections: the signed text stays, the
 *   correction is added with its time and signer).
 * - `drafting_sections` is the model's output saved as it streams, so a crash loses none of it.
 * - `seq` (INTEGER PRIMARY KEY, stable across VACUUM) orders the audit trail.
 */
const sql = `
CREATE TABLE records (
  id                TEXT    NOT NULL PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64),
  kind              TEXT    NOT NULL CHECK (kind IN ('初诊', '复诊')),
  template_id       TEXT    NOT NULL,
  department        TEXT    NOT NULL,
  session_id        TEXT,
  state             TEXT    NOT NULL CHECK (state IN ('drafting', 'draft', 'signed')),
  version           INTEGER NOT NULL CHECK (version >= 1),
  title             TEXT    NOT NULL,
  dialogue          TEXT    NOT NULL CHECK (json_valid(dialogue)),
  findings          TEXT    NOT NULL CHECK (json_valid(findings)),
  provenance        TEXT    NOT NULL CHECK (json_valid(provenance)),
  draft_error       TEXT    CHECK (draft_error IS NULL OR json_valid(draft_error)),
  drafting_sections TEXT    CHECK (drafting_sections IS NULL OR json_valid(drafting_sections)),
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL,
  signed_at         INTEGER,
  signed_by         TEXT,
  CHECK ((state = 'signed') = (signed_at IS NOT NULL AND signed_by IS NOT NULL)),
  FOREIGN KEY (id, version) REFERENCES record_versions (record_id, version) DEFERRABLE INITIALLY DEFERRED
) STRICT;
CREATE INDEX records_created_at ON records (created_at DESC);
CREATE INDEX records_drafting ON records (state) WHERE state = 'drafting';

CREATE TABLE record_versions (
  record_id  TEXT    NOT NULL REFERENCES records (id),
  version    INTEGER NOT NULL CHECK (version >= 1),
  author     TEXT    NOT NULL,
  saved_at   INTEGER NOT NULL,
  action     TEXT    NOT NULL CHECK (action IN ('draft', 'edit', 'sign')),
  sections   TEXT    NOT NULL CHECK (json_valid(sections)),
  PRIMARY KEY (record_id, version)
) STRICT;

CREATE TABLE record_addenda (
  id          TEXT    NOT NULL PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64),
  record_id   TEXT    NOT NULL REFERENCES records (id),
  text        TEXT    NOT NULL,
  author      TEXT    NOT NULL,
  created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX record_addenda_record ON record_addenda (record_id, created_at);

CREATE TABLE record_audit (
  seq        INTEGER PRIMARY KEY,
  record_id  TEXT    NOT NULL REFERENCES records (id),
  at         INTEGER NOT NULL,
  actor      TEXT    NOT NULL,
  action     TEXT    NOT NULL CHECK (action IN ('draft', 'model-draft', 'edit', 'sign', 'addendum', 'export', 'refused')),
  version    INTEGER,
  details    TEXT    NOT NULL CHECK (json_valid(details) AND json_type(details) = 'object')
) STRICT;
CREATE INDEX record_audit_record ON record_audit (record_id, seq);

CREATE TRIGGER records_signed_frozen BEFORE UPDATE ON records WHEN old.state = 'signed' BEGIN
  SELECT RAISE(ABORT, 'a signed record never changes: write an addendum');
END;
CREATE TRIGGER records_sign_needs_sign_version BEFORE UPDATE OF state ON records
WHEN new.state = 'signed' AND (SELECT action FROM record_versions WHERE record_id = new.id AND version = new.version) IS NOT 'sign' BEGIN
  SELECT RAISE(ABORT, 'a record is signed only on a version whose action is sign');
END;
CREATE TRIGGER records_created_unsigned BEFORE INSERT ON records WHEN new.state = 'signed' BEGIN
  SELECT RAISE(ABORT, 'a record is created unsigned');
END;
CREATE TRIGGER records_no_delete BEFORE DELETE ON records BEGIN
  SELECT RAISE(ABORT, 'records are never deleted: their versions and audit trail are append-only');
END;

CREATE TRIGGER record_versions_in_order BEFORE INSERT ON record_versions
WHEN new.version <> (SELECT coalesce(max(version), 0) + 1 FROM record_versions WHERE record_id = new.record_id) BEGIN
  SELECT RAISE(ABORT, 'record versions count 1, 2, 3… without a gap');
END;
CREATE TRIGGER record_versions_not_after_sign BEFORE INSERT ON record_versions
WHEN (SELECT state FROM records WHERE id = new.record_id) = 'signed' BEGIN
  SELECT RAISE(ABORT, 'a signed record takes no new version: write an addendum');
END;
CREATE TRIGGER record_versions_not_while_drafting BEFORE INSERT ON record_versions
WHEN new.action <> 'draft' AND (SELECT state FROM records WHERE id = new.record_id) = 'drafting' BEGIN
  SELECT RAISE(ABORT, 'a record the model is drafting takes no edit or signature');
END;
CREATE TRIGGER record_versions_no_update BEFORE UPDATE ON record_versions BEGIN
  SELECT RAISE(ABORT, 'record versions are append-only');
END;
CREATE TRIGGER record_versions_no_delete BEFORE DELETE ON record_versions BEGIN
  SELECT RAISE(ABORT, 'record versions are append-only');
END;

CREATE TRIGGER record_addenda_signed_only BEFORE INSERT ON record_addenda
WHEN (SELECT state FROM records WHERE id = new.record_id) IS NOT 'signed' BEGIN
  SELECT RAISE(ABORT, 'an addendum is written only to a signed record');
END;
CREATE TRIGGER record_addenda_no_update BEFORE UPDATE ON record_addenda BEGIN
  SELECT RAISE(ABORT, 'record addenda are append-only');
END;
CREATE TRIGGER record_addenda_no_delete BEFORE DELETE ON record_addenda BEGIN
  SELECT RAISE(ABORT, 'record addenda are append-only');
END;

CREATE TRIGGER record_audit_no_update BEFORE UPDATE ON record_audit BEGIN
  SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
CREATE TRIGGER record_audit_no_delete BEFORE DELETE ON record_audit BEGIN
  SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
`;

export const records: Migration = { version: 1, name: 'records, versions, addenda, audit trail', up: (db) => db.exec(sql) };
