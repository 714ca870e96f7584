//! The prepared database of the role × read matrix, the two drivers (the real binary; the
//! interface's worker on a session made as `casa` makes it), and what each role must see,
//! computed here with SQL from the rules as DOMAIN.md states them (not by casa's code).

use casa::app::screens::{DataMsg, Request};
use casa::service::{Claim, Need, Origin, Service};
use casa::tui::jobs::Jobs;
use rusqlite::Connection;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{OnceLock, mpsc};
use std::time::{Duration, Instant};

pub const CAP: &str = "capofila.bg-seriate";
pub const OTHER_CAP: &str = "capofila.bg-dalmine";
/// Comune di Seriate, in BG-SERIATE, every service on its Comune.
pub const COMUNE: &str = "comune.016198";
/// An operator of the Comune di Seriate with the registry service only.
pub const REGISTRY_ONLY: &str = "solo.anagrafe";
pub const ALER: &str = "aler.bg-lc-so";
pub const DISABLED: &str = "disabilitato";
pub const PENDING: &str = "in.attesa";
pub const SERIATE: &str = "016198";
/// Public keys of the fixture (generated with ssh-keygen -t ed25519).
pub const KEY_A: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINl+xZwoSQqHgs+gIyiWSPWLyvPOmMcNu/b/Wf+W97WI matrix-a";
pub const KEY_B: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINGSr4Pua7RJZdurLhAMnj/ZhGff+cXlDJCLcpnj6+1T matrix-b";
pub const KEY_C: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEMHh3bU5dVkCUaFHeFWIlx7gF0vuLvlKjlRlJI6ALce matrix-c";

/// What the cell must show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Want {
    /// Allowed, with these rows (`None`: any).
    Rows(Option<Vec<String>>),
    /// Refused as not allowed (exit 3), with a message.
    Denied,
}

/// What a front end showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    Rows(Vec<String>),
    /// Not allowed: exit 3 (command line), or a session refused (interface).
    Denied(String),
    /// Any other failure: on the interface's message line, or another exit code.
    Failed(String),
}

impl Want {
    pub fn check(&self, seen: &Seen) -> Result<(), String> {
        match (self, seen) {
            (Want::Rows(None), Seen::Rows(_)) => Ok(()),
            (Want::Rows(Some(w)), Seen::Rows(g)) if w == g => Ok(()),
            (Want::Denied, Seen::Denied(m)) if italian_refusal(m) => Ok(()),
            _ => Err(format!("expected {self:?}, got {seen:?}")),
        }
    }
}

/// A refusal worded in Italian for the operator, naming them.
fn italian_refusal(m: &str) -> bool {
    m.contains("operatore ") && !m.to_lowercase().contains("denied")
}

impl Seen {
    /// The interface's failure on the message line is the command line's refusal, word for
    /// word: then it is that refusal.
    pub fn into_refusal_of(self, cli: Option<&Seen>) -> Seen {
        match (self, cli) {
            (Seen::Failed(m), Some(Seen::Denied(c))) if m == *c => Seen::Denied(m),
            (s, _) => s,
        }
    }
}

/// What an operator is, as stored.
#[derive(Debug, Clone, Default)]
pub struct Role {
    pub role: String,
    pub district: Option<i64>,
    pub active: bool,
    /// (owner id, service)
    pub grants: Vec<(i64, String)>,
}

