-- Migration 8: assignment (DOMAIN.md 5; art. 13-15 r.r. 4/2017). The units available in each
-- calendar year (the base of the quota ledger), the istruttoria of each unit for a household
-- (proposal, offer, answer, act, lease), and where each ranked application stands. The ledger
-- itself is never stored: it is recomputed from these rows.

-- A unit available for assignment in a calendar year. Written when a unit becomes LIBERO, by
-- whatever path (an import, an edit; the end of an istruttoria that did not assign it is not a
-- new one: the row is still open); closed as ASSEGNATA when the lease is signed, or withdrawn
-- when the unit leaves the assignable states otherwise. A unit freed again later is a new row
-- (turn-over). Open rows are the units still to assign, istruttorie included.
CREATE TABLE availability (
    id              INTEGER PRIMARY KEY,
    -- A unit deleted takes its availabilities along, unless an istruttoria refers to them.
    unit_id         INTEGER NOT NULL REFERENCES unit(id) ON DELETE CASCADE,
    owner_id        INTEGER NOT NULL REFERENCES owner(id),
    istat_code      TEXT NOT NULL,
    year            INTEGER NOT NULL,
    available_on    TEXT NOT NULL,             -- YYYY-MM-DD
    origin          TEXT NOT NULL,             -- LIBERO, or REGISTRO for units free at migration
    closed          TEXT CHECK (closed IN ('ASSEGNATA','RITIRATA')),
    closed_on       TEXT
);
-- The ledger's base: one (year, owner, comune) range, counted from the index alone.
CREATE INDEX availability_ledger ON availability(year, owner_id, istat_code, closed);
-- At most one open availability per unit.
CREATE UNIQUE INDEX availability_open ON availability(unit_id) WHERE closed IS NULL;
-- Every availability of a unit (a unit deleted finds them).
CREATE INDEX availability_unit ON availability(unit_id);
-- The units of an owner in a comune still to assign, oldest first ("Alloggi da assegnare").
CREATE INDEX availability_waiting ON availability(owner_id, istat_code, available_on)
    WHERE closed IS NULL;

CREATE TRIGGER availability_on_insert AFTER INSERT ON unit WHEN NEW.state = 1
BEGIN
    INSERT INTO availability (unit_id, owner_id, istat_code, year, available_on, origin)
    VALUES (NEW.id, NEW.owner_id, NEW.istat_code,
            CAST(strftime('%Y', 'now', 'localtime') AS INTEGER), date('now', 'localtime'),
            'LIBERO');
END;

CREATE TRIGGER availability_on_free AFTER UPDATE OF state ON unit
WHEN NEW.state = 1 AND OLD.state <> 1
 AND NOT EXISTS (SELECT 1 FROM availability WHERE unit_id = NEW.id AND closed IS NULL)
BEGIN
    INSERT INTO availability (unit_id, owner_id, istat_code, year, available_on, origin)
    VALUES (NEW.id, NEW.owner_id, NEW.istat_code,
            CAST(strftime('%Y', 'now', 'localtime') AS INTEGER), date('now', 'localtime'),
            'LIBERO');
END;

-- Leaving the assignable states (LIBERO, IN ASSEGNAZIONE) other than by an assignment, which
-- closes its row first, withdraws the unit from the year's base.
CREATE TRIGGER availability_on_withdraw AFTER UPDATE OF state ON unit
WHEN NEW.state NOT IN (1, 6)
BEGIN
    UPDATE availability SET closed = 'RITIRATA', closed_on = date('now', 'localtime')
     WHERE unit_id = NEW.id AND closed IS NULL;
END;

-- Units free today: available in the year of their last change.
INSERT INTO availability (unit_id, owner_id, istat_code, year, available_on, origin)
SELECT id, owner_id, istat_code, CAST(substr(updated_at, 1, 4) AS INTEGER),
       substr(updated_at, 1, 10), 'REGISTRO'
  FROM unit WHERE state = 1;

