-- A parcours' row carries its latest contacts and appointments (20 of each, in the order shown:
-- by date, then as recorded) and how many it has in all, under `state -> 'followups'`: reading a
-- parcours is one row, whatever its history. The whole lists stay a row each in their tables, paged
-- in the order shown by GET /v1/parcours/{id}/contacts and /appointments, which these indexes
-- answer without sorting.
CREATE INDEX parcours_contacts_in_order ON parcours_contacts (parcours_id, contacted_on, ordinal);
CREATE INDEX parcours_appointments_in_order ON parcours_appointments (parcours_id, scheduled_on, ordinal);

UPDATE parcours_details d SET state = (d.state::jsonb || jsonb_build_object('followups', jsonb_build_object(
  'contacts', coalesce((SELECT jsonb_agg(r.data ORDER BY r.contacted_on, r.ordinal)
                          FROM (SELECT c.data, c.contacted_on, c.ordinal FROM parcours_contacts c
                                 WHERE c.parcours_id = d.parcours_id ORDER BY c.contacted_on DESC, c.ordinal DESC LIMIT 20) r), '[]'::jsonb),
  'appointments', coalesce((SELECT jsonb_agg(r.data ORDER BY r.scheduled_on, r.ordinal)
                              FROM (SELECT a.data, a.scheduled_on, a.ordinal FROM parcours_appointments a
                                     WHERE a.parcours_id = d.parcours_id ORDER BY a.scheduled_on DESC, a.ordinal DESC LIMIT 20) r), '[]'::jsonb),
  'contactsTotal', (SELECT count(*) FROM parcours_contacts c WHERE c.parcours_id = d.parcours_id),
  'appointmentsTotal', (SELECT count(*) FROM parcours_appointments a WHERE a.parcours_id = d.parcours_id))))::json;
