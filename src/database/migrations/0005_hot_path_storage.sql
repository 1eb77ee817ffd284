-- Measured by bench:api: the storage of the two tables every request touches.

-- parcours_details is rewritten by every command. Room left on each page lets PostgreSQL update a
-- row in place (HOT: no index touched) when its indexed columns did not change, which is most
-- commands; the state is kept inline and uncompressed when the row fits in a page, so reads
-- neither fetch it from TOAST nor decompress it.
ALTER TABLE parcours_details SET (fillfactor = 50, toast_tuple_target = 8160);
ALTER TABLE parcours_details ALTER COLUMN state SET STORAGE EXTERNAL;

-- The journal is written in time order and only the nightly purge looks entries up by time: a
-- BRIN index does that for a fraction of a B-tree's upkeep on each insert.
DROP INDEX access_journal_by_time;
CREATE INDEX access_journal_by_time ON access_journal USING brin (at);
