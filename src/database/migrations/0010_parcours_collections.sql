-- A parcours' contacts and appointments get a row each, beside parcours_details, instead of living
-- in its `state`: that document was rewritten whole at every command and grew with the parcours
-- (a parcours of 500 contacts rewrote all of them to record one more). A command now writes the
-- fixed-size state and the rows of its own contacts or appointments. `ordinal` keeps the order in
-- which they were first recorded (the order among those of the same day).
CREATE TABLE parcours_contacts (
  parcours_id  uuid NOT NULL,
  contact_id   text NOT NULL,
  ordinal      bigint GENERATED ALWAYS AS IDENTITY,
  contacted_on date NOT NULL,
  data         jsonb NOT NULL,
  PRIMARY KEY (parcours_id, contact_id)
);

CREATE TABLE parcours_appointments (
  parcours_id    uuid NOT NULL,
  appointment_id text NOT NULL,
  ordinal        bigint GENERATED ALWAYS AS IDENTITY,
  scheduled_on   date NOT NULL,
  data           jsonb NOT NULL,
  PRIMARY KEY (parcours_id, appointment_id)
);

INSERT INTO parcours_contacts (parcours_id, contact_id, contacted_on, data)
SELECT d.parcours_id, c.key, (c.value ->> 'contactedOn')::date, c.value::jsonb
  FROM parcours_details d, json_each(d.state -> 'contacts') WITH ORDINALITY AS c(key, value, n)
 ORDER BY d.parcours_id, c.n;

INSERT INTO parcours_appointments (parcours_id, appointment_id, scheduled_on, data)
SELECT d.parcours_id, a.key, (a.value ->> 'scheduledOn')::date, a.value::jsonb
  FROM parcours_details d, json_each(d.state -> 'appointments') WITH ORDINALITY AS a(key, value, n)
 ORDER BY d.parcours_id, a.n;

UPDATE parcours_details SET state = (state::jsonb - 'contacts' - 'appointments')::json
 WHERE state::jsonb ?| ARRAY['contacts', 'appointments'];