impl Role {
    pub fn sees_all(&self) -> bool {
        self.role == "REGIONE" || self.role == "HELPDESK"
    }
    fn has(&self, service: &str) -> bool {
        self.grants.iter().any(|(_, s)| s == service)
    }
    fn works_for(&self, owner: i64) -> bool {
        self.grants.iter().any(|(o, _)| *o == owner)
    }
    pub fn reads_plans(&self) -> bool {
        self.active && (self.sees_all() || self.role == "CAPOFILA" || self.has("PROGRAMMAZIONE"))
    }
    pub fn reads_rankings(&self) -> bool {
        self.active && (self.sees_all() || self.role == "CAPOFILA" || self.has("AVVISI"))
    }
    pub fn whole_notice(&self, district: i64) -> bool {
        self.active
            && (self.sees_all() || (self.role == "CAPOFILA" && self.district == Some(district)))
    }
    pub fn reads_ranking(&self, district: i64, owner: i64) -> bool {
        self.whole_notice(district)
            || (self.active && self.grants.contains(&(owner, "AVVISI".to_string())))
    }
    /// The Assegnazione area (issue 16): the Regione, the helpdesk, any capofila, operators
    /// with the AVVISI service.
    pub fn reads_assignments(&self) -> bool {
        self.reads_rankings()
    }
    /// The ledger of `owner` in a comune of `district`: the Regione and the helpdesk, the
    /// capofila of that district, the owner's AVVISI operators.
    pub fn reads_ledger(&self, district: Option<i64>, owner: i64) -> bool {
        self.active
            && (self.sees_all()
                || (self.role == "CAPOFILA" && district.is_some() && self.district == district)
                || self.grants.contains(&(owner, "AVVISI".to_string())))
    }
    pub fn sees_owner(&self, owner: i64) -> bool {
        self.active && (self.sees_all() || self.works_for(owner))
    }
}

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
    pub home: PathBuf,
    pub plan: i64,
    pub notice: i64,
    pub district: i64,
    /// A unit of the Comune di Seriate with tenants.
    pub unit: i64,
    pub seriate_owner: i64,
    /// The ranking of the Comune di Seriate in Seriate.
    pub seriate_ranking: i64,
    /// The stored R.R. 3/2019 (another rule set for what-if).
    pub other_rules: i64,
    /// Occupations in Seriate: one of the ALER's, one of the Comune's.
    pub occupation_aler: i64,
    pub occupation_comune: i64,
    /// An istruttoria of the Comune di Seriate (its ranking made final, two units free).
    pub assignment: i64,
    /// A unit of the Comune di Seriate still waiting for a proposal.
    pub waiting_unit: i64,
    pub roles: BTreeMap<String, Role>,
}

fn day(offset: i64) -> String {
    (chrono::Local::now().date_naive() + chrono::Duration::days(offset)).to_string()
}

fn casa_cmd(db: &Path, home: &Path, operator: Option<&str>, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_casa"));
    if let Some(op) = operator {
        cmd.args(["--operator", op]);
    }
    cmd.args(args)
        .env("CASA_DB", db)
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("USER", "nobody")
        .env_remove("CASA_OPERATOR");
    cmd
}

