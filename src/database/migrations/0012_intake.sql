-- Imports of the CAF/MSA monthly flow of RSA entrants. An import is a file (the sha256 of its
-- bytes) imported by an organisation under a role (what a line may do depends on who imports it):
-- importing it again finds it done and writes nothing; an import interrupted (crash, SIGKILL)
-- resumes at the lines it had not done. No personal data: counts, line numbers, column names,
-- error codes, parcours ids.
CREATE TABLE intake_imports (
  import_id    uuid PRIMARY KEY,
  file_sha256  text NOT NULL,
  partner_id   uuid NOT NULL,
  acting_role  text NOT NULL,
  lines        integer NOT NULL,
  status       text NOT NULL CHECK (status IN ('running', 'done')),
  started_by   text NOT NULL,
  started_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz
);

-- One row per data line once it is done, written by the statement that appends its events (an
-- opening, a change of rights), or alone when the line changes nothing or is invalid.
CREATE TABLE intake_lines (
  import_id    uuid NOT NULL REFERENCES intake_imports (import_id),
  line         integer NOT NULL,
  outcome      text NOT NULL CHECK (outcome IN ('opened', 'rights_changed', 'unchanged', 'invalid')),
  parcours_id  uuid,
  -- [{ "column": …, "code": … }] for an invalid line: never the value.
  errors       json,
  PRIMARY KEY (import_id, line)
);
