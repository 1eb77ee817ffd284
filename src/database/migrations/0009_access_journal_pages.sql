-- A feed page served to an organisation is journaled once, listing the parcours it carried
-- (record_type 'feed_page', record_id the page's cursor range, record_ids the parcours), instead of
-- one row per parcours and page: at 40 organisations × 20 streams that was thousands of rows a
-- second kept twelve months, with nothing more in them. A search by parcours finds both forms.
ALTER TABLE access_journal ADD COLUMN record_ids text[];
CREATE INDEX access_journal_by_records ON access_journal USING gin (record_ids);