fn run(db: &Path, home: &Path, operator: Option<&str>, args: &[&str]) -> String {
    let out = casa_cmd(db, home, operator, args).output().unwrap();
    assert!(
        out.status.success(),
        "{operator:?} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json_id(s: &str) -> i64 {
    serde_json::from_str::<Value>(s).unwrap()["id"]
        .as_i64()
        .unwrap()
}

fn one<T: rusqlite::types::FromSql>(c: &Connection, sql: &str) -> T {
    c.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// The prepared database: a plan of BG-SERIATE opened and filed into by Seriate, a closed
/// notice of BG-SERIATE with ranked applications, and the operators of the matrix.
pub fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("base.sqlite");
        let home = dir.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        let r = |op: Option<&str>, args: &[&str]| run(&db, &home, op, args);
        r(None, &["demo", "--units", "3000", "--applications", "0"]);
        for (user, owner_args, cf) in [
            (REGISTRY_ONLY, ["--owner", SERIATE, "--service", "anagrafe"], "RSSMRA70A41H501W"),
            (DISABLED, ["--owner", SERIATE, "--service", "anagrafe"], "RSSMRA80A01F205X"),
            (PENDING, ["--owner", SERIATE, "--service", "anagrafe"], "RSSMRA85T10A562S"),
        ] {
            let mut args = vec![
                "operators", "add", user, "--surname", "Bianchi", "--name", "Anna", "--tax-code",
                cf, "--email", "a@example.it", "--role", "ente",
            ];
            args.extend(owner_args);
            r(Some("regione"), &args);
        }
        r(Some("regione"), &["operators", "disable", DISABLED]);
        // SSH keys of two operators, and a registration request filed by the Comune for a
        // colleague (the administration reads).
        for (user, key) in [(COMUNE, KEY_A), (REGISTRY_ONLY, KEY_B)] {
            let f = dir.path().join(format!("{user}.pub"));
            std::fs::write(&f, key).unwrap();
            r(Some("regione"), &["operators", "key", "add", user, f.to_str().unwrap()]);
        }
        let f = dir.path().join("collega.pub");
        std::fs::write(&f, KEY_C).unwrap();
        r(
            Some(COMUNE),
            &[
                "registrations", "request", "--surname", "Verdi", "--name", "Luca", "--username",
                "luca.verdi", "--tax-code", "RSSMRA80A01H501U", "--email", "luca@example.it",
                "--owner", SERIATE, "--service", "anagrafe", "--key", f.to_str().unwrap(),
            ],
        );
        let plan = json_id(&r(
            Some(CAP),
            &[
                "plan", "create", "--district", "BG-SERIATE", "--year", "2028", "--start",
                &day(-3), "--end", &day(30), "--format", "json",
            ],
        ));
        r(Some(CAP), &["plan", "open", &plan.to_string()]);
        r(Some(COMUNE), &["certification", "certify"]);
        r(
            Some(COMUNE),
            &[
                "comm", "file", "--plan", &plan.to_string(), "--owner", SERIATE, "--carenze",
                "1", "--nuove", "0", "--turnover", "2", "--privati", "0", "--sat", "0",
                "--assegnate", "0",
            ],
        );
        let conn = Connection::open(&db).unwrap();
        // A pending operator is one the Region has not validated yet.
        conn.execute(
            "UPDATE operator SET status = 'IN_ATTESA' WHERE username = ?1",
            [PENDING],
        )
        .unwrap();
        conn.execute(
            "UPDATE unit SET in_notice = 1 WHERE id IN (SELECT u.id FROM unit u
               JOIN district_municipality dm ON dm.istat_code = u.istat_code
               JOIN district d ON d.id = dm.district_id AND d.code = 'BG-SERIATE'
              ORDER BY u.istat_code <> '016198', u.state <> 1, u.id LIMIT 40)",
            [],
        )
        .unwrap();
        drop(conn);
        let notice = json_id(&r(
            Some(CAP),
            &[
                "notice", "create", "--district", "BG-SERIATE", "--title", "Avviso", "--opens",
                &day(-60), "--closes", &day(-2), "--format", "json",
            ],
        ));
        let apps = dir.path().join("domande.csv");
        std::fs::write(
            &apps,
            "ID domanda;Data presentazione;Codice fiscale;Data di nascita;Parentela;Invalidità %;Accompagnamento;ISEE;Patrimonio;Residenza Lombardia;Lavoro Lombardia;Comune residenza;Comune lavoro;Anni residenza Regione;Anni residenza Comune;Condizioni\n\
             P-1;01/03/2026 10:00;RSSMRA85T10A562S;10/12/1985;RICHIEDENTE;;;2.500,00;1000;SI;NO;016198;;20;12;RILASCIO_ALLOGGIO\n\
             P-2;02/03/2026 09:00;RSSMRA80A01F205X;01/01/1980;RICHIEDENTE;;;9000;0;SI;NO;016198;;10;3;\n\
             P-3;02/03/2026 09:30;RSSMRA70A41H501W;01/01/1970;RICHIEDENTE;;;90000;0;SI;NO;016198;;10;3;\n",
        )
        .unwrap();
        r(
            Some(CAP),
            &[
                "applications", "import", apps.to_str().unwrap(), "--notice",
                &notice.to_string(),
            ],
        );
        r(Some(CAP), &["rankings", "compute", "--notice", &notice.to_string()]);
        // Two occupations in Seriate: of the ALER (the Comune sees it on its territory) and of
        // the Comune.
        // The ALER's unit is not in the demo's registry: named by its code and place.
        let occupation = |who: &str, owner: &str, unit: &str, code: &str, cf: &str| -> i64 {
            let out = r(
                Some(who),
                &[
                    "occupations", "add", "--owner", owner, "--codice", code, "--alloggio", unit,
                    "--comune", SERIATE, "--prefisso", "Via", "--indirizzo", "Roma", "--civico",
                    "1", "--cf", cf, "--nome", "Anna", "--cognome", "Verdi", "--nascita",
                    "01/01/1970", "--inizio", "01/01/2024", "--tipo", "1", "--tipo-rilevazione",
                    "Verbale", "--rilevazione", "V1", "--data-rilevazione", "02/01/2024",
                    "--debito", "0", "--format", "json",
                ],
            );
            json_id(&out)
        };
        let occupation_aler = occupation(
            ALER,
            "ALER_BG_LC_SO",
            "ALER-SERIATE-1",
            "OCC-MATRIX-A",
            "VRDNNA70A41A794U",
        );
        let occupation_comune = occupation(
            COMUNE,
            SERIATE,
            "SERIATE-EXT-1",
            "OCC-MATRIX-C",
            "VRDNNA70A41I628D",
        );
        let conn = Connection::open(&db).unwrap();
        let district: i64 = one(&conn, "SELECT id FROM district WHERE code = 'BG-SERIATE'");
        let seriate_owner: i64 = one(&conn, "SELECT id FROM owner WHERE istat_code = '016198'");
        let unit: i64 = conn
            .query_row(
                "SELECT u.id FROM unit u JOIN household h ON h.unit_id = u.id
                   JOIN tenant t ON t.household_id = h.id
                  WHERE u.owner_id = ?1 ORDER BY u.id LIMIT 1",
                [seriate_owner],
                |r| r.get(0),
            )
            .unwrap();
        let seriate_ranking: i64 = conn
            .query_row(
                "SELECT id FROM ranking WHERE notice_id = ?1 AND owner_id = ?2 AND istat_code = '016198'",
                [notice, seriate_owner],
                |r| r.get(0),
            )
            .expect("a ranking of the Comune di Seriate");
        let other_rules: i64 = one(
            &conn,
            "SELECT id FROM rule_set WHERE cite = 'R.R. 3/2019' ORDER BY version DESC LIMIT 1",
        );
        // Assignments: the Comune di Seriate's ranking made final, two of its units without
        // tenants made free (the registry's trigger makes them available), one proposed.
        conn.execute(
            "UPDATE ranking SET state = 'DEFINITIVA' WHERE id = ?1",
            [seriate_ranking],
        )
        .unwrap();
        conn.execute(
            "UPDATE unit SET state = 1, floor_area = 50 WHERE id IN (
                SELECT u.id FROM unit u WHERE u.owner_id = ?1 AND u.istat_code = '016198'
                   AND u.id <> ?2
                 ORDER BY EXISTS (SELECT 1 FROM household h WHERE h.unit_id = u.id), u.id
                 LIMIT 2)",
            [seriate_owner, unit],
        )
        .unwrap();
        drop(conn);
        let proposed: serde_json::Value = serde_json::from_str(&r(
            Some(COMUNE),
            &[
                "assignments", "propose", "--owner", SERIATE, "--comune", SERIATE, "--format",
                "json",
            ],
        ))
        .unwrap();
        let assignment = proposed["assignment_id"].as_i64().expect("a proposal");
        let conn = Connection::open(&db).unwrap();
        let waiting_unit: i64 = conn
            .query_row(
                "SELECT unit_id FROM availability WHERE owner_id = ?1 AND istat_code = '016198'
                   AND closed IS NULL AND unit_id <> (SELECT unit_id FROM assignment WHERE id = ?2)
                 ORDER BY id LIMIT 1",
                [seriate_owner, assignment],
                |r| r.get(0),
            )
            .unwrap();
        let mut roles = BTreeMap::new();
        let mut stmt = conn
            .prepare("SELECT username, role, district_id, status FROM operator")
            .unwrap();
        let rows: Vec<(String, String, Option<i64>, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        for (user, role, district, status) in rows {
            let mut g = conn
                .prepare(
                    "SELECT g.owner_id, g.service FROM operator_grant g
                       JOIN operator o ON o.id = g.operator_id WHERE o.username = ?1",
                )
                .unwrap();
            let grants = g
                .query_map([&user], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            roles.insert(
                user,
                Role {
                    role,
                    district,
                    active: status == "ATTIVO",
                    grants,
                },
            );
        }
        drop(stmt);
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
        Fixture {
            dir,
            db,
            home,
            plan,
            notice,
            district,
            unit,
            seriate_owner,
            seriate_ranking,
            other_rules,
            occupation_aler,
            occupation_comune,
            assignment,
            waiting_unit,
            roles,
        }
    })
}

