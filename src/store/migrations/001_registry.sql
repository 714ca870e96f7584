-- Migration 1: reference data, bodies, the housing registry, operators and the audit trail.
-- Coded values are small integers with a lookup table, so that a million units stay compact
-- and sqlite3 users can still read them with a join.

CREATE TABLE province (
    sigla       TEXT PRIMARY KEY,              -- BG, BS, …
    istat_code  TEXT NOT NULL UNIQUE,          -- 3 digits, text
    name        TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE municipality (
    istat_code      TEXT PRIMARY KEY,          -- 6 digits, text (leading zeros)
    name            TEXT NOT NULL,
    province        TEXT NOT NULL REFERENCES province(sigla),
    cadastral_code  TEXT NOT NULL UNIQUE,      -- Belfiore code, e.g. F205
    is_capital      INTEGER NOT NULL DEFAULT 0,
    population      INTEGER NOT NULL,
    note            TEXT
) WITHOUT ROWID;
CREATE INDEX municipality_name ON municipality(name COLLATE NOCASE);
CREATE INDEX municipality_province ON municipality(province, name);

-- Ambiti territoriali (Piani di zona).
CREATE TABLE district (
    id              INTEGER PRIMARY KEY,
    code            TEXT NOT NULL UNIQUE,      -- e.g. BG-DALMINE
    name            TEXT NOT NULL,
    ats             TEXT,
    lead_istat      TEXT REFERENCES municipality(istat_code),  -- Comune capofila
    lead_note       TEXT,                      -- capofila as the source names it
    granularity     TEXT NOT NULL DEFAULT 'ambito',
    synthetic       INTEGER NOT NULL DEFAULT 0,  -- 1: made up for demo data, not a real ambito
    source          TEXT,
    version         INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE district_municipality (
    istat_code   TEXT PRIMARY KEY REFERENCES municipality(istat_code),
    district_id  INTEGER NOT NULL REFERENCES district(id),
    name_in_source TEXT,
    source       TEXT
) WITHOUT ROWID;
CREATE INDEX district_municipality_district ON district_municipality(district_id, istat_code);

CREATE TABLE owner_kind (
    code  INTEGER PRIMARY KEY,
    label TEXT NOT NULL UNIQUE
);
INSERT INTO owner_kind VALUES (1,'COMUNE'),(2,'ALER'),(3,'OPERATORE ACCREDITATO'),(4,'REGIONE'),(5,'ENTE GESTORE');

-- Every body (ente) that owns or manages units: Comuni, ALERs, accredited operators, the Region.
CREATE TABLE owner (
    id              INTEGER PRIMARY KEY,
    kind            INTEGER NOT NULL REFERENCES owner_kind(code),
    tax_code        TEXT NOT NULL UNIQUE,      -- codice fiscale (11 digits for bodies)
    name            TEXT NOT NULL,             -- ragione sociale
    istat_code      TEXT UNIQUE REFERENCES municipality(istat_code),  -- for a Comune
    aler_code       TEXT UNIQUE,               -- for an ALER: ALER_MI, …
    synthetic_tax_code INTEGER NOT NULL DEFAULT 0,  -- 1: code generated, not the real one
    version         INTEGER NOT NULL DEFAULT 1,
    CHECK (kind <> 1 OR istat_code IS NOT NULL)
);
CREATE INDEX owner_name ON owner(name COLLATE NOCASE);

-- Provinces an ALER covers.
CREATE TABLE aler_province (
    owner_id  INTEGER NOT NULL REFERENCES owner(id),
    province  TEXT NOT NULL UNIQUE REFERENCES province(sigla),
    PRIMARY KEY (owner_id, province)
) WITHOUT ROWID;

CREATE TABLE unit_state (
    code  INTEGER PRIMARY KEY,
    label TEXT NOT NULL UNIQUE
);
INSERT INTO unit_state VALUES
    (1,'LIBERO'),(2,'OCCUPATO'),(3,'SFITTO PER CARENZE MANUTENTIVE'),(4,'SFITTO PER RISTRUTTURAZIONE'),
    (5,'OCCUPATO SENZA TITOLO'),(6,'IN ASSEGNAZIONE'),(7,'NUOVA EDIFICAZIONE'),(8,'NON DISPONIBILE');

CREATE TABLE service_type (
    code  INTEGER PRIMARY KEY,
    short TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL UNIQUE
);
INSERT INTO service_type VALUES
    (1,'SAP','SERVIZI ABITATIVI PUBBLICI'),(2,'SAS','SERVIZI ABITATIVI SOCIALI'),(3,'ALTRO','ALTRO USO RESIDENZIALE');

-- Fabbricati.
CREATE TABLE building (
    id              INTEGER PRIMARY KEY,
    code            TEXT NOT NULL,             -- Codice fabbricato
    owner_id        INTEGER NOT NULL REFERENCES owner(id),
    istat_code      TEXT NOT NULL REFERENCES municipality(istat_code),
    address         TEXT NOT NULL,
    street_number   TEXT,
    cap             TEXT,
    locality        TEXT,
    year_built      INTEGER,
    has_lift        INTEGER NOT NULL DEFAULT 0,
    floors          INTEGER,
    version         INTEGER NOT NULL DEFAULT 1,
    UNIQUE (owner_id, code)
);
CREATE INDEX building_code ON building(code);

-- Unità abitative. id is the platform's ID alloggio.
CREATE TABLE unit (
    id                  INTEGER PRIMARY KEY,
    code                TEXT NOT NULL,         -- Codice identificativo U.I. (owner's own code)
    building_id         INTEGER NOT NULL REFERENCES building(id),
    owner_id            INTEGER NOT NULL REFERENCES owner(id),
    manager_id          INTEGER REFERENCES owner(id),
    istat_code          TEXT NOT NULL REFERENCES municipality(istat_code),
    province            TEXT NOT NULL REFERENCES province(sigla),  -- from istat_code, kept for the filter index
    locality            TEXT,                  -- Quartiere/Zona/Località/Frazione
    address             TEXT NOT NULL,
    street_number       TEXT,
    cap                 TEXT,
    staircase           TEXT,
    floor               TEXT,
    has_lift            INTEGER NOT NULL DEFAULT 0,
    cadastral_sheet     TEXT,                  -- foglio
    cadastral_parcel    TEXT,                  -- particella
    cadastral_sub       TEXT,                  -- subalterno
    cadastral_category  TEXT,                  -- categoria (A/3, …)
    floor_area          REAL,                  -- superficie utile, m²
    rooms               INTEGER,
    service             INTEGER NOT NULL REFERENCES service_type(code),
    sat                 INTEGER NOT NULL DEFAULT 0,
    state               INTEGER NOT NULL REFERENCES unit_state(code),
    in_notice           INTEGER NOT NULL DEFAULT 0,
    works               TEXT,                  -- interventi necessari (carenze manutentive)
    works_cost_cents    INTEGER,               -- costo stimato, euro cents
    barrier_free        INTEGER NOT NULL DEFAULT 0,
    plan_year           INTEGER,               -- marked for the plan of this year
    version             INTEGER NOT NULL DEFAULT 1,
    updated_at          TEXT NOT NULL,
    UNIQUE (owner_id, code),
    CHECK (sat = 0 OR service = 1),
    CHECK (floor_area IS NULL OR floor_area > 0),
    CHECK (works_cost_cents IS NULL OR works_cost_cents >= 0)
);
CREATE INDEX unit_building ON unit(building_id);
CREATE INDEX unit_owner_state ON unit(owner_id, state);
CREATE INDEX unit_istat_state ON unit(istat_code, state);
CREATE INDEX unit_state_id ON unit(state);
CREATE INDEX unit_province_state ON unit(province, state);

-- Nuclei familiari living in units (current tenancies).
CREATE TABLE household (
    id              INTEGER PRIMARY KEY,
    unit_id         INTEGER NOT NULL REFERENCES unit(id),
    owner_id        INTEGER NOT NULL REFERENCES owner(id),  -- the unit's owner, for the certification counts
    members         INTEGER NOT NULL CHECK (members > 0),
    isee_cents      INTEGER,
    contract_date   TEXT,
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX household_unit ON household(unit_id);
CREATE INDEX household_owner ON household(owner_id);

-- Inquilini.
CREATE TABLE tenant (
    id              INTEGER PRIMARY KEY,
    household_id    INTEGER NOT NULL REFERENCES household(id),
    owner_id        INTEGER NOT NULL REFERENCES owner(id),  -- as household.owner_id
    tax_code        TEXT NOT NULL,
    surname         TEXT NOT NULL,
    name            TEXT NOT NULL,
    sex             TEXT CHECK (sex IN ('M','F')),
    birth_date      TEXT,
    birth_place     TEXT,                      -- Belfiore code
    relationship    TEXT,                      -- INTESTATARIO, CONIUGE, FIGLIO, …
    is_holder       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX tenant_household ON tenant(household_id);
CREATE INDEX tenant_owner ON tenant(owner_id);
CREATE INDEX tenant_tax_code ON tenant(tax_code);

CREATE TABLE operator (
    id              INTEGER PRIMARY KEY,
    username        TEXT NOT NULL UNIQUE,
    surname         TEXT NOT NULL,
    name            TEXT NOT NULL,
    tax_code        TEXT NOT NULL,
    email           TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('REGIONE','CAPOFILA','ENTE','HELPDESK')),
    district_id     INTEGER REFERENCES district(id),
    status          TEXT NOT NULL CHECK (status IN ('IN_ATTESA','ATTIVO','DISABILITATO')),
    created_at      TEXT NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1,
    CHECK (role <> 'CAPOFILA' OR district_id IS NOT NULL)
);

CREATE TABLE operator_grant (
    operator_id  INTEGER NOT NULL REFERENCES operator(id),
    owner_id     INTEGER NOT NULL REFERENCES owner(id),
    service      TEXT NOT NULL CHECK (service IN ('ANAGRAFE','AVVISI','OCCUPANTI','PROGRAMMAZIONE')),
    PRIMARY KEY (operator_id, owner_id, service)
) WITHOUT ROWID;
CREATE INDEX operator_grant_owner ON operator_grant(owner_id);

-- Who did what, when, with the record before and after (JSON).
CREATE TABLE audit (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    operator    TEXT NOT NULL,
    action      TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   TEXT,
    before      TEXT,
    after       TEXT
);
CREATE INDEX audit_entity ON audit(entity, entity_id);
