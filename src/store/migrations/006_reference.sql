-- Reference data, round two (issue 12): whether a source names the capofila as such.

-- 0 where no source names the capofila as such (Merate: the usual lead municipality; Crema:
-- first party of the accordo di programma).
ALTER TABLE district ADD COLUMN lead_confirmed INTEGER NOT NULL DEFAULT 1;
