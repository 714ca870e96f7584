-- Migration 2: what the unit search, the certification card and the plan's detail lists need.
--
-- * Sort keys as columns, so that every (filter, sort) pair the search screen offers walks one
--   index in order and stops after a page (keyset paging, never OFFSET or a sort of the matches):
--   `comune_sort` (alphabetical rank of the comune, filled by a trigger from
--   municipality.sort_rank) and `area_sort` (superficie with NULL as 0, a generated column).
-- * `unit_tally`: units counted by owner, comune, service, state, in-avviso flag and plan year,
--   kept by triggers. Counts and the certification card add up a few thousand tally rows
--   instead of walking up to a million index entries.
-- * `unit_text`: a trigram full-text index over address + civico and località, for the free
--   text filter (substring match, case and accent insensitive).
-- * `certification`: the owners' certifications of their registry (SCHEDA CERTIFICAZIONE).
--
-- The derived data (comune_sort, unit_tally, unit_text) is kept by the triggers named
-- `search_sync_*`. A bulk loader drops those triggers and calls store::search::rebuild_derived
-- afterwards (store::search::suspend_sync / SuspendedSync::resume do both).

-- Alphabetical rank of each comune's name; recomputed by store::search::rank_comuni after the
-- reference data is loaded or changed (units then need rebuild_derived).
ALTER TABLE municipality ADD COLUMN sort_rank INTEGER NOT NULL DEFAULT 0;
UPDATE municipality SET sort_rank = (
    SELECT r FROM (SELECT istat_code AS ic,
                          row_number() OVER (ORDER BY name COLLATE NOCASE, istat_code) AS r
                   FROM municipality) WHERE ic = municipality.istat_code);

ALTER TABLE unit ADD COLUMN comune_sort INTEGER NOT NULL DEFAULT 0;
ALTER TABLE unit ADD COLUMN area_sort REAL GENERATED ALWAYS AS (ifnull(floor_area, 0.0)) VIRTUAL;
UPDATE unit SET comune_sort = ifnull(
    (SELECT sort_rank FROM municipality m WHERE m.istat_code = unit.istat_code), 0);

-- Indexes: one per (leading filter, sort key); the rowid (ID alloggio) ends every index, so
-- each one is also ordered by id within equal keys. 001 already has (owner_id, state),
-- (istat_code, state), (province, state) and (state).
CREATE INDEX unit_owner_id ON unit(owner_id);
CREATE INDEX unit_owner_comune ON unit(owner_id, comune_sort);
CREATE INDEX unit_owner_area ON unit(owner_id, area_sort);
CREATE INDEX unit_istat_id ON unit(istat_code);
CREATE INDEX unit_istat_area ON unit(istat_code, area_sort);
CREATE INDEX unit_province_id ON unit(province);
CREATE INDEX unit_province_comune ON unit(province, comune_sort);
CREATE INDEX unit_province_area ON unit(province, area_sort);
-- State is the filter most often combined with others: its sort indexes carry service, owner
-- and province after the id (the order stays (state, key, id)), so that those conditions are
-- checked in the index without reading the unit.
CREATE INDEX unit_state_comune ON unit(state, comune_sort, id, service, owner_id, province);
CREATE INDEX unit_state_area ON unit(state, area_sort, id, service, owner_id, province);
CREATE INDEX unit_comune ON unit(comune_sort);
CREATE INDEX unit_area ON unit(area_sort);
-- Few units are in a notice or marked for a plan: small partial indexes serve those filters.
CREATE INDEX unit_notice_id ON unit(in_notice) WHERE in_notice = 1;
CREATE INDEX unit_notice_comune ON unit(comune_sort) WHERE in_notice = 1;
CREATE INDEX unit_notice_state ON unit(state) WHERE in_notice = 1;
CREATE INDEX unit_notice_area ON unit(area_sort) WHERE in_notice = 1;
CREATE INDEX unit_plan_id ON unit(plan_year) WHERE plan_year IS NOT NULL;
CREATE INDEX unit_plan_comune ON unit(plan_year, comune_sort) WHERE plan_year IS NOT NULL;
CREATE INDEX unit_plan_state ON unit(plan_year, state) WHERE plan_year IS NOT NULL;
CREATE INDEX unit_plan_area ON unit(plan_year, area_sort) WHERE plan_year IS NOT NULL;
-- An operator sees its own owners: (owner, notice) and (owner, plan year) for the id order.
CREATE INDEX unit_notice_owner ON unit(owner_id) WHERE in_notice = 1;
CREATE INDEX unit_notice_owner_state ON unit(owner_id, state) WHERE in_notice = 1;
CREATE INDEX unit_plan_owner ON unit(owner_id, plan_year) WHERE plan_year IS NOT NULL;
-- The building-code filter ignores case.
CREATE INDEX building_code_nocase ON building(code COLLATE NOCASE);

