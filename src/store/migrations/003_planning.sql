-- Migration 3: annual programming (DOMAIN.md 3): plan cards with their state history, and the
-- owners' communications with every filing kept.

-- SCHEDA PROGRAMMAZIONE ANNUALE. A corrected approved plan is a new revision that supersedes
-- it; both are kept.
CREATE TABLE plan (
    id              INTEGER PRIMARY KEY,
    district_id     INTEGER NOT NULL REFERENCES district(id),
    year            INTEGER NOT NULL,           -- anno di riferimento
    revision        INTEGER NOT NULL DEFAULT 1,
    supersedes      INTEGER REFERENCES plan(id),
    window_start    TEXT NOT NULL,              -- data inizio comunicazione (YYYY-MM-DD)
    window_end      TEXT NOT NULL,              -- data fine comunicazione
    state           TEXT NOT NULL CHECK (state IN ('BOZZA','APERTO','CHIUSO','APPROVATO','ANNULLATO')),
    rule_set        TEXT NOT NULL,              -- citation of the rule set in force for the year
    opened_at       TEXT,                       -- first opening: certifications must be newer
    created_at      TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1,
    CHECK (window_start <= window_end)
);
-- One live plan per district, year and revision (a cancelled plan frees its slot).
CREATE UNIQUE INDEX plan_one_per_year ON plan(district_id, year, revision) WHERE state <> 'ANNULLATO';
CREATE INDEX plan_year ON plan(year, district_id);

-- Every state change of a plan: who and when.
CREATE TABLE plan_state_history (
    id          INTEGER PRIMARY KEY,
    plan_id     INTEGER NOT NULL REFERENCES plan(id),
    action      TEXT NOT NULL,
    from_state  TEXT,
    to_state    TEXT NOT NULL,
    window_end  TEXT NOT NULL,
    at          TEXT NOT NULL,
    operator    TEXT NOT NULL
);
CREATE INDEX plan_state_history_plan ON plan_state_history(plan_id, id);

-- SCHEMA COMUNICAZIONE ANNUALE: one per plan per owner. `version` guards against two sessions
-- saving over each other; `draft` holds a saved, not yet transmitted form (JSON).
CREATE TABLE communication (
    id          INTEGER PRIMARY KEY,
    plan_id     INTEGER NOT NULL REFERENCES plan(id),
    owner_id    INTEGER NOT NULL REFERENCES owner(id),
    state       TEXT NOT NULL CHECK (state IN ('DA COMPILARE','IN COMPILAZIONE','TRASMESSA')),
    draft       TEXT,
    updated_at  TEXT,
    updated_by  TEXT,
    version     INTEGER NOT NULL DEFAULT 1,
    UNIQUE (plan_id, owner_id)
);
CREATE INDEX communication_owner ON communication(owner_id);

-- Each transmission. A refiling supersedes the previous one; both stay.
CREATE TABLE communication_filing (
    id                  INTEGER PRIMARY KEY,
    communication_id    INTEGER NOT NULL REFERENCES communication(id),
    transmission_id     TEXT NOT NULL UNIQUE,   -- ID di trasmissione telematica
    received_at         TEXT NOT NULL,          -- data e ora di ricezione (UTC, RFC 3339)
    operator            TEXT NOT NULL,
    carenze             INTEGER NOT NULL CHECK (carenze >= 0),     -- b
    nuove               INTEGER NOT NULL CHECK (nuove >= 0),       -- c+d
    turnover            INTEGER NOT NULL CHECK (turnover >= 0),    -- e
    privati             INTEGER NOT NULL CHECK (privati >= 0),     -- f
    total               INTEGER NOT NULL,                          -- g = b + (c+d) + e + f
    sat                 INTEGER NOT NULL CHECK (sat >= 0),         -- j
    assegnate           INTEGER NOT NULL CHECK (assegnate >= 0),   -- k
    -- Comuni only; percentages in hundredths of a point.
    indigent_excess     INTEGER,                                   -- h
    elderly             INTEGER,                                   -- c-bis
    single_parent       INTEGER,
    disabled            INTEGER,
    new_family          INTEGER,
    police              INTEGER,                                   -- d-bis
    other_name          TEXT,                                      -- d
    other               INTEGER,
    superseded_by       INTEGER REFERENCES communication_filing(id),
    CHECK (total = carenze + nuove + turnover + privati)
);
CREATE INDEX communication_filing_comm ON communication_filing(communication_id, id);