-- The istruttoria of one unit for one household.
CREATE TABLE assignment (
    id                  INTEGER PRIMARY KEY,
    availability_id     INTEGER NOT NULL REFERENCES availability(id),
    unit_id             INTEGER NOT NULL REFERENCES unit(id),
    owner_id            INTEGER NOT NULL REFERENCES owner(id),
    istat_code          TEXT NOT NULL,
    year                INTEGER NOT NULL,
    ranking_id          INTEGER NOT NULL REFERENCES ranking(id),
    application_id      INTEGER NOT NULL REFERENCES application(id),
    line                TEXT NOT NULL,             -- INDIGENTI, a reserve's code, GRADUATORIA
    stage               TEXT NOT NULL CHECK (stage IN ('PROPOSTA','OFFERTA','ACCETTATA',
                            'ASSEGNATA','RIFIUTATA','SENZA RISPOSTA','ANNULLATA')),
    base_at             INTEGER NOT NULL,          -- units available when proposed
    rule_set_id         INTEGER NOT NULL REFERENCES rule_set(id),
    explanation         TEXT NOT NULL,             -- JSON array of Italian lines
    owner_choice        TEXT NOT NULL DEFAULT '',  -- other units it could have (art. 15 c.1-bis)
    proposed_on         TEXT NOT NULL,
    proposed_by         TEXT NOT NULL,
    offered_on          TEXT,
    answer_by           TEXT,
    outcome_on          TEXT,
    outcome_reason      TEXT,
    act_number          TEXT,
    act_date            TEXT,
    lease_date          TEXT,
    unit_state_before   INTEGER,
    updated_at          TEXT NOT NULL,
    updated_by          TEXT NOT NULL,
    version             INTEGER NOT NULL DEFAULT 1
);
-- The ledger's lines: one (year, owner, comune) range grouped by line, stage and whether the
-- lease is signed, read from the index alone.
CREATE INDEX assignment_ledger ON assignment(year, owner_id, istat_code, line, stage,
    lease_date);
-- One istruttoria at a time per unit: it holds the unit until the lease is signed.
CREATE UNIQUE INDEX assignment_open_unit ON assignment(unit_id)
    WHERE stage IN ('PROPOSTA','OFFERTA','ACCETTATA')
       OR (stage = 'ASSEGNATA' AND lease_date IS NULL);
CREATE INDEX assignment_application ON assignment(application_id);
CREATE INDEX assignment_availability ON assignment(availability_id);
-- The foreign keys' look-ups: a unit or a ranking deleted finds its istruttorie.
CREATE INDEX assignment_unit ON assignment(unit_id);
CREATE INDEX assignment_ranking ON assignment(ranking_id);

-- Where a ranked application stands in the assignments: in an istruttoria, assigned, or
-- removed (refusal, no answer, a missing access requirement) with the reason. No row: free.
CREATE TABLE application_outcome (
    application_id  INTEGER PRIMARY KEY REFERENCES application(id),
    state           TEXT NOT NULL CHECK (state IN ('IN ISTRUTTORIA','ASSEGNATA','RIMOSSA')),
    assignment_id   INTEGER REFERENCES assignment(id),
    reason          TEXT,
    at              TEXT NOT NULL,
    by_operator     TEXT NOT NULL
);

-- The candidates of a proposal: who chose the unit, and who was ranked without preferences,
-- read in ranking order only as far as the decision needs.
CREATE INDEX ranking_entry_unit1 ON ranking_entry(unit1, ranking_id) WHERE unit1 IS NOT NULL;
CREATE INDEX ranking_entry_unit2 ON ranking_entry(unit2, ranking_id) WHERE unit2 IS NOT NULL;
CREATE INDEX ranking_entry_free ON ranking_entry(ranking_id, position)
    WHERE without_preferences = 1;
CREATE INDEX ranking_entry_free_indigent ON ranking_entry(ranking_id, position)
    WHERE without_preferences = 1 AND indigent = 1;
-- The final ranking of an owner in a comune.
CREATE INDEX ranking_owner_comune ON ranking(owner_id, istat_code, state);
