//! `casa notice`, `casa applications`, `casa rankings` and `casa isbar`: notices, their
//! applications, the rankings computed from them, what-if comparisons and explanations.

use super::output::{Format, Listing};
use super::plan::{parse_date, refused_as_invalid, today};
use super::{Global, InvalidInput, require_writable, session};
use crate::domain::access::{Denied, OperatorScope};
use crate::domain::application::euro;
use crate::domain::isbar::points;
use crate::rules;
use crate::store::rankings::{self, Correction, EntryRow, RankingInfo};
use crate::store::{Access, applications, notices, owners, rule_sets};
use anyhow::{Result, anyhow};
use clap::Subcommand;
use serde::Serialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Subcommand)]
pub enum NoticeCommand {
    /// Notices, newest first
    List {
        /// Only this district (code or name)
        #[arg(long)]
        district: Option<String>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Create a notice of a district (capofila): the units marked in avviso are offered; the
    /// rule set in force on the opening day is recorded (or --rules); prints its id
    Create {
        #[arg(long)]
        district: String,
        #[arg(long)]
        title: String,
        /// Opening day (YYYY-MM-DD or DD/MM/YYYY)
        #[arg(long)]
        opens: String,
        /// Closing day: at least the rule set's minimum (30 days) after opening
        #[arg(long)]
        closes: String,
        /// Rule set: id or citation (default: in force on the opening day)
        #[arg(long)]
        rules: Option<String>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// A notice: dates, state, rule set, units offered, applications, ranking deadlines
    Show {
        id: i64,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Close a notice (capofila)
    Close { id: i64 },
}

#[derive(Debug, Subcommand)]
pub enum ApplicationsCommand {
    /// Import applications from a .csv or .xlsx file (one row per household member; see
    /// docs/import-domande.md): every problem reported by line, nothing stored on error
    Import {
        file: PathBuf,
        #[arg(long)]
        notice: i64,
        /// Worksheet of an Excel file (default: the first)
        #[arg(long)]
        sheet: Option<String>,
        /// Also write the problems to this CSV file
        #[arg(long)]
        report: Option<PathBuf>,
        /// Check only: store nothing
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum RankingsCommand {
    /// Compute every ranking of a closed notice (provisional), one per owner per comune
    Compute {
        #[arg(long)]
        notice: i64,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// The ranked applications: owner, comune, position, ID domanda, ISBAR, sub-scores, ISEE,
    /// indigent flag (no names or codici fiscali)
    Show {
        #[arg(long)]
        notice: i64,
        /// Only the rankings of this owner (name, codice fiscale or ISTAT code)
        #[arg(long)]
        owner: Option<String>,
        /// Only the rankings of this comune (name or ISTAT code)
        #[arg(long)]
        comune: Option<String>,
        /// At most N rows per ranking
        #[arg(long)]
        limit: Option<usize>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// The applications left out, each failed requirement with its reason; with
    /// --preferences, the preferred units not kept (art. 9 c.2, adequacy, number) and why
    Excluded {
        #[arg(long)]
        notice: i64,
        /// List the dropped preferences instead
        #[arg(long)]
        preferences: bool,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Export the rankings (xlsx): the published form (position, ID domanda, ISBAR, indigent,
    /// ID alloggio 1 and 2) or, with --internal, with the sub-scores
    Export {
        #[arg(long)]
        notice: i64,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        internal: bool,
    },
    /// What-if: recompute under another rule set (stored, or a file not loaded) and show who
    /// moves and by how much; nothing is changed
    Compare {
        #[arg(long)]
        notice: i64,
        /// Stored rule set: id or citation
        #[arg(long, conflicts_with = "rules_file")]
        rules: Option<String>,
        /// A rule-set file not loaded
        #[arg(long)]
        rules_file: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Correction (rettifica) for a disability recognised later: recompute and re-rank
    Correct {
        #[arg(long)]
        notice: i64,
        /// ID domanda
        #[arg(long)]
        application: String,
        /// Codice fiscale of the member
        #[arg(long)]
        member: String,
        /// Disability percentage recognised (0-100)
        #[arg(long)]
        disability_pct: u8,
        /// With indennità di accompagnamento
        #[arg(long)]
        attendance: bool,
    },
    /// Make the provisional rankings final (after the corrections window)
    Finalize {
        #[arg(long)]
        notice: i64,
    },
}

#[derive(Debug, Subcommand)]
pub enum IsbarCommand {
    /// Explain an application's ISBAR: conditions, points, legal references, residence,
    /// tie-break keys, positions, rule set and unverified values
    Explain {
        /// ID domanda
        id: String,
        /// The notice (needed when the ID domanda is in several notices)
        #[arg(long)]
        notice: Option<i64>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
}

pub fn notice(g: &Global, cmd: NoticeCommand) -> Result<()> {
    let r = match cmd {
        NoticeCommand::List { district, format } => notice_list(g, district.as_deref(), format),
        NoticeCommand::Create {
            district,
            title,
            opens,
            closes,
            rules,
            format,
        } => notice_create(
            g,
            &district,
            &title,
            &opens,
            &closes,
            rules.as_deref(),
            format,
        ),
        NoticeCommand::Show { id, format } => notice_show(g, id, format),
        NoticeCommand::Close { id } => notice_close(g, id),
    };
    r.map_err(refused_as_invalid)
}

fn notice_close(g: &Global, id: i64) -> Result<()> {
    let (mut store, scope) = session(g, Access::ReadWrite)?;
    require_writable(&store)?;
    let n = store.close_notice(&scope, id)?;
    println!("Avviso {} chiuso", n.id);
    if today() < n.closes_on {
        eprintln!(
            "Chiusura anticipata: la data di chiusura era il {}",
            n.closes_on.format("%d/%m/%Y")
        );
    }
    Ok(())
}

fn notice_list(g: &Global, district: Option<&str>, format: Format) -> Result<()> {
    let (store, _scope) = session(g, Access::ReadOnly)?;
    let district_id = district
        .map(|d| {
            owners::find_district(store.conn(), d)
                .map(|d| d.id)
                .map_err(|e| anyhow!(InvalidInput(format!("--district: {e}"))))
        })
        .transpose()?;
    let found = notices::list(store.conn(), district_id)?;
    let t = today();
    let rows = found
        .iter()
        .map(|n| {
            vec![
                n.id.to_string(),
                n.district_code.clone(),
                n.title.clone(),
                n.opens_on.format("%d/%m/%Y").to_string(),
                n.closes_on.format("%d/%m/%Y").to_string(),
                n.effective_state(t).to_string(),
                n.rule_set.clone(),
                n.units.to_string(),
                n.applications.to_string(),
            ]
        })
        .collect();
    Listing {
        headers: &[
            "ID", "AMBITO", "TITOLO", "APERTURA", "CHIUSURA", "STATO", "REGOLE", "ALLOGGI",
            "DOMANDE",
        ],
        rows,
        items: &found,
    }
    .print(format)
}

fn notice_create(
    g: &Global,
    district: &str,
    title: &str,
    opens: &str,
    closes: &str,
    rules: Option<&str>,
    format: Format,
) -> Result<()> {
    let opens_on = parse_date("--opens", opens)?;
    let closes_on = parse_date("--closes", closes)?;
    let (mut store, scope) = session(g, Access::ReadWrite)?;
    require_writable(&store)?;
    let d = owners::find_district(store.conn(), district)
        .map_err(|e| anyhow!(InvalidInput(format!("--district: {e}"))))?;
    let rule_set_id = match rules {
        Some(r) => {
            store.sync_builtin_rule_sets(&scope.username)?;
            Some(rule_sets::find(store.conn(), r)?.id)
        }
        None => None,
    };
    let n = store.create_notice(
        &scope,
        notices::NewNotice {
            district_id: d.id,
            title,
            opens_on,
            closes_on,
            rule_set_id,
        },
    )?;
    match format {
        Format::Json => println!("{}", serde_json::json!({ "id": n.id })),
        _ => println!("{}", n.id),
    }
    eprintln!(
        "Avviso {} dell'ambito {}: {} alloggi offerti, regole {}",
        n.id, n.district_code, n.units, n.rule_set
    );
    Ok(())
}

fn notice_show(g: &Global, id: i64, format: Format) -> Result<()> {
    let (store, _scope) = session(g, Access::ReadOnly)?;
    let n = notices::get(store.conn(), id)?;
    let t = today();
    let d = rankings::deadlines(store.conn(), id, t).ok();
    let list = rankings::list(store.conn(), id)?;
    if format == Format::Json {
        let v = serde_json::json!({
            "notice": n,
            "effective_state": n.effective_state(t),
            "deadlines": d,
            "rankings": list,
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(());
    }
    let fields = [
        ("ID", n.id.to_string()),
        ("Titolo", n.title.clone()),
        (
            "Ambito",
            format!("{} ({})", n.district_name, n.district_code),
        ),
        ("Apertura", n.opens_on.format("%d/%m/%Y").to_string()),
        ("Chiusura", n.closes_on.format("%d/%m/%Y").to_string()),
        ("Stato", n.effective_state(t).to_string()),
        ("Regole", n.rule_set.clone()),
        ("Alloggi offerti", n.units.to_string()),
        ("Domande", n.applications.to_string()),
        ("Graduatorie", list.len().to_string()),
    ];
    for (k, v) in fields {
        println!("{k:<18} {v}");
    }
    if let (Some(d), false) = (d, list.is_empty()) {
        println!(
            "Rettifiche fino al {}; decisione dell'ente fino al {}; definitiva entro il {}",
            d.corrections_until.format("%d/%m/%Y"),
            d.decision_until.format("%d/%m/%Y"),
            d.final_by.format("%d/%m/%Y")
        );
    }
    Ok(())
}

pub fn applications(g: &Global, cmd: ApplicationsCommand) -> Result<()> {
    let r = match cmd {
        ApplicationsCommand::Import {
            file,
            notice,
            sheet,
            report,
            dry_run,
        } => import(
            g,
            &file,
            notice,
            sheet.as_deref(),
            report.as_deref(),
            dry_run,
        ),
    };
    r.map_err(refused_as_invalid)
}

fn import(
    g: &Global,
    file: &Path,
    notice_id: i64,
    sheet: Option<&str>,
    report: Option<&Path>,
    dry_run: bool,
) -> Result<()> {
    let (mut store, scope) = session(
        g,
        if dry_run {
            Access::ReadOnly
        } else {
            Access::ReadWrite
        },
    )?;
    let n = notices::get(store.conn(), notice_id)?;
    let (_, set) = rule_sets::load_parsed(store.conn(), n.rule_set_id)?;
    let known: Vec<String> = set
        .ranking()
        .map_err(|e| anyhow!(InvalidInput(e.0)))?
        .conditions
        .iter()
        .map(|c| c.code.clone())
        .collect();
    let apps = match crate::import::applications::read_applications(file, sheet, &known) {
        Ok(a) => a,
        Err(rep) => {
            let mut err = std::io::stderr().lock();
            rep.print(&mut err, Some(50))?;
            if let Some(p) = report {
                rep.write_csv(p)?;
                eprintln!("Elenco completo dei problemi in {}", p.display());
            }
            return Err(anyhow!(InvalidInput(format!(
                "{}: {} righe con problemi; nessuna domanda importata",
                file.display(),
                rep.bad_lines()
            ))));
        }
    };
    if dry_run {
        println!(
            "{}: {} domande valide (verifica: nulla è stato importato)",
            file.display(),
            apps.len()
        );
        return Ok(());
    }
    require_writable(&store)?;
    let done = store.import_applications(&scope, notice_id, &apps)?;
    println!(
        "Avviso {}: {} domande importate, {} già presenti e invariate",
        notice_id, done.new, done.unchanged
    );
    Ok(())
}

pub fn rankings(g: &Global, cmd: RankingsCommand) -> Result<()> {
    let r = match cmd {
        RankingsCommand::Compute { notice, format } => compute(g, notice, format),
        RankingsCommand::Show {
            notice,
            owner,
            comune,
            limit,
            format,
        } => show(
            g,
            notice,
            owner.as_deref(),
            comune.as_deref(),
            limit,
            format,
        ),
        RankingsCommand::Excluded {
            notice,
            preferences,
            format,
        } => excluded(g, notice, preferences, format),
        RankingsCommand::Export {
            notice,
            out,
            internal,
        } => export(g, notice, &out, internal),
        RankingsCommand::Compare {
            notice,
            rules,
            rules_file,
            format,
        } => compare(g, notice, rules.as_deref(), rules_file.as_deref(), format),
        RankingsCommand::Correct {
            notice,
            application,
            member,
            disability_pct,
            attendance,
        } => correct(
            g,
            &Correction {
                notice_id: notice,
                code: &application,
                tax_code: &member,
                disability_pct,
                attendance,
            },
        ),
        RankingsCommand::Finalize { notice } => finalize(g, notice),
    };
    r.map_err(refused_as_invalid)
}

fn correct(g: &Global, c: &Correction<'_>) -> Result<()> {
    let (mut store, scope) = session(g, Access::ReadWrite)?;
    require_writable(&store)?;
    let c = store.correct_disability(&scope, c, today())?;
    println!(
        "Rettifica della domanda {}: ISBAR {} → {}",
        c.code,
        points(c.isbar_before),
        points(c.isbar_after)
    );
    for p in &c.positions {
        println!(
            "  {} · {}: posizione {} → {}",
            p["owner"].as_str().unwrap_or_default(),
            p["comune"].as_str().unwrap_or_default(),
            p["before"],
            p["after"]
        );
    }
    Ok(())
}

fn finalize(g: &Global, notice: i64) -> Result<()> {
    let (mut store, scope) = session(g, Access::ReadWrite)?;
    require_writable(&store)?;
    for w in store.finalize_rankings(&scope, notice, today())? {
        eprintln!("{w}");
    }
    println!("Graduatorie dell'avviso {notice} definitive");
    Ok(())
}

fn compute(g: &Global, notice: i64, format: Format) -> Result<()> {
    let (mut store, scope) = session(g, Access::ReadWrite)?;
    require_writable(&store)?;
    let s = store.compute_rankings(&scope, notice, today())?;
    for w in &s.warnings {
        eprintln!("{w}");
    }
    if format == Format::Json {
        println!("{}", serde_json::to_string_pretty(&s)?);
        return Ok(());
    }
    println!(
        "Avviso {}: {} domande, {} graduatorie provvisorie, {} posizioni, {} escluse (regole {})",
        s.notice_id, s.applications, s.rankings, s.ranked, s.excluded, s.rule_set
    );
    if let Some(u) = &s.unverified {
        println!("{u}");
    }
    Ok(())
}

/// Refuses an operator who may not read rankings at all (exit 3).
fn may_read(scope: &OperatorScope) -> Result<()> {
    if scope.may_read_rankings() {
        Ok(())
    } else {
        Err(Denied(format!(
            "l'operatore {} non è abilitato al servizio AVVISI: non può consultare le graduatorie",
            scope.username
        ))
        .into())
    }
}

/// Keeps the rankings the operator may read; refuses when filters left some and none is
/// readable.
fn readable(
    scope: &OperatorScope,
    district_id: i64,
    mut list: Vec<RankingInfo>,
) -> Result<Vec<RankingInfo>> {
    may_read(scope)?;
    let had = !list.is_empty();
    list.retain(|r| scope.may_read_ranking(district_id, r.owner_id));
    if had && list.is_empty() {
        return Err(Denied(format!(
            "l'operatore {} non può consultare le graduatorie di questi enti",
            scope.username
        ))
        .into());
    }
    Ok(list)
}

/// The rankings chosen by owner and comune filters.
fn chosen(
    conn: &rusqlite::Connection,
    notice: i64,
    owner: Option<&str>,
    comune: Option<&str>,
) -> Result<Vec<RankingInfo>> {
    let mut list = rankings::list(conn, notice)?;
    if let Some(o) = owner {
        let id = owners::find_owner(conn, o)
            .map_err(|e| anyhow!(InvalidInput(format!("--owner: {e}"))))?
            .id;
        list.retain(|r| r.owner_id == id);
    }
    if let Some(c) = comune {
        let c = c.trim();
        list.retain(|r| r.istat_code == c || r.comune.eq_ignore_ascii_case(c));
    }
    Ok(list)
}

#[derive(Serialize)]
struct ShownRow<'a> {
    owner: &'a str,
    owner_id: i64,
    comune: &'a str,
    istat_code: &'a str,
    state: &'a str,
    position: i64,
    id_domanda: &'a str,
    isbar: f64,
    familiari: f64,
    abitative: f64,
    economica: f64,
    residenza_regione: f64,
    residenza_comune: f64,
    isee: f64,
    indigente: bool,
    senza_preferenze: bool,
    id_alloggio_1: Option<i64>,
    id_alloggio_2: Option<i64>,
    categorie: &'a str,
}

fn h(v: i64) -> f64 {
    v as f64 / 100.0
}

fn show(
    g: &Global,
    notice: i64,
    owner: Option<&str>,
    comune: Option<&str>,
    limit: Option<usize>,
    format: Format,
) -> Result<()> {
    let (store, scope) = session(g, Access::ReadOnly)?;
    let n = notices::get(store.conn(), notice)?;
    let list = readable(
        &scope,
        n.district_id,
        chosen(store.conn(), notice, owner, comune)?,
    )?;
    if list.is_empty() {
        return Err(anyhow!(InvalidInput(format!(
            "nessuna graduatoria per l'avviso {notice} con questi filtri (calcolarle con `casa rankings compute --notice {notice}`)"
        ))));
    }
    let (_, set) = rule_sets::load_parsed(store.conn(), n.rule_set_id)?;
    let mut data: Vec<(RankingInfo, Vec<EntryRow>)> = Vec::new();
    for r in list {
        let rows = rankings::page(
            store.conn(),
            r.id,
            None,
            None,
            limit.unwrap_or(usize::MAX >> 2),
        )?;
        data.push((r, rows));
    }
    let items: Vec<ShownRow> = data
        .iter()
        .flat_map(|(r, rows)| {
            rows.iter().map(move |e| ShownRow {
                owner: &r.owner_name,
                owner_id: r.owner_id,
                comune: &r.comune,
                istat_code: &r.istat_code,
                state: &r.state,
                position: e.position,
                id_domanda: &e.code,
                isbar: h(e.isbar),
                familiari: h(e.familiari),
                abitative: h(e.abitative),
                economica: h(e.economica),
                residenza_regione: h(e.residenza_regione),
                residenza_comune: h(e.residenza_comune),
                isee: h(e.isee_cents),
                indigente: e.indigent,
                senza_preferenze: e.without_preferences,
                id_alloggio_1: e.unit1,
                id_alloggio_2: e.unit2,
                categorie: &e.conditions,
            })
        })
        .collect();
    if format == Format::Table
        && let Some(u) = rankings::unverified_line(&set)
    {
        eprintln!("{u}");
    }
    let rows = items
        .iter()
        .map(|r| {
            vec![
                r.owner.to_string(),
                r.comune.to_string(),
                r.state.to_string(),
                r.position.to_string(),
                r.id_domanda.to_string(),
                points((r.isbar * 100.0).round() as i64),
                if r.indigente { "SI" } else { "NO" }.into(),
                r.categorie.to_string(),
                r.id_alloggio_1.map(|u| u.to_string()).unwrap_or_default(),
                r.id_alloggio_2.map(|u| u.to_string()).unwrap_or_default(),
                euro((r.isee * 100.0).round() as i64),
            ]
        })
        .collect();
    Listing {
        headers: &[
            "ENTE",
            "COMUNE",
            "STATO",
            "POSIZIONE",
            "ID DOMANDA",
            "ISBAR",
            "INDIGENTE",
            "CATEGORIE",
            "ID ALLOGGIO 1",
            "ID ALLOGGIO 2",
            "ISEE",
        ],
        rows,
        items: &items,
    }
    .print(format)
}

fn excluded(g: &Global, notice: i64, preferences: bool, format: Format) -> Result<()> {
    let (store, scope) = session(g, Access::ReadOnly)?;
    let n = notices::get(store.conn(), notice)?;
    if !scope.reads_whole_notice(n.district_id) {
        return Err(Denied(format!(
            "l'elenco delle domande escluse è del capofila dell'ambito, della Regione e dell'assistenza (operatore {})",
            scope.username
        ))
        .into());
    }
    if preferences {
        return dropped_preferences(&store, notice, format);
    }
    let rows_data = rankings::excluded(store.conn(), notice)?;
    let rows = rows_data
        .iter()
        .map(|x| vec![x.code.clone(), x.requirement.clone(), x.reason.clone()])
        .collect();
    Listing {
        headers: &["ID DOMANDA", "REQUISITO", "MOTIVO"],
        rows,
        items: &rows_data,
    }
    .print(format)?;
    if format == Format::Table {
        let n = crate::store::preferences::dropped(store.conn(), notice)?.len();
        if n > 0 {
            println!(
                "{n} alloggi scelti non considerati: `casa rankings excluded --notice {notice} --preferences`"
            );
        }
    }
    Ok(())
}

/// The preferred units the last computation did not keep, with the reason.
fn dropped_preferences(store: &crate::store::Store, notice: i64, format: Format) -> Result<()> {
    let rows_data = crate::store::preferences::dropped(store.conn(), notice)?;
    let rows = rows_data
        .iter()
        .map(|x| vec![x.code.clone(), x.unit_id.to_string(), x.reason.clone()])
        .collect();
    Listing {
        headers: &["ID DOMANDA", "ID ALLOGGIO", "MOTIVO"],
        rows,
        items: &rows_data,
    }
    .print(format)
}

fn export(g: &Global, notice: i64, out: &Path, internal: bool) -> Result<()> {
    use crate::export::rankings::{
        RankingExportRow, RankingSheet, write_internal, write_published,
    };
    let (store, scope) = session(g, Access::ReadOnly)?;
    let n = notices::get(store.conn(), notice)?;
    let (_, set) = rule_sets::load_parsed(store.conn(), n.rule_set_id)?;
    let list = readable(&scope, n.district_id, rankings::list(store.conn(), notice)?)?;
    if list.is_empty() {
        return Err(anyhow!(InvalidInput(format!(
            "l'avviso {notice} non ha graduatorie calcolate"
        ))));
    }
    let unverified = rankings::unverified_line(&set);
    let mut sheets = Vec::new();
    for r in &list {
        let rows = rankings::all_entries(store.conn(), r.id)?
            .into_iter()
            .map(|e| RankingExportRow {
                position: e.position as u32,
                code: e.code,
                isbar: e.isbar,
                indigent: e.indigent,
                unit1: e.unit1,
                unit2: e.unit2,
                family: e.familiari,
                housing: e.abitative,
                economic: e.economica,
                res_region: e.residenza_regione,
                res_comune: e.residenza_comune,
                isee_cents: e.isee_cents,
            })
            .collect();
        sheets.push(RankingSheet {
            notice: format!("Avviso {} — {}", n.id, n.title),
            owner: r.owner_name.clone(),
            comune: r.comune.clone(),
            state: r.state.clone(),
            rule_set: n.rule_set.clone(),
            unverified: unverified.clone(),
            rows,
        });
    }
    if internal {
        write_internal(out, &sheets)?;
    } else {
        write_published(out, &sheets)?;
    }
    println!(
        "{} graduatorie esportate in {}{}",
        sheets.len(),
        out.display(),
        if internal { " (modulo interno)" } else { "" }
    );
    Ok(())
}

#[derive(Serialize)]
struct MovedRow<'a> {
    owner: &'a str,
    comune: &'a str,
    id_domanda: &'a str,
    before: Option<usize>,
    after: Option<usize>,
    delta: i64,
}

fn compare(
    g: &Global,
    notice: i64,
    stored: Option<&str>,
    file: Option<&Path>,
    format: Format,
) -> Result<()> {
    let (store, scope) = session(g, Access::ReadOnly)?;
    may_read(&scope)?;
    let district_id = notices::get(store.conn(), notice)?.district_id;
    let other = match (stored, file) {
        (Some(r), None) => {
            let s = rule_sets::find(store.conn(), r)?;
            rule_sets::load_parsed(store.conn(), s.id)?
        }
        (None, Some(f)) => {
            let text = std::fs::read_to_string(f).map_err(|e| {
                anyhow!(InvalidInput(format!(
                    "{}: file non leggibile ({e})",
                    f.display()
                )))
            })?;
            let name = f.display().to_string();
            let set = rules::parse(&name, &text).map_err(|e| anyhow!(InvalidInput(e.0)))?;
            let s = rule_sets::Stored {
                id: 0,
                cite: set.cite.clone(),
                version: 0,
                name: set.name.clone(),
                effective_from: set.effective_from.to_string(),
                file_name: name,
                builtin: false,
                loaded_at: String::new(),
                loaded_by: String::new(),
            };
            (s, set)
        }
        _ => {
            return Err(anyhow!(InvalidInput(
                "indicare --rules (regole memorizzate) o --rules-file (un file)".into()
            )));
        }
    };
    let unverified = rankings::unverified_line(&other.1);
    let (label, mut comparisons) = rankings::compare(store.conn(), notice, other)?;
    comparisons.retain(|c| scope.may_read_ranking(district_id, c.owner_id));
    if format == Format::Json {
        let v = serde_json::json!({ "notice": notice, "rule_set": label, "rankings": comparisons });
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(());
    }
    let items: Vec<MovedRow> = comparisons
        .iter()
        .flat_map(|c| {
            c.movements.iter().map(move |m| MovedRow {
                owner: &c.owner_name,
                comune: &c.comune,
                id_domanda: &m.code,
                before: m.before,
                after: m.after,
                delta: m.delta,
            })
        })
        .collect();
    if format == Format::Table {
        let moved: usize = comparisons.iter().map(|c| c.movements.len()).sum();
        println!(
            "Avviso {notice} ricalcolato con {label} (nulla è cambiato): {} graduatorie, {moved} domande si spostano",
            comparisons.len()
        );
        if let Some(u) = unverified {
            println!("{u}");
        }
    }
    let pos = |p: Option<usize>| p.map(|p| p.to_string()).unwrap_or_else(|| "-".into());
    let rows = items
        .iter()
        .map(|m| {
            vec![
                m.owner.to_string(),
                m.comune.to_string(),
                m.id_domanda.to_string(),
                pos(m.before),
                pos(m.after),
                match (m.before, m.after) {
                    (Some(_), Some(_)) if m.delta > 0 => format!("+{}", m.delta),
                    (Some(_), Some(_)) => m.delta.to_string(),
                    (None, Some(_)) => "entra".into(),
                    (Some(_), None) => "esce".into(),
                    _ => String::new(),
                },
            ]
        })
        .collect();
    Listing {
        headers: &[
            "ENTE",
            "COMUNE",
            "ID DOMANDA",
            "PRIMA",
            "DOPO",
            "SPOSTAMENTO",
        ],
        rows,
        items: &items,
    }
    .print(format)
}

pub fn isbar(g: &Global, cmd: IsbarCommand) -> Result<()> {
    let IsbarCommand::Explain { id, notice, format } = cmd;
    let r = (|| {
        let (store, scope) = session(g, Access::ReadOnly)?;
        may_read(&scope)?;
        let notice = match notice {
            Some(n) => n,
            None => {
                let found = applications::notices_with_code(store.conn(), &id)?;
                match found.as_slice() {
                    [n] => *n,
                    [] => {
                        return Err(anyhow!(InvalidInput(format!(
                            "domanda '{id}' non trovata in nessun avviso"
                        ))));
                    }
                    many => {
                        return Err(anyhow!(InvalidInput(format!(
                            "la domanda '{id}' è in più avvisi ({}): indicare --notice",
                            many.iter()
                                .map(|n| n.to_string())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ))));
                    }
                }
            }
        };
        let mut e = rankings::explain(store.conn(), notice, &id)?;
        let district_id = notices::get(store.conn(), notice)?.district_id;
        if !scope.reads_whole_notice(district_id) {
            e.positions
                .retain(|(r, _)| scope.may_read_ranking(district_id, r.owner_id));
            if e.positions.is_empty() {
                return Err(Denied(format!(
                    "la domanda {id} non è in una graduatoria che l'operatore {} può consultare",
                    scope.username
                ))
                .into());
            }
        }
        if format == Format::Json {
            println!("{}", serde_json::to_string_pretty(&e)?);
            return Ok(());
        }
        print_explanation(&e);
        Ok(())
    })();
    r.map_err(refused_as_invalid)
}

fn print_explanation(e: &rankings::Explanation) {
    println!(
        "Domanda {} — avviso {} — regole {}",
        e.code, e.notice_id, e.rule_set
    );
    if !e.admitted || !e.failures.is_empty() {
        println!("ESCLUSA:");
        for f in &e.failures {
            println!("  {:<18} {}", f.requirement, f.reason);
        }
    }
    if let Some(s) = &e.score {
        println!();
        println!(
            "{:<10} {:>7}  {:<45} RIFERIMENTO",
            "GRUPPO", "PUNTI", "CONDIZIONE"
        );
        for l in &s.lines {
            let mark = if l.verified { "" } else { " (non verificato)" };
            println!(
                "{:<10} {:>7}  {:<45} {}{mark}",
                l.group.key().split('_').next().unwrap_or_default(),
                points(l.points),
                l.label,
                l.legal_ref
            );
            if !l.detail.is_empty() {
                println!("{:<19}{}", "", l.detail);
            }
        }
        println!("{:<10} {:>7}", "ISBAR", points(s.total));
        println!(
            "Indigente: {}",
            if e.indigent {
                "SI (ISEE entro la soglia)"
            } else {
                "NO"
            }
        );
        println!();
        println!("Criteri di parità, nell'ordine:");
        for (k, v) in &e.tie_keys {
            println!("  {k:<36} {v}");
        }
    }
    if !e.positions.is_empty() {
        println!();
        println!("Posizioni:");
        for (r, p) in &e.positions {
            println!(
                "  {} · {} ({}): posizione {p} di {}",
                r.owner_name, r.comune, r.state, r.entries
            );
        }
    }
    if !e.kept_preferences.is_empty() {
        println!(
            "Alloggi scelti validi: {}",
            e.kept_preferences
                .iter()
                .map(|u| u.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    for d in &e.dropped_preferences {
        println!("Alloggio {} non considerato: {}", d.unit_id, d.reason);
    }
    if e.by_comune.len() > 1 {
        println!();
        println!(
            "Punteggio nei comuni delle graduatorie (residenza nel comune dell'alloggio, art. 12 c.2):"
        );
        for c in &e.by_comune {
            println!(
                "  {:<28} {:>3} anni  residenza Comune {:>6}  ISBAR {:>7}",
                c.comune,
                c.years,
                points(c.residenza_comune),
                points(c.isbar)
            );
        }
    }
    if let Some(u) = &e.unverified {
        println!();
        println!("{u}");
    }
}