impl Fixture {
    pub fn role(&self, username: &str) -> &Role {
        &self.roles[username]
    }

    pub fn sql(&self) -> Connection {
        Connection::open(&self.db).unwrap()
    }

    /// `rows` when `allowed`, else refused.
    pub fn when(&self, allowed: bool, rows: impl FnOnce() -> Vec<String>) -> Want {
        if allowed {
            Want::Rows(Some(rows()))
        } else {
            Want::Denied
        }
    }

    /// The owners `who` sees, as an SQL condition on `col`.
    pub fn visible(&self, who: &str, col: &str) -> String {
        let r = self.role(who);
        if r.sees_all() {
            "1".into()
        } else {
            let ids: Vec<String> = r.grants.iter().map(|(o, _)| o.to_string()).collect();
            format!("{col} IN ({})", ids.join(","))
        }
    }

    /// Runs the real binary as `who`; exit 0 gives rows from its JSON output.
    pub fn cli(&self, who: &str, args: &[String], rows: &dyn Fn(&Value) -> Vec<String>) -> Seen {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = casa_cmd(&self.db, &self.home, Some(who), &args)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let message = stderr.trim().trim_start_matches("errore: ").to_string();
        match out.status.code() {
            Some(0) => {
                let json = serde_json::from_str(&stdout).unwrap_or(Value::Null);
                Seen::Rows(rows(&json))
            }
            Some(3) => Seen::Denied(message),
            code => Seen::Failed(format!("exit {code:?}: {message}")),
        }
    }

