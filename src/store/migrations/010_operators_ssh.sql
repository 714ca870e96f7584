-- Operators over SSH (issue 11): the keys operators connect with, registration requests
-- (SCHEDA UTENTE) and their validation, the acts naming each district's capofila, the
-- capofila a plan or a notice was made under, and an audit trail that says where each change
-- came from and is chained by hashes.

-- Public keys bound to operators: OpenSSH authenticates the key, casa maps it to its operator.
CREATE TABLE operator_key (
    id           INTEGER PRIMARY KEY,
    operator_id  INTEGER NOT NULL REFERENCES operator(id),
    fingerprint  TEXT NOT NULL UNIQUE,           -- SHA256:… as ssh-keygen -l prints it
    algorithm    TEXT NOT NULL,
    public_key   TEXT NOT NULL,                  -- ALGORITHM BASE64, without the comment
    comment      TEXT NOT NULL DEFAULT '',
    added_at     TEXT NOT NULL,
    added_by     TEXT NOT NULL
);
CREATE INDEX operator_key_operator ON operator_key(operator_id, id);

-- SCHEDA UTENTE: a request to become an operator of an owner with some services (NUOVO), or
-- for more owners or services for an operator already registered (ESTENSIONE). Nothing is
-- granted until the Regione validates it.
CREATE TABLE registration_request (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('NUOVO','ESTENSIONE')),
    status       TEXT NOT NULL CHECK (status IN ('IN_ATTESA','VALIDATA','RESPINTA')),
    surname      TEXT NOT NULL,
    name         TEXT NOT NULL,
    username     TEXT NOT NULL,
    tax_code     TEXT NOT NULL,
    email        TEXT NOT NULL,
    owner_id     INTEGER NOT NULL REFERENCES owner(id),
    services     TEXT NOT NULL,                  -- comma-separated service codes
    operator_id  INTEGER REFERENCES operator(id),  -- ESTENSIONE: who asks; NUOVO: once validated
    fingerprint  TEXT,                           -- NUOVO: the key to bind
    public_key   TEXT,
    key_comment  TEXT,
    filed_at     TEXT NOT NULL,
    filed_by     TEXT NOT NULL,                  -- the operator who filed it, '' for an unknown key
    origin       TEXT NOT NULL,                  -- where it was filed from (as in the audit)
    client       TEXT NOT NULL DEFAULT '',       -- client address of an SSH filing (rate limit)
    decided_at   TEXT,
    decided_by   TEXT,
    reason       TEXT,                           -- why it was rejected
    version      INTEGER NOT NULL DEFAULT 1,
    CHECK (kind = 'ESTENSIONE' OR fingerprint IS NOT NULL),
    CHECK (kind = 'NUOVO' OR operator_id IS NOT NULL),
    CHECK (status <> 'RESPINTA' OR reason IS NOT NULL)
);
CREATE INDEX registration_request_status ON registration_request(status, id);
CREATE INDEX registration_request_filed ON registration_request(filed_at);
CREATE INDEX registration_request_client ON registration_request(client, filed_at);
CREATE INDEX registration_request_key ON registration_request(fingerprint, id);
-- One pending request per key and per new username.
CREATE UNIQUE INDEX registration_request_pending_key
    ON registration_request(fingerprint) WHERE status = 'IN_ATTESA';
CREATE UNIQUE INDEX registration_request_pending_username
    ON registration_request(username) WHERE status = 'IN_ATTESA' AND kind = 'NUOVO';

-- The acts naming a district's capofila (nomination by the mayors' assembly), newest last.
CREATE TABLE district_lead (
    id             INTEGER PRIMARY KEY,
    district_id    INTEGER NOT NULL REFERENCES district(id),
    istat_code     TEXT NOT NULL REFERENCES municipality(istat_code),
    act_date       TEXT NOT NULL,                -- date of the act (YYYY-MM-DD)
    act_reference  TEXT NOT NULL,                -- e.g. "Verbale Assemblea dei Sindaci n. 3/2025"
    recorded_at    TEXT NOT NULL,
    recorded_by    TEXT NOT NULL
);
CREATE INDEX district_lead_district ON district_lead(district_id, id);
-- Set when the Regione changes a district: the reference data's refresh leaves it alone.
ALTER TABLE district ADD COLUMN configured_at TEXT;

-- The capofila a plan or notice was made under, fixed at creation whoever writes it.
ALTER TABLE plan ADD COLUMN lead_istat TEXT;
ALTER TABLE plan ADD COLUMN lead_act_id INTEGER REFERENCES district_lead(id);
ALTER TABLE notice ADD COLUMN lead_istat TEXT;
ALTER TABLE notice ADD COLUMN lead_act_id INTEGER REFERENCES district_lead(id);
UPDATE plan SET lead_istat = (SELECT d.lead_istat FROM district d WHERE d.id = plan.district_id);
UPDATE notice SET lead_istat = (SELECT d.lead_istat FROM district d WHERE d.id = notice.district_id);

-- The trigger below updates the new plan: SQLite then looks for plans superseding it (the
-- foreign key supersedes), which without an index reads every plan.
CREATE INDEX plan_supersedes ON plan(supersedes) WHERE supersedes IS NOT NULL;
CREATE TRIGGER plan_lead_at_creation AFTER INSERT ON plan WHEN NEW.lead_istat IS NULL BEGIN
    UPDATE plan SET
        lead_istat = (SELECT d.lead_istat FROM district d WHERE d.id = NEW.district_id),
        lead_act_id = (SELECT max(l.id) FROM district_lead l WHERE l.district_id = NEW.district_id)
    WHERE id = NEW.id;
