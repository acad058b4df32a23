import type { Migration } from '../../db/index.js';

/*
 * eval.db: sets of cases, runs of a set against one to three targets, one result per case and
 * target, and a clinician's review of a result.
 * - A case's body is the case as imported (JSON, validated by the contract's schema on the way in).
 * - (run, case, target) is the primary key of a result: a resumed run cannot score a case twice,
 *   whatever the code does.
 * - A result is written once and never changed; what a clinician thinks of it is a review beside it,
 *   so automatic and reviewed scores are both always there.
 * - A set with runs cannot be deleted (RESTRICT): the runs read their cases from it.
 */
const sql = `
CREATE TABLE eval_sets (
  id          TEXT    NOT NULL PRIMARY KEY,
  name        TEXT    NOT NULL,
  format      TEXT    NOT NULL CHECK (format IN ('criteria', 'choice')),
  origin      TEXT    NOT NULL CHECK (origin IN ('made', 'imported')),
  detail      TEXT    NOT NULL,
  created_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE eval_cases (
  set_id  TEXT    NOT NULL REFERENCES eval_sets (id) ON DELETE CASCADE,
  seq     INTEGER NOT NULL,
  id      TEXT    NOT NULL,
  kind    TEXT,
  body    TEXT    NOT NULL CHECK (json_valid(body)),
  PRIMARY KEY (set_id, id),
  UNIQUE (set_id, seq)
) STRICT;

CREATE TABLE eval_runs (
  id          TEXT    NOT NULL PRIMARY KEY,
  name        TEXT    NOT NULL,
  set_id      TEXT    NOT NULL REFERENCES eval_sets (id) ON DELETE RESTRICT,
  state       TEXT    NOT NULL CHECK (state IN ('running', 'done', 'interrupted', 'failed')),
  error       TEXT    CHECK (error IS NULL OR json_valid(error)),
  targets     TEXT    NOT NULL CHECK (json_valid(targets)),
  created_at  INTEGER NOT NULL,
  ended_at    INTEGER
) STRICT;
CREATE INDEX eval_runs_set ON eval_runs (set_id, created_at);

CREATE TABLE eval_results (
  run_id      TEXT    NOT NULL REFERENCES eval_runs (id) ON DELETE CASCADE,
  case_id     TEXT    NOT NULL,
  target      INTEGER NOT NULL CHECK (target BETWEEN 0 AND 2),
  status      TEXT    NOT NULL CHECK (status IN ('done', 'failed')),
  answer      TEXT    NOT NULL,
  error       TEXT    CHECK (error IS NULL OR json_valid(error)),
  items       TEXT    CHECK (items IS NULL OR json_valid(items)),
  choice      TEXT    CHECK (choice IS NULL OR json_valid(choice)),
  ms          INTEGER NOT NULL,
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (run_id, case_id, target)
) STRICT;

CREATE TABLE eval_reviews (
  run_id       TEXT    NOT NULL,
  case_id      TEXT    NOT NULL,
  target       INTEGER NOT NULL,
  items        TEXT    NOT NULL CHECK (json_valid(items)),
  correct      INTEGER CHECK (correct IS NULL OR correct IN (0, 1)),
  note         TEXT    NOT NULL,
  reviewer     TEXT    NOT NULL,
  reviewed_at  INTEGER NOT NULL,
  PRIMARY KEY (run_id, case_id, target),
  FOREIGN KEY (run_id, case_id, target) REFERENCES eval_results (run_id, case_id, target) ON DELETE CASCADE
) STRICT;

CREATE TRIGGER eval_results_immutable BEFORE UPDATE ON eval_results
BEGIN SELECT RAISE(ABORT, 'an evaluation result is never changed: a review goes beside it'); END;
`;

export const evalTables: Migration = {
  version: 1,
  name: 'eval-sets-runs-results-reviews',
  up(db) {
    db.exec(sql);
  },
};
