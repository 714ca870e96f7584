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

-- Ricerca inquilini: tenants paged by key in surname order (surname as NOCASE compares, then
-- id). The comune is the unit's: copied onto the tenant (`istat_code`), kept by the triggers
-- below, so that a comune is a range of an index rather than a join walking every tenant.
-- Cost at ~2M tenants: four indexes of about 2M entries each.
ALTER TABLE tenant ADD COLUMN istat_code TEXT;
UPDATE tenant SET istat_code = (
    SELECT u.istat_code FROM household h JOIN unit u ON u.id = h.unit_id
     WHERE h.id = tenant.household_id);
CREATE INDEX tenant_surname ON tenant(surname COLLATE NOCASE);
CREATE INDEX tenant_owner_surname ON tenant(owner_id, surname COLLATE NOCASE);
CREATE INDEX tenant_istat_surname ON tenant(istat_code, surname COLLATE NOCASE);
CREATE INDEX tenant_owner_istat_surname ON tenant(owner_id, istat_code, surname COLLATE NOCASE);

CREATE TRIGGER registry_tenant_istat_insert AFTER INSERT ON tenant WHEN NEW.istat_code IS NULL
BEGIN
    UPDATE tenant SET istat_code = (
        SELECT u.istat_code FROM household h JOIN unit u ON u.id = h.unit_id
         WHERE h.id = NEW.household_id)
    WHERE id = NEW.id;
END;

CREATE TRIGGER registry_tenant_istat_household AFTER UPDATE OF unit_id ON household
WHEN OLD.unit_id IS NOT NEW.unit_id BEGIN
    UPDATE tenant SET istat_code = (SELECT istat_code FROM unit WHERE id = NEW.unit_id)
    WHERE household_id = NEW.id;
END;

CREATE TRIGGER registry_tenant_istat_unit AFTER UPDATE OF istat_code ON unit
WHEN OLD.istat_code IS NOT NEW.istat_code BEGIN
    UPDATE tenant SET istat_code = NEW.istat_code
    WHERE household_id IN (SELECT id FROM household WHERE unit_id = NEW.id);
END;
