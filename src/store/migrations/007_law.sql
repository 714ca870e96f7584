-- Exact to the law, round two (issue 12).

-- Years of residence of an application's household in comuni other than the current residence
-- (art. 12 c.2: the comune points of a ranking are for residence in the comune of the unit).
CREATE TABLE application_residence (
    application_id  INTEGER NOT NULL REFERENCES application(id),
    istat_code      TEXT NOT NULL,
    years           INTEGER NOT NULL CHECK (years BETWEEN 0 AND 120),
    PRIMARY KEY (application_id, istat_code)
) WITHOUT ROWID;

-- Preferred units not kept by the last computation, with the reason (art. 9 c.2 and the other
-- preference rules), for the lists and the explanations.
CREATE TABLE preference_dropped (
    notice_id       INTEGER NOT NULL REFERENCES notice(id),
    application_id  INTEGER NOT NULL REFERENCES application(id),
    seq             INTEGER NOT NULL,
    unit_id         INTEGER NOT NULL,
    reason          TEXT NOT NULL,
    PRIMARY KEY (notice_id, application_id, seq)
) WITHOUT ROWID;

-- The years of residence in the ranking's comune that the tie-break used (NULL in rankings
-- computed before: the comune of residence's years then).
ALTER TABLE ranking_entry ADD COLUMN years_comune INTEGER;
