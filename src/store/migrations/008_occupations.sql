-- Banca dati degli occupanti senza titolo (issue 15): the register of units occupied without
-- title and of the people occupying them, in the fields of the regional feed
-- (anpu-occupazioni.xsd), with the household members of each occupant.

-- The code lists of the feed (occupation type, legitimating act, debt presence and types,
-- address prefix) with their Italian labels: configuration loaded from
-- fixtures/anpu_codici.csv (store::reference), never constants in code.
CREATE TABLE occupation_code (
    list        TEXT NOT NULL,
    code        INTEGER NOT NULL,
    label       TEXT NOT NULL,
    source      TEXT NOT NULL,
    verified    INTEGER NOT NULL,
    PRIMARY KEY (list, code)
) WITHOUT ROWID;

-- One occupation (occupazione senza titolo) as the feed describes it. Dates are YYYY-MM-DD.
-- Optional attributes of the feed are NULL when absent, so that a document read and written
-- again is the same document.
CREATE TABLE occupation (
    id                  INTEGER PRIMARY KEY,
    owner_id            INTEGER NOT NULL REFERENCES owner(id),  -- cfEnteProprietario
    code                TEXT NOT NULL,                 -- cdOccupazione, unique per owner
    unit_id             INTEGER REFERENCES unit(id),   -- casa's unit when it exists
    unit_code           TEXT NOT NULL,                 -- cdAlloggio
    istat_code          TEXT NOT NULL REFERENCES municipality(istat_code),  -- cdCatastaleAlloggio
    province            TEXT NOT NULL,                 -- siglaProvinciaAlloggio
    address_prefix      INTEGER NOT NULL,              -- prefissoIndirizzo
    address             TEXT NOT NULL,                 -- denominazioneIndirizzo
    street_number       TEXT NOT NULL,                 -- numCivico
    -- The occupant.
    tax_code            TEXT,                          -- cf; NULL: flgCfConosciuto = 0
    name                TEXT NOT NULL,
    surname             TEXT NOT NULL,
    birth_date          TEXT NOT NULL,
    sex                 TEXT CHECK (sex IN ('M', 'F')),
    birth_nation        TEXT,                          -- cdCatastaleNazioneNascita
    birth_province      TEXT,                          -- siglaProvinciaNascita
    birth_comune        TEXT,                          -- cdCatastaleComuneNascita
    citizenship         TEXT,                          -- cdCittadinanza
    -- The occupation.
    started_on          TEXT NOT NULL,                 -- dtInizioOccupazione
    kind                INTEGER NOT NULL,              -- idTipoOccupazione
    detect_type         TEXT NOT NULL,                 -- tipoAttoRilevazione
    detect_id           TEXT NOT NULL,                 -- identificativoAttoRilevazione
    detect_on           TEXT NOT NULL,                 -- dtAttoRilevazione
    legit_type          INTEGER,                       -- idTipoAttoLegittimante
    legit_id            TEXT,
    legit_on            TEXT,
    release_id          TEXT,                          -- identificativoAttoRilascio
    release_protocol    TEXT,
    release_on          TEXT,
    debt                INTEGER NOT NULL,              -- idTipoPresenzaDebito
    debt_damage         INTEGER,                       -- flgTipoDebitoDanneggiamento
    debt_unpaid         INTEGER,                       -- flgTipoDebitoMancato
    debt_costs          INTEGER,                       -- flgTipoDebitoCosti
    debt_other          INTEGER,                       -- flgTipoDebitoAltro
    debt_extinct        INTEGER,                       -- flgEstinzioneDebito
    debt_extinct_on     TEXT,
    ended               INTEGER NOT NULL,              -- flgCessazioneOccupazione
    ended_on            TEXT,                          -- dtCessazioneOccupazione
    end_id              TEXT,                          -- identificativoProvvedimentoCessazione
    end_protocol        TEXT,
    end_on              TEXT,                          -- dtProvvedimentoCessazione
    version             INTEGER NOT NULL DEFAULT 1,
    exported_version    INTEGER,                       -- version last sent in the feed
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    UNIQUE (owner_id, code),
    CHECK (ended IN (0, 1) AND (ended = 1) = (ended_on IS NOT NULL))
);
-- The search screen's filters, each read in id order (keyset paging).
CREATE INDEX occupation_owner ON occupation(owner_id, id);
CREATE INDEX occupation_istat ON occupation(istat_code, id);
CREATE INDEX occupation_kind ON occupation(kind, id);
CREATE INDEX occupation_ended ON occupation(ended, id);
CREATE INDEX occupation_started ON occupation(started_on);
-- The period filter and the five-year check's window (open ones have NULL).
CREATE INDEX occupation_ended_on ON occupation(ended_on);
-- The period filter alone: not ended before its first day (open ones last for ever).
CREATE INDEX occupation_until ON occupation(coalesce(ended_on, '9999-12-31'));
-- The codice fiscale filter and the five-year check: one lookup per member.
CREATE INDEX occupation_tax_code ON occupation(tax_code) WHERE tax_code IS NOT NULL;
-- Other open occupations of a unit, when one closes.
CREATE INDEX occupation_unit ON occupation(unit_id) WHERE unit_id IS NOT NULL;