    /// The interface of `who`, as `casa` starts it: a session, the worker answering `request`;
    /// rows from the answers once `rows` finds them (or the failure on the message line).
    pub fn tui(
        &self,
        who: &str,
        request: Request,
        rows: &dyn Fn(&[DataMsg]) -> Option<Vec<String>>,
    ) -> Seen {
        let claim = Claim {
            operator: who.into(),
            origin: Origin::Local {
                login: "test".into(),
            },
            read_only: false,
        };
        let service = match Service::open(&self.db, &claim, Need::Write) {
            Ok(s) => s,
            Err(e) if casa::service::errors::is_denied(&e) => {
                return Seen::Denied(format!("{e:#}"));
            }
            Err(e) => return Seen::Failed(format!("{e:#}")),
        };
        let (tx, rx) = mpsc::channel();
        let mut jobs = Jobs::new(service, tx);
        // The screen never replaces a file: each role's export starts from no file.
        if let Request::Export { path, .. } = &request {
            let _ = std::fs::remove_file(path);
        }
        jobs.handle(request.clone());
        let mut msgs = Vec::new();
        let until = Instant::now() + Duration::from_secs(30);
        let seen = loop {
            if let Some(r) = rows(&msgs) {
                break Seen::Rows(r);
            }
            if let Some(m) = msgs.iter().find_map(|m| match m {
                DataMsg::Failed { message, .. } => Some(message.clone()),
                _ => None,
            }) {
                break Seen::Failed(m);
            }
            let left = until.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(casa::app::Msg::Data(d)) => msgs.push(d),
                Ok(_) => {}
                Err(_) => break Seen::Failed(format!("no answer: {msgs:?}")),
            }
        };
        jobs.finish();
        // A failure on the message line is a refusal when the service refuses that read to
        // this operator for lack of permission, with that very message.
        match seen {
            Seen::Failed(m) => match Service::open(&self.db, &claim, Need::Read)
                .ok()
                .and_then(|svc| refusal(&svc, &request))
            {
                Some(d) if d == m => Seen::Denied(m),
                _ => Seen::Failed(m),
            },
            s => s,
        }
    }
}

