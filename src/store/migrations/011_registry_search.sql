-- Migration 11: Ricerca fabbricati. The list is paged by key in address order (address as
-- NOCASE compares, then id): one index per leading filter, each read in that order from the
-- cursor on, so a page costs the same whatever its position or the number of matches. A
-- scoped operator reads one lane per owner it sees (owner, or owner + comune); the Regione and
-- the helpdesk one lane (address, or comune + address). The codice fabbricato has its index
-- (002, building_code_nocase).
CREATE INDEX building_address ON building(address COLLATE NOCASE);
CREATE INDEX building_owner_address ON building(owner_id, address COLLATE NOCASE);
CREATE INDEX building_istat_address ON building(istat_code, address COLLATE NOCASE);
CREATE INDEX building_owner_istat_address ON building(owner_id, istat_code, address COLLATE NOCASE);