CREATE TABLE unit_tally (
    owner_id    INTEGER NOT NULL,
    istat_code  TEXT NOT NULL,
    service     INTEGER NOT NULL,
    state       INTEGER NOT NULL,
    in_notice   INTEGER NOT NULL,
    plan_year   INTEGER NOT NULL,              -- 0: not marked for a plan
    province    TEXT NOT NULL,                 -- follows istat_code, kept for the filter
    n           INTEGER NOT NULL,
    PRIMARY KEY (owner_id, istat_code, service, state, in_notice, plan_year)
) WITHOUT ROWID;
CREATE INDEX unit_tally_istat ON unit_tally(istat_code);
CREATE INDEX unit_tally_province ON unit_tally(province);
CREATE INDEX unit_tally_state ON unit_tally(state);
INSERT INTO unit_tally
    SELECT owner_id, istat_code, service, state, in_notice, ifnull(plan_year, 0), province, count(*)
    FROM unit GROUP BY owner_id, istat_code, service, state, in_notice, ifnull(plan_year, 0);

CREATE TRIGGER search_sync_tally_insert AFTER INSERT ON unit BEGIN
    INSERT INTO unit_tally (owner_id, istat_code, service, state, in_notice, plan_year, province, n)
    VALUES (NEW.owner_id, NEW.istat_code, NEW.service, NEW.state, NEW.in_notice,
            ifnull(NEW.plan_year, 0), NEW.province, 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER search_sync_tally_delete AFTER DELETE ON unit BEGIN
    UPDATE unit_tally SET n = n - 1
    WHERE owner_id = OLD.owner_id AND istat_code = OLD.istat_code AND service = OLD.service
      AND state = OLD.state AND in_notice = OLD.in_notice AND plan_year = ifnull(OLD.plan_year, 0);
    DELETE FROM unit_tally
    WHERE owner_id = OLD.owner_id AND istat_code = OLD.istat_code AND service = OLD.service
      AND state = OLD.state AND in_notice = OLD.in_notice AND plan_year = ifnull(OLD.plan_year, 0)
      AND n <= 0;
END;

CREATE TRIGGER search_sync_tally_update
AFTER UPDATE OF owner_id, istat_code, service, state, in_notice, plan_year, province ON unit
WHEN OLD.owner_id IS NOT NEW.owner_id OR OLD.istat_code IS NOT NEW.istat_code
  OR OLD.service IS NOT NEW.service OR OLD.state IS NOT NEW.state
  OR OLD.in_notice IS NOT NEW.in_notice OR OLD.plan_year IS NOT NEW.plan_year
  OR OLD.province IS NOT NEW.province
BEGIN
    UPDATE unit_tally SET n = n - 1
    WHERE owner_id = OLD.owner_id AND istat_code = OLD.istat_code AND service = OLD.service
      AND state = OLD.state AND in_notice = OLD.in_notice AND plan_year = ifnull(OLD.plan_year, 0);
    DELETE FROM unit_tally
    WHERE owner_id = OLD.owner_id AND istat_code = OLD.istat_code AND service = OLD.service
      AND state = OLD.state AND in_notice = OLD.in_notice AND plan_year = ifnull(OLD.plan_year, 0)
      AND n <= 0;
    INSERT INTO unit_tally (owner_id, istat_code, service, state, in_notice, plan_year, province, n)
    VALUES (NEW.owner_id, NEW.istat_code, NEW.service, NEW.state, NEW.in_notice,
            ifnull(NEW.plan_year, 0), NEW.province, 1)
    ON CONFLICT DO UPDATE SET n = n + 1, province = excluded.province;
END;

-- Writers that know the rank may insert comune_sort themselves; otherwise it is looked up.
CREATE TRIGGER search_sync_comune_insert AFTER INSERT ON unit WHEN NEW.comune_sort = 0 BEGIN
    UPDATE unit SET comune_sort = ifnull(
        (SELECT sort_rank FROM municipality WHERE istat_code = NEW.istat_code), 0)
    WHERE id = NEW.id;
END;

CREATE TRIGGER search_sync_comune_update AFTER UPDATE OF istat_code ON unit
WHEN OLD.istat_code IS NOT NEW.istat_code BEGIN
    UPDATE unit SET comune_sort = ifnull(
        (SELECT sort_rank FROM municipality WHERE istat_code = NEW.istat_code), 0)
    WHERE id = NEW.id;
END;

-- Free text: the content comes from this view, so that "via roma 12" matches address and civico
-- together. External content: the index stores no copy of the text.
CREATE VIEW unit_text_source AS
    SELECT id, address || ifnull(' ' || street_number, '') AS indirizzo, locality AS localita
    FROM unit;
CREATE VIRTUAL TABLE unit_text USING fts5(
    indirizzo, localita,
    content = 'unit_text_source', content_rowid = 'id',
    tokenize = 'trigram remove_diacritics 1'
);
INSERT INTO unit_text(unit_text) VALUES ('rebuild');

CREATE TRIGGER search_sync_text_insert AFTER INSERT ON unit BEGIN
    INSERT INTO unit_text (rowid, indirizzo, localita)
    VALUES (NEW.id, NEW.address || ifnull(' ' || NEW.street_number, ''), NEW.locality);
END;

CREATE TRIGGER search_sync_text_delete AFTER DELETE ON unit BEGIN
    INSERT INTO unit_text (unit_text, rowid, indirizzo, localita)
    VALUES ('delete', OLD.id, OLD.address || ifnull(' ' || OLD.street_number, ''), OLD.locality);
END;

CREATE TRIGGER search_sync_text_update AFTER UPDATE OF address, street_number, locality ON unit
WHEN OLD.address IS NOT NEW.address OR OLD.street_number IS NOT NEW.street_number
  OR OLD.locality IS NOT NEW.locality
BEGIN
    INSERT INTO unit_text (unit_text, rowid, indirizzo, localita)
    VALUES ('delete', OLD.id, OLD.address || ifnull(' ' || OLD.street_number, ''), OLD.locality);
    INSERT INTO unit_text (rowid, indirizzo, localita)
    VALUES (NEW.id, NEW.address || ifnull(' ' || NEW.street_number, ''), NEW.locality);
END;

-- SCHEDA CERTIFICAZIONE: each certification (or declaration of no units) with the totals the
-- owner certified. The newest row per owner is the "last certification".
CREATE TABLE certification (
    id          INTEGER PRIMARY KEY,
    owner_id    INTEGER NOT NULL REFERENCES owner(id),
    kind        TEXT NOT NULL CHECK (kind IN ('CERTIFICA', 'NESSUNA_UNITA')),
    at          TEXT NOT NULL,
    operator    TEXT NOT NULL,
    buildings   INTEGER NOT NULL,
    units       INTEGER NOT NULL,
    households  INTEGER NOT NULL,
    tenants     INTEGER NOT NULL,
    sap         INTEGER NOT NULL,
    sas         INTEGER NOT NULL,
    other       INTEGER NOT NULL,
    CHECK (kind = 'CERTIFICA' OR units = 0)
);
CREATE INDEX certification_owner ON certification(owner_id);
