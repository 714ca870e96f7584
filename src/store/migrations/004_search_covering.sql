-- Migration 4: covering indexes for the search's most common three-filter combination,
-- provincia + destinazione d'uso + stato (the plan's lists of one province: LIBERO, SFITTO PER
-- CARENZE, SFITTO PER RISTRUTTURAZIONE of the SAS units of Milano, say).
--
-- Without them the state lane (state, key, id, service, owner, province) is read in sort order
-- and the province and service conditions discard most entries (3% survive for MI + SAS + the
-- three plan states): 120–210 µs per first page on a million units. With the three equalities
-- leading, each lane (one per state) is a pure range in sort order. owner_id after the id lets
-- an operator's visibility be checked in the index, without reading the unit.
--
-- Cost at 1M units: see BENCHMARKS.md ("Search"); a bulk load drops and recreates them with the
-- other unit indexes (store::bulk).
CREATE INDEX unit_prov_service_state_id
    ON unit(province, service, state, id, owner_id);
CREATE INDEX unit_prov_service_state_comune
    ON unit(province, service, state, comune_sort, id, owner_id);
CREATE INDEX unit_prov_service_state_area
    ON unit(province, service, state, area_sort, id, owner_id);

-- The text index as 'rebuild' leaves it has several segments (9 at a million units), each
-- searched for every trigram of a text: merged into one (about 1 s at 1M units), a new text's
-- first page read straight from the index costs 14 µs instead of 95 ("garibaldi").
-- store::search::rebuild_text_index does the same after every rebuild.
INSERT INTO unit_text(unit_text) VALUES ('optimize');
