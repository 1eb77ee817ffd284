-- A parcours' contacts and appointments read in the order they are shown (by date, then in the
-- order they were recorded): an index scan gives them in that order, so that reading a parcours
-- sorts nothing (PostgreSQL 15 sorts an aggregate's own ORDER BY whatever its input).
CREATE INDEX parcours_contacts_in_order ON parcours_contacts (parcours_id, contacted_on, ordinal);
CREATE INDEX parcours_appointments_in_order ON parcours_appointments (parcours_id, scheduled_on, ordinal);
