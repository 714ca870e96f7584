-- Rankings (DOMAIN.md 5 and 6): rule sets as stored files, notices with the units they offer,
-- applications with their household, and the rankings computed from them.

-- A rule set as loaded: the file's text, never changed (a changed file is a new version).
CREATE TABLE rule_set (
    id              INTEGER PRIMARY KEY,
    cite            TEXT NOT NULL,             -- e.g. R.R. 2/2025
    version         INTEGER NOT NULL,          -- 1, 2, … per citation
    name            TEXT NOT NULL,
    effective_from  TEXT NOT NULL,             -- YYYY-MM-DD
    file_name       TEXT NOT NULL,
    text            TEXT NOT NULL,
    builtin         INTEGER NOT NULL DEFAULT 0,  -- shipped with casa
    loaded_at       TEXT NOT NULL,
    loaded_by       TEXT NOT NULL,
    UNIQUE (cite, version)
);
CREATE INDEX rule_set_effective ON rule_set(effective_from, id);
CREATE TRIGGER rule_set_never_changes BEFORE UPDATE ON rule_set
BEGIN
    SELECT RAISE(ABORT, 'un insieme di regole memorizzato non cambia: caricare un nuovo file');
END;
CREATE TRIGGER rule_set_never_deleted BEFORE DELETE ON rule_set
BEGIN
    SELECT RAISE(ABORT, 'un insieme di regole memorizzato non si cancella');
END;

-- A notice (avviso) of a district. Its rule set is recorded when it is created and never
-- changes, so its rankings can always be recomputed identically.
CREATE TABLE notice (
    id              INTEGER PRIMARY KEY,
    district_id     INTEGER NOT NULL REFERENCES district(id),
    title           TEXT NOT NULL,
    opens_on        TEXT NOT NULL,
    closes_on       TEXT NOT NULL,
    rule_set_id     INTEGER NOT NULL REFERENCES rule_set(id),
    state           TEXT NOT NULL CHECK (state IN ('APERTO','CHIUSO')),
    created_at      TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    closed_at       TEXT,
    closed_by       TEXT,
    version         INTEGER NOT NULL DEFAULT 1,
    CHECK (opens_on < closes_on)
);
CREATE INDEX notice_district ON notice(district_id, id);
CREATE TRIGGER notice_rule_set_fixed BEFORE UPDATE OF rule_set_id ON notice
BEGIN
    SELECT RAISE(ABORT, 'le regole di un avviso non cambiano');
END;

-- The units a notice offers: the district's units marked in avviso when it was created.
CREATE TABLE notice_unit (
    notice_id   INTEGER NOT NULL REFERENCES notice(id),
    unit_id     INTEGER NOT NULL REFERENCES unit(id),
    PRIMARY KEY (notice_id, unit_id)
) WITHOUT ROWID;
CREATE INDEX notice_unit_unit ON notice_unit(unit_id);

-- An application (domanda) as filed.
CREATE TABLE application (
    id                  INTEGER PRIMARY KEY,
    notice_id           INTEGER NOT NULL REFERENCES notice(id),
    code                TEXT NOT NULL,             -- ID domanda
    submitted_at        TEXT NOT NULL,             -- YYYY-MM-DDTHH:MM:SS
    isee_cents          INTEGER NOT NULL,
    assets_cents        INTEGER NOT NULL,
    resides_lombardy    INTEGER NOT NULL,
    works_lombardy      INTEGER NOT NULL,
    residence_istat     TEXT,
    work_istat          TEXT,
    years_region        INTEGER NOT NULL,
    years_comune        INTEGER NOT NULL,
    owned_dwelling_m2   INTEGER,
    exclusion_on        TEXT,
    declared            TEXT NOT NULL DEFAULT '',  -- condition codes, ';'-separated
    preferences         TEXT NOT NULL DEFAULT '',  -- unit ids, ';'-separated, in order
    imported_at         TEXT NOT NULL,
    version             INTEGER NOT NULL DEFAULT 1,
    UNIQUE (notice_id, code)
);
-- A notice's applications in id order (the computation reads them all; named so the
-- statement can insist on it even when one notice holds every row).
CREATE INDEX application_notice ON application(notice_id, id);

CREATE TABLE application_member (
    application_id  INTEGER NOT NULL REFERENCES application(id),
    seq             INTEGER NOT NULL,
    tax_code        TEXT NOT NULL,
    birth_date      TEXT NOT NULL,
    relationship    TEXT NOT NULL,
    disability_pct  INTEGER NOT NULL DEFAULT 0 CHECK (disability_pct BETWEEN 0 AND 100),
    attendance      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (application_id, seq)
) WITHOUT ROWID;
CREATE INDEX application_member_tax_code ON application_member(tax_code);

-- One ranking per owner per comune of a notice.
CREATE TABLE ranking (
    id              INTEGER PRIMARY KEY,
    notice_id       INTEGER NOT NULL REFERENCES notice(id),
    owner_id        INTEGER NOT NULL REFERENCES owner(id),
    istat_code      TEXT NOT NULL REFERENCES municipality(istat_code),
    state           TEXT NOT NULL CHECK (state IN ('PROVVISORIA','DEFINITIVA')),
    computed_at     TEXT NOT NULL,
    computed_by     TEXT NOT NULL,
    provisional_on  TEXT NOT NULL,
    final_on        TEXT,
    version         INTEGER NOT NULL DEFAULT 1,
    UNIQUE (notice_id, owner_id, istat_code)
);
CREATE INDEX ranking_notice ON ranking(notice_id, state);

-- The ranked applications; the sub-scores are kept because the tie-breaks use them.
CREATE TABLE ranking_entry (
    ranking_id          INTEGER NOT NULL REFERENCES ranking(id),
    position            INTEGER NOT NULL,
    application_id      INTEGER NOT NULL REFERENCES application(id),
    isbar               INTEGER NOT NULL,          -- hundredths of a point
    familiari           INTEGER NOT NULL,
    abitative           INTEGER NOT NULL,
    economica           INTEGER NOT NULL,
    residenza_regione   INTEGER NOT NULL,
    residenza_comune    INTEGER NOT NULL,
    indigent            INTEGER NOT NULL,
    without_preferences INTEGER NOT NULL,
    unit1               INTEGER,
    unit2               INTEGER,
    conditions          TEXT NOT NULL DEFAULT '',  -- codes of the conditions that scored
    PRIMARY KEY (ranking_id, position)
) WITHOUT ROWID;
CREATE INDEX ranking_entry_application ON ranking_entry(application_id, ranking_id);

-- Applications left out of every ranking, with each failed requirement.
CREATE TABLE application_exclusion (
    notice_id       INTEGER NOT NULL REFERENCES notice(id),
    application_id  INTEGER NOT NULL REFERENCES application(id),
    requirement     TEXT NOT NULL,
    reason          TEXT NOT NULL,
    PRIMARY KEY (notice_id, application_id, requirement)
) WITHOUT ROWID;