END;
CREATE TRIGGER notice_lead_at_creation AFTER INSERT ON notice WHEN NEW.lead_istat IS NULL BEGIN
    UPDATE notice SET
        lead_istat = (SELECT d.lead_istat FROM district d WHERE d.id = NEW.district_id),
        lead_act_id = (SELECT max(l.id) FROM district_lead l WHERE l.district_id = NEW.district_id)
    WHERE id = NEW.id;
END;
CREATE TRIGGER plan_lead_fixed BEFORE UPDATE OF lead_istat, lead_act_id ON plan
WHEN OLD.lead_istat IS NOT NULL
  AND (OLD.lead_istat IS NOT NEW.lead_istat OR OLD.lead_act_id IS NOT NEW.lead_act_id) BEGIN
    SELECT RAISE(ABORT, 'il capofila di un piano resta quello con cui è stato creato');
END;
CREATE TRIGGER notice_lead_fixed BEFORE UPDATE OF lead_istat, lead_act_id ON notice
WHEN OLD.lead_istat IS NOT NULL
  AND (OLD.lead_istat IS NOT NEW.lead_istat OR OLD.lead_act_id IS NOT NEW.lead_act_id) BEGIN
    SELECT RAISE(ABORT, 'il capofila di un avviso resta quello con cui è stato creato');
END;

-- The audit trail: where each change came from (local user, or SSH key and client address),
-- and the hash chain (domain::audit_chain). Older records are sealed when this migration runs.
ALTER TABLE audit ADD COLUMN origin TEXT NOT NULL DEFAULT '';
ALTER TABLE audit ADD COLUMN prev_hash TEXT;
ALTER TABLE audit ADD COLUMN hash TEXT;
-- A record has one successor: two writers can never fork the chain.
CREATE UNIQUE INDEX audit_chain_prev ON audit(prev_hash);
-- The filters of `casa audit list` and the Audit screen, newest first.
CREATE INDEX audit_operator ON audit(operator, id);
CREATE INDEX audit_action ON audit(action, id);
CREATE INDEX audit_entity_newest ON audit(entity, id);
CREATE INDEX audit_at ON audit(at);

-- Units per value of each search filter (owner, comune, province, state, destinazione, in
-- avviso, plan year, and all), kept by triggers on the tally: the search picks its index from
-- them, and a new connection (every SSH command and session opens one) reads a handful of rows
-- instead of adding up thousands of tally rows (5.5 ms for three states at 1M units).
-- Filled once the migrations ran (search::sync::fill_dim_totals).
CREATE TABLE unit_dim_total (
    dim    TEXT NOT NULL,      -- O owner, C comune, P province, T state, S service, N in avviso, Y plan year, * all
    value  TEXT NOT NULL,
    n      INTEGER NOT NULL,
    PRIMARY KEY (dim, value)
) WITHOUT ROWID;

CREATE TRIGGER search_sync_dim_insert AFTER INSERT ON unit_tally BEGIN
    INSERT INTO unit_dim_total (dim, value, n) VALUES
        ('O', CAST(NEW.owner_id AS TEXT), NEW.n), ('C', NEW.istat_code, NEW.n),
        ('P', NEW.province, NEW.n), ('T', CAST(NEW.state AS TEXT), NEW.n),
        ('S', CAST(NEW.service AS TEXT), NEW.n), ('N', CAST(NEW.in_notice AS TEXT), NEW.n),
        ('Y', CAST(NEW.plan_year AS TEXT), NEW.n), ('*', '', NEW.n)
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER search_sync_dim_delete AFTER DELETE ON unit_tally BEGIN
    INSERT INTO unit_dim_total (dim, value, n) VALUES
        ('O', CAST(OLD.owner_id AS TEXT), -OLD.n), ('C', OLD.istat_code, -OLD.n),
        ('P', OLD.province, -OLD.n), ('T', CAST(OLD.state AS TEXT), -OLD.n),
        ('S', CAST(OLD.service AS TEXT), -OLD.n), ('N', CAST(OLD.in_notice AS TEXT), -OLD.n),
        ('Y', CAST(OLD.plan_year AS TEXT), -OLD.n), ('*', '', -OLD.n)
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER search_sync_dim_update AFTER UPDATE ON unit_tally BEGIN
    INSERT INTO unit_dim_total (dim, value, n) VALUES
        ('O', CAST(OLD.owner_id AS TEXT), -OLD.n), ('C', OLD.istat_code, -OLD.n),
        ('P', OLD.province, -OLD.n), ('T', CAST(OLD.state AS TEXT), -OLD.n),
        ('S', CAST(OLD.service AS TEXT), -OLD.n), ('N', CAST(OLD.in_notice AS TEXT), -OLD.n),
        ('Y', CAST(OLD.plan_year AS TEXT), -OLD.n), ('*', '', -OLD.n),
        ('O', CAST(NEW.owner_id AS TEXT), NEW.n), ('C', NEW.istat_code, NEW.n),
        ('P', NEW.province, NEW.n), ('T', CAST(NEW.state AS TEXT), NEW.n),
        ('S', CAST(NEW.service AS TEXT), NEW.n), ('N', CAST(NEW.in_notice AS TEXT), NEW.n),
        ('Y', CAST(NEW.plan_year AS TEXT), NEW.n), ('*', '', NEW.n)
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
END;