-- The occupant's household members (not in the feed; their codici fiscali count for the check).
CREATE TABLE occupation_member (
    occupation_id   INTEGER NOT NULL REFERENCES occupation(id),
    seq             INTEGER NOT NULL,
    tax_code        TEXT NOT NULL,
    surname         TEXT NOT NULL,
    name            TEXT NOT NULL,
    birth_date      TEXT,
    relationship    TEXT NOT NULL,
    PRIMARY KEY (occupation_id, seq)
) WITHOUT ROWID;
CREATE INDEX occupation_member_tax_code ON occupation_member(tax_code, occupation_id);

-- Free text of the search: codes, address, occupant (trigram: substring, accents ignored).
CREATE VIEW occupation_text_source AS
    SELECT id, code || ' ' || unit_code AS codici,
           address || ' ' || street_number AS indirizzo,
           surname || ' ' || name AS occupante
    FROM occupation;
CREATE VIRTUAL TABLE occupation_text USING fts5(
    codici, indirizzo, occupante,
    content = 'occupation_text_source', content_rowid = 'id',
    tokenize = 'trigram remove_diacritics 1'
);
CREATE TRIGGER occupation_text_insert AFTER INSERT ON occupation BEGIN
    INSERT INTO occupation_text (rowid, codici, indirizzo, occupante)
    VALUES (NEW.id, NEW.code || ' ' || NEW.unit_code, NEW.address || ' ' || NEW.street_number,
            NEW.surname || ' ' || NEW.name);
END;
CREATE TRIGGER occupation_text_delete AFTER DELETE ON occupation BEGIN
    INSERT INTO occupation_text (occupation_text, rowid, codici, indirizzo, occupante)
    VALUES ('delete', OLD.id, OLD.code || ' ' || OLD.unit_code,
            OLD.address || ' ' || OLD.street_number, OLD.surname || ' ' || OLD.name);
END;
CREATE TRIGGER occupation_text_update AFTER UPDATE OF code, unit_code, address, street_number,
    surname, name ON occupation
BEGIN
    INSERT INTO occupation_text (occupation_text, rowid, codici, indirizzo, occupante)
    VALUES ('delete', OLD.id, OLD.code || ' ' || OLD.unit_code,
            OLD.address || ' ' || OLD.street_number, OLD.surname || ' ' || OLD.name);
    INSERT INTO occupation_text (rowid, codici, indirizzo, occupante)
    VALUES (NEW.id, NEW.code || ' ' || NEW.unit_code, NEW.address || ' ' || NEW.street_number,
            NEW.surname || ' ' || NEW.name);
END;