/// The service's refusal (not allowed) of the read behind `request`, if it refuses it.
fn refusal(svc: &Service, request: &Request) -> Option<String> {
    use casa::app::screens::rankings::Query;
    let today = casa::service::today();
    let result: anyhow::Result<()> = match request {
        Request::Search { input, .. } | Request::Export { input, .. } => {
            svc.unit_filter(input).map(drop)
        }
        Request::Lov { field, prefix, .. } => svc.filter_values(*field, prefix).map(drop),
        Request::Detail {
            unit_id, reveal, ..
        } => svc.unit(*unit_id, *reveal).map(drop),
        Request::Card { owner_id, .. } => svc.certification_card(*owner_id).map(drop),
        Request::Plans { .. } => svc.plans(None, None, today).map(drop),
        Request::PlanCard { plan_id, .. } => svc.plan_card(*plan_id, today).map(drop),
        Request::PlanFile {
            plan_id,
            what,
            path,
            ..
        } => svc
            .write_plan_file(
                *plan_id,
                *what,
                // Each role writes the same name: replaced.
                &casa::output_file::Target::new(path, true),
                today,
            )
            .map(drop),
        Request::Communications { .. } => svc.own_communications().map(drop),
        Request::CommunicationReceipt {
            plan_id,
            owner_id,
            path,
            ..
        } => svc
            .write_receipt(
                *plan_id,
                *owner_id,
                &casa::output_file::Target::new(path, true),
            )
            .map(drop),
        Request::Buildings { typed, .. } => svc.building_count(typed).map(drop),
        Request::Tenants { typed, .. } => svc.tenant_count(typed).map(drop),
        Request::Rankings { query, .. } => match query {
            Query::Notices => svc.notices(None, today).map(drop),
            Query::Rankings { notice_id } => svc.notice(*notice_id, today).map(drop),
            Query::Page {
                ranking_id,
                after,
                before,
                limit,
                ..
            } => svc
                .ranking_window(*ranking_id, *after, *before, *limit)
                .map(drop),
            Query::Jump {
                ranking_id,
                code,
                limit,
            } => svc.ranking_jump(*ranking_id, code, *limit).map(drop),
            Query::Explain { notice_id, code } => {
                svc.explain_application(*notice_id, code).map(drop)
            }
            Query::RuleSets { notice_id } => svc.comparable_rule_sets(*notice_id).map(drop),
            Query::Find { notice_id, part } => svc.find_in_notice(*notice_id, part, 200).map(drop),
            Query::WhatIf {
                notice_id,
                rule_set_id,
            } => svc.what_if_stored(*notice_id, *rule_set_id).map(drop),
        },
        Request::Occupations { query, .. } => {
            use casa::app::screens::occupations::Query as Q;
            match query {
                Q::Page { input, .. } => svc.occupation_filter(input).map(drop),
                Q::Card { id, reveal } => svc.occupation(*id, *reveal).map(drop),
                _ => svc.occupation_codes().map(drop),
            }
        }
        Request::Assignments { query, .. } => {
            use casa::app::screens::assignments::Query as A;
            match query {
                A::Ledgers { year } => svc.assignment_ledgers(*year, None, None).map(drop),
                A::Ledger { key, after, limit } => svc
                    .assignment_ledger(key)
                    .and_then(|_| svc.assignment_units(key, *after, *limit))
                    .map(drop),
                A::Preview { unit_id } => svc.preview_assignment(*unit_id).map(drop),
                A::Case { id } => svc.assignment(*id).map(drop),
                A::WhatIf {
                    key,
                    rule_set_id,
                    h,
                } => svc
                    .assignment_what_if_stored(key, *rule_set_id, *h)
                    .map(drop),
                _ => Ok(()),
            }
        }
        Request::Registrations { status, .. } => svc.registrations(*status, None).map(drop),
        Request::Districts { .. } => svc.district_list().map(drop),
        Request::DistrictCard { code, .. } => svc.district_card(code).map(drop),
        Request::Keys { .. } => svc.keys(None).map(drop),
        Request::Audit { before, .. } => {
            svc.audit_records(&Default::default(), *before, 1).map(drop)
        }
        Request::AuditVerify { .. } => svc.verify_audit(None).map(drop),
        _ => Ok(()),
    };
    match result {
        Err(e) if casa::service::errors::is_denied(&e) => Some(format!("{e:#}")),
        _ => None,
    }
}
