//! `casa occupations search|show|add|update|close|import|export`: Banca dati degli occupanti
//! senza titolo from the command line, with the permissions of the interface (the service's).

use super::output::{Format, Listing};
use super::{Global, InvalidInput, open};
use crate::anpu::Operation;
use crate::domain::occupation::codes::{CodeList, CodeLists};
use crate::domain::occupation::filter::{Field, FilterText, parse_day};
use crate::domain::occupation::{Act, Member, Occupation};
use crate::domain::registry::{UnitState, parse_flag};
use crate::service::occupations::ImportRefused;
use crate::service::{Need, Service};
use crate::store::occupations::search::Direction;
use crate::store::occupations::{Closing, Saved, Stored};
use anyhow::{Result, anyhow};
use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum OccupationsCommand {
    /// Ricerca occupazioni: the occupations you see, by id, a page at a time
    Search {
        #[command(flatten)]
        filter: FilterArgs,
        /// Rows at most
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Start after this id (the next page)
        #[arg(long, value_name = "ID")]
        after: Option<i64>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// How many occupations the filter finds
    Count {
        #[command(flatten)]
        filter: FilterArgs,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// SCHEDA OCCUPAZIONE: every field of an occupation and its household (masked for the
    /// helpdesk unless --reveal, which is audited)
    Show {
        id: i64,
        #[arg(long)]
        reveal: bool,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Record an occupation (OCCUPANTI service on the owner); an open one sets casa's unit
    /// OCCUPATO SENZA TITOLO
    Add {
        #[command(flatten)]
        record: RecordArgs,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Change an occupation read at --version (fields not given stay; "" clears an optional one)
    #[command(disable_version_flag = true)]
    Update {
        id: i64,
        /// The version read (casa occupations show): refused if someone changed it since
        #[arg(long = "version", value_name = "V")]
        version: i64,
        #[command(flatten)]
        record: RecordArgs,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Close an occupation: end date and act, release act, and the state casa's unit takes
    #[command(disable_version_flag = true)]
    Close {
        id: i64,
        /// The version read (casa occupations show)
        #[arg(long = "version", value_name = "V")]
        version: i64,
        /// Data di cessazione (GG/MM/AAAA)
        #[arg(long)]
        data: String,
        /// Identificativo del provvedimento di cessazione
        #[arg(long)]
        provvedimento: Option<String>,
        #[arg(long)]
        protocollo: Option<String>,
        #[arg(long, value_name = "DATA")]
        data_provvedimento: Option<String>,
        /// Atto di rilascio: identificativo, protocollo, data
        #[arg(long)]
        atto_rilascio: Option<String>,
        #[arg(long)]
        protocollo_rilascio: Option<String>,
        #[arg(long, value_name = "DATA")]
        data_rilascio: Option<String>,
        /// The state casa's unit takes (LIBERO, OCCUPATO, SFITTO PER CARENZE MANUTENTIVE, …);
        /// required when it was the unit's last open occupation
        #[arg(long, value_name = "STATO")]
        stato_alloggio: Option<String>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Import a richiesta of the regional feed (anpu-occupazioni.xsd): all or nothing, every
    /// problem by element and attribute; the same file again changes nothing
    Import {
        file: PathBuf,
        /// Only check the file
        #[arg(long)]
        dry_run: bool,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Export an owner's feed to the Region: a richiesta validated against the XSD (action I
    /// for records never sent, M for those changed since; --tutte: every record, nothing marked)
    Export {
        /// Owner (codice fiscale, ISTAT code, ALER code or name)
        #[arg(long)]
        owner: String,
        #[arg(long, value_name = "FILE.xml")]
        out: PathBuf,
        /// I or M (default: I when there are new records, else M)
        #[arg(long, value_parser = ["I", "M", "i", "m"])]
        azione: Option<String>,
        /// Every occupation of the owner as action I, not marked as sent (a full copy)
        #[arg(long)]
        tutte: bool,
        /// Replace an existing file
        #[arg(long)]
        force: bool,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
}

#[derive(Debug, Clone, Default, Args)]
pub struct FilterArgs {
    /// Ente proprietario (codice fiscale, ISTAT code, ALER code or name)
    #[arg(long)]
    owner: Option<String>,
    /// Comune of the unit (ISTAT code or name)
    #[arg(long)]
    comune: Option<String>,
    /// Tipo di occupazione (code or label)
    #[arg(long)]
    tipo: Option<String>,
    /// IN CORSO or CESSATA
    #[arg(long)]
    stato: Option<String>,
    /// Under way at some time from this day (GG/MM/AAAA)
    #[arg(long)]
    dal: Option<String>,
    /// … to this day
    #[arg(long)]
    al: Option<String>,
    /// The occupant's or a household member's codice fiscale
    #[arg(long)]
    cf: Option<String>,
    /// Codes, address or occupant's name (3 characters at least)
    #[arg(long)]
    testo: Option<String>,
}

impl FilterArgs {
    fn text(&self) -> FilterText {
        let mut t = FilterText::default();
        for (f, v) in [
            (Field::Owner, &self.owner),
            (Field::Comune, &self.comune),
            (Field::Kind, &self.tipo),
            (Field::Status, &self.stato),
            (Field::From, &self.dal),
            (Field::To, &self.al),
            (Field::TaxCode, &self.cf),
            (Field::Text, &self.testo),
        ] {
            t.set(f, v.as_deref());
        }
        t
    }
}

/// The fields of a record, named as the form labels them. On `update`, a field not given
/// keeps its value and "" clears an optional one.
#[derive(Debug, Clone, Default, Args)]
pub struct RecordArgs {
    /// Ente proprietario (codice fiscale, ISTAT code, ALER code or name)
    #[arg(long)]
    owner: Option<String>,
    /// Codice dell'occupazione (cdOccupazione)
    #[arg(long)]
    codice: Option<String>,
    /// Codice identificativo U.I. (cdAlloggio): a unit of casa fills province, comune and address
    #[arg(long)]
    alloggio: Option<String>,
    /// Comune of the unit (ISTAT code or name), when casa does not hold the unit
    #[arg(long)]
    comune: Option<String>,
    /// Prefisso dell'indirizzo (Via, Piazza, … or its code)
    #[arg(long)]
    prefisso: Option<String>,
    #[arg(long)]
    indirizzo: Option<String>,
    #[arg(long)]
    civico: Option<String>,
    /// Codice fiscale dell'occupante ("" when not known)
    #[arg(long)]
    cf: Option<String>,
    #[arg(long)]
    nome: Option<String>,
    #[arg(long)]
    cognome: Option<String>,
    /// Data di nascita (GG/MM/AAAA)
    #[arg(long)]
    nascita: Option<String>,
    /// M or F
    #[arg(long)]
    sesso: Option<String>,
    /// Codice catastale della nazione di nascita (Z…)
    #[arg(long)]
    nazione_nascita: Option<String>,
    #[arg(long)]
    provincia_nascita: Option<String>,
    /// Codice catastale del comune di nascita
    #[arg(long)]
    comune_nascita: Option<String>,
    /// Codice catastale della cittadinanza
    #[arg(long)]
    cittadinanza: Option<String>,
    /// Data di inizio dell'occupazione
    #[arg(long)]
    inizio: Option<String>,
    /// Tipo di occupazione (code or label)
    #[arg(long)]
    tipo: Option<String>,
    /// Atto di rilevazione: tipo, identificativo, data
    #[arg(long)]
    tipo_rilevazione: Option<String>,
    #[arg(long)]
    rilevazione: Option<String>,
    #[arg(long, value_name = "DATA")]
    data_rilevazione: Option<String>,
    /// Atto legittimante: tipo (code or label), identificativo, data
    #[arg(long)]
    tipo_legittimante: Option<String>,
    #[arg(long)]
    legittimante: Option<String>,
    #[arg(long, value_name = "DATA")]
    data_legittimante: Option<String>,
    /// Atto di rilascio: identificativo, protocollo, data
    #[arg(long)]
    atto_rilascio: Option<String>,
    #[arg(long)]
    protocollo_rilascio: Option<String>,
    #[arg(long, value_name = "DATA")]
    data_rilascio: Option<String>,
    /// Presenza di debito (code or label)
    #[arg(long)]
    debito: Option<String>,
    /// Debt types: SI or NO each
    #[arg(long)]
    debito_danneggiamento: Option<String>,
    #[arg(long)]
    debito_indennita: Option<String>,
    #[arg(long)]
    debito_sgombero: Option<String>,
    #[arg(long)]
    debito_altro: Option<String>,
    /// Debito estinto: SI or NO, and its date
    #[arg(long)]
    debito_estinto: Option<String>,
    #[arg(long, value_name = "DATA")]
    data_estinzione: Option<String>,
    /// A household member: "CF;COGNOME;NOME;GG/MM/AAAA;PARENTELA" (repeat; "" removes all)
    #[arg(long = "componente", value_name = "CF;COGNOME;NOME;NASCITA;PARENTELA")]
    componenti: Vec<String>,
}

/// An optional text: "" clears it.
fn opt(v: &str) -> Option<String> {
    let t = v.trim();
    (!t.is_empty()).then(|| t.to_string())
}

fn day(field: &str, v: &str) -> Result<Option<chrono::NaiveDate>> {
    match opt(v) {
        None => Ok(None),
        Some(t) => parse_day(&t)
            .map(Some)
            .map_err(|e| anyhow!(InvalidInput(format!("--{field}: {e}")))),
    }
}

fn code(codes: &CodeLists, list: CodeList, field: &str, v: &str) -> Result<i64> {
    codes
        .parse(list, v)
        .map_err(|e| anyhow!(InvalidInput(format!("--{field}: {e}"))))
}

fn flag(field: &str, v: &str) -> Result<Option<bool>> {
    parse_flag(v).map_err(|e| anyhow!(InvalidInput(format!("--{field}: {e}"))))
}

impl RecordArgs {
    /// Applies the given fields to `o`.
    fn apply(&self, svc: &Service, codes: &CodeLists, o: &mut Occupation) -> Result<()> {
        if let Some(v) = &self.owner {
            o.owner_tax_code = svc.occupation_owner(v)?.1;
        }
        if let Some(v) = &self.codice {
            o.code = v.trim().to_string();
        }
        if let Some(v) = &self.alloggio {
            o.unit.code = v.trim().to_string();
            if let Some((_, place)) = svc.occupation_unit_place(&o.owner_tax_code, v)? {
                o.unit = place;
            }
        }
        if let Some(v) = &self.comune {
            let (province, cadastral) = svc.occupation_comune(v)?;
            o.unit.province = province;
            o.unit.cadastral = cadastral;
        }
        if let Some(v) = &self.prefisso {
            o.unit.prefix = code(codes, CodeList::AddressPrefix, "prefisso", v)?;
        }
        let text = |v: &Option<String>, to: &mut String| {
            if let Some(v) = v {
                *to = v.trim().to_string();
            }
        };
        text(&self.indirizzo, &mut o.unit.street);
        text(&self.civico, &mut o.unit.number);
        text(&self.nome, &mut o.occupant.name);
        text(&self.cognome, &mut o.occupant.surname);
        text(&self.tipo_rilevazione, &mut o.detect_type);
        text(&self.rilevazione, &mut o.detect_id);
        let optional = |v: &Option<String>, to: &mut Option<String>| {
            if let Some(v) = v {
                *to = opt(v);
            }
        };
        let p = &mut o.occupant;
        if let Some(v) = &self.cf {
            p.tax_code = opt(v).map(|c| crate::domain::codice_fiscale::normalize(&c));
        }
        optional(&self.sesso, &mut p.sex);
        optional(&self.nazione_nascita, &mut p.birth_nation);
        optional(&self.provincia_nascita, &mut p.birth_province);
        optional(&self.comune_nascita, &mut p.birth_comune);
        optional(&self.cittadinanza, &mut p.citizenship);
        if let Some(v) = &self.nascita {
            p.birth_date = day("nascita", v)?;
        }
        if let Some(v) = &self.inizio {
            o.started_on = day("inizio", v)?;
        }
        if let Some(v) = &self.tipo {
            o.kind = code(codes, CodeList::OccupationType, "tipo", v)?;
        }
        if let Some(v) = &self.data_rilevazione {
            o.detect_on = day("data-rilevazione", v)?;
        }
        if let Some(v) = &self.tipo_legittimante {
            o.legit_type = match opt(v) {
                Some(t) => Some(code(
                    codes,
                    CodeList::LegitimatingAct,
                    "tipo-legittimante",
                    &t,
                )?),
                None => None,
            };
        }
        optional(&self.legittimante, &mut o.legit.id);
        if let Some(v) = &self.data_legittimante {
            o.legit.date = day("data-legittimante", v)?;
        }
        optional(&self.atto_rilascio, &mut o.release.id);
        optional(&self.protocollo_rilascio, &mut o.release.protocol);
        if let Some(v) = &self.data_rilascio {
            o.release.date = day("data-rilascio", v)?;
        }
        if let Some(v) = &self.debito {
            o.debt.presence = code(codes, CodeList::DebtPresence, "debito", v)?;
        }
        for (i, (name, v)) in [
            ("debito-danneggiamento", &self.debito_danneggiamento),
            ("debito-indennita", &self.debito_indennita),
            ("debito-sgombero", &self.debito_sgombero),
            ("debito-altro", &self.debito_altro),
        ]
        .into_iter()
        .enumerate()
        {
            if let Some(v) = v {
                o.debt.types[i] = flag(name, v)?;
            }
        }
        if let Some(v) = &self.debito_estinto {
            o.debt.extinct = flag("debito-estinto", v)?;
        }
        if let Some(v) = &self.data_estinzione {
            o.debt.extinct_on = day("data-estinzione", v)?;
        }
        if !self.componenti.is_empty() {
            o.members.clear();
            for (i, c) in self.componenti.iter().enumerate() {
                if c.trim().is_empty() {
                    continue;
                }
                let parts: Vec<&str> = c.split(';').map(str::trim).collect();
                if parts.len() != 5 {
                    return Err(anyhow!(InvalidInput(format!(
                        "--componente n. {}: '{c}': atteso CF;COGNOME;NOME;GG/MM/AAAA;PARENTELA",
                        i + 1
                    ))));
                }
                o.members.push(Member {
                    tax_code: crate::domain::codice_fiscale::normalize(parts[0]),
                    surname: parts[1].to_string(),
                    name: parts[2].to_string(),
                    birth_date: day("componente", parts[3])?,
                    relationship: parts[4].to_uppercase(),
                });
            }
        }
        Ok(())
    }
}

pub fn run(g: &Global, cmd: OccupationsCommand) -> Result<()> {
    match cmd {
        OccupationsCommand::Search {
            filter,
            limit,
            after,
            format,
        } => search(g, &filter, limit, after, format),
        OccupationsCommand::Count { filter, format } => count(g, &filter, format),
        OccupationsCommand::Show { id, reveal, format } => show(g, id, reveal, format),
        OccupationsCommand::Add { record, format } => add(g, &record, format),
        OccupationsCommand::Update {
            id,
            version,
            record,
            format,
        } => update(g, id, version, &record, format),
        OccupationsCommand::Close {
            id,
            version,
            data,
            provvedimento,
            protocollo,
            data_provvedimento,
            atto_rilascio,
            protocollo_rilascio,
            data_rilascio,
            stato_alloggio,
            format,
        } => {
            let release = (atto_rilascio.is_some()
                || protocollo_rilascio.is_some()
                || data_rilascio.is_some())
            .then(|| -> Result<Act> {
                Ok(Act {
                    id: atto_rilascio.as_deref().and_then(opt),
                    protocol: protocollo_rilascio.as_deref().and_then(opt),
                    date: day("data-rilascio", data_rilascio.as_deref().unwrap_or(""))?,
                })
            })
            .transpose()?;
            let closing = Closing {
                ended_on: day("data", &data)?,
                end: Act {
                    id: provvedimento.as_deref().and_then(opt),
                    protocol: protocollo.as_deref().and_then(opt),
                    date: day(
                        "data-provvedimento",
                        data_provvedimento.as_deref().unwrap_or(""),
                    )?,
                },
                release,
                unit_state: stato_alloggio
                    .as_deref()
                    .map(UnitState::parse)
                    .transpose()
                    .map_err(|e| anyhow!(InvalidInput(format!("--stato-alloggio: {e}"))))?,
            };
            let mut svc = open(g, Need::Write)?;
            let saved = svc.close_occupation(id, version, &closing)?;
            print_saved(&saved, "chiusa", format)
        }
        OccupationsCommand::Import {
            file,
            dry_run,
            format,
        } => import(g, &file, dry_run, format),
        OccupationsCommand::Export {
            owner,
            out,
            azione,
            tutte,
            force,
            format,
        } => export(g, &owner, &out, azione.as_deref(), tutte, force, format),
    }
}

fn search(
    g: &Global,
    filter: &FilterArgs,
    limit: usize,
    after: Option<i64>,
    format: Format,
) -> Result<()> {
    let svc = open(g, Need::Read)?;
    let codes = svc.occupation_codes()?;
    let f = svc.occupation_filter(&filter.text())?;
    let page = svc.occupation_page(&f, after, Direction::Forward, limit.clamp(1, 10_000))?;
    let rows: Vec<Vec<String>> = page
        .rows
        .iter()
        .map(|r| {
            vec![
                r.id.to_string(),
                r.owner_name.clone(),
                r.code.clone(),
                r.comune.clone(),
                r.unit_code.clone(),
                r.address.clone(),
                r.occupant.clone(),
                r.started_on.clone(),
                r.ended_on.clone().unwrap_or_else(|| "in corso".into()),
                codes.describe(CodeList::OccupationType, r.kind),
            ]
        })
        .collect();
    Listing {
        headers: &[
            "ID",
            "Ente proprietario",
            "Codice",
            "Comune",
            "Alloggio",
            "Indirizzo",
            "Occupante",
            "Inizio",
            "Cessazione",
            "Tipo",
        ],
        rows,
        items: &page.rows,
    }
    .print(format)?;
    if format == Format::Table
        && !page.at_end
        && let Some(last) = page.rows.last()
    {
        eprintln!("Altre occupazioni: --after {}", last.id);
    }
    Ok(())
}

fn count(g: &Global, filter: &FilterArgs, format: Format) -> Result<()> {
    let svc = open(g, Need::Read)?;
    let f = svc.occupation_filter(&filter.text())?;
    let n = svc.occupation_count(&f)?;
    match format {
        Format::Json => println!("{}", serde_json::json!({ "count": n })),
        _ => println!("{n}"),
    }
    Ok(())
}

/// The card's lines: (label, value).
pub fn card_lines(s: &Stored, codes: &CodeLists) -> Vec<(String, String)> {
    let o = &s.record;
    let p = &o.occupant;
    let d = |d: Option<chrono::NaiveDate>| {
        d.map(|d| d.format("%d/%m/%Y").to_string())
            .unwrap_or_default()
    };
    let t = |v: &Option<String>| v.clone().unwrap_or_default();
    let f = |v: Option<bool>| match v {
        Some(true) => "SI".to_string(),
        Some(false) => "NO".to_string(),
        None => String::new(),
    };
    let mut lines = vec![
        ("ID occupazione", s.id.to_string()),
        ("Versione", s.version.to_string()),
        (
            "Ente proprietario",
            format!("{} ({})", s.owner_name, o.owner_tax_code),
        ),
        ("Codice occupazione", o.code.clone()),
        (
            "Stato",
            if o.is_open() {
                "IN CORSO".into()
            } else {
                "CESSATA".into()
            },
        ),
        ("Alloggio (Codice U.I.)", o.unit.code.clone()),
        (
            "ID alloggio in casa",
            s.unit_id
                .map(|u| u.to_string())
                .unwrap_or_else(|| "non nell'anagrafe".into()),
        ),
        (
            "Comune",
            format!("{} ({}, {})", s.comune, o.unit.cadastral, o.unit.province),
        ),
        (
            "Indirizzo",
            format!(
                "{} {} {}",
                codes.label(CodeList::AddressPrefix, o.unit.prefix),
                o.unit.street,
                o.unit.number
            ),
        ),
        (
            "Codice fiscale occupante",
            p.tax_code
                .clone()
                .unwrap_or_else(|| "non conosciuto".into()),
        ),
        ("Cognome", p.surname.clone()),
        ("Nome", p.name.clone()),
        ("Data di nascita", d(p.birth_date)),
        ("Sesso", t(&p.sex)),
        ("Comune di nascita", t(&p.birth_comune)),
        ("Provincia di nascita", t(&p.birth_province)),
        ("Nazione di nascita", t(&p.birth_nation)),
        ("Cittadinanza", t(&p.citizenship)),
        ("Inizio occupazione", d(o.started_on)),
        (
            "Tipo di occupazione",
            codes.describe(CodeList::OccupationType, o.kind),
        ),
        (
            "Atto di rilevazione",
            format!("{} {} del {}", o.detect_type, o.detect_id, d(o.detect_on)),
        ),
        (
            "Atto legittimante",
            match o.legit_type {
                Some(k) => format!(
                    "{} {} {}",
                    codes.describe(CodeList::LegitimatingAct, k),
                    t(&o.legit.id),
                    d(o.legit.date)
                )
                .trim()
                .to_string(),
                None => String::new(),
            },
        ),
        (
            "Atto di rilascio",
            format!(
                "{} {} {}",
                t(&o.release.id),
                t(&o.release.protocol),
                d(o.release.date)
            )
            .trim()
            .to_string(),
        ),
        (
            "Presenza di debito",
            codes.describe(CodeList::DebtPresence, o.debt.presence),
        ),
    ];
    for (i, c) in codes.entries(CodeList::DebtType).iter().enumerate().take(4) {
        lines.push((
            "Debito",
            format!("{}: {}", c.label, f(o.debt.types.get(i).copied().flatten())),
        ));
    }
    lines.push((
        "Debito estinto",
        format!("{} {}", f(o.debt.extinct), d(o.debt.extinct_on))
            .trim()
            .to_string(),
    ));
    lines.push(("Cessazione", d(o.ended_on)));
    lines.push((
        "Provvedimento di cessazione",
        format!("{} {} {}", t(&o.end.id), t(&o.end.protocol), d(o.end.date))
            .trim()
            .to_string(),
    ));
    for (i, m) in o.members.iter().enumerate() {
        lines.push((
            "Componente",
            format!(
                "{}. {} {} {} {} {}",
                i + 1,
                m.tax_code,
                m.surname,
                m.name,
                d(m.birth_date),
                m.relationship
            ),
        ));
    }
    lines.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

fn show(g: &Global, id: i64, reveal: bool, format: Format) -> Result<()> {
    let svc = open(g, Need::Read)?;
    let s = svc.occupation(id, reveal)?;
    let codes = svc.occupation_codes()?;
    match format {
        Format::Json => {
            let mut v = serde_json::to_value(&s)?;
            v["personal_data_masked"] =
                (svc.session().scope().sees_personal_data_masked() && !reveal).into();
            println!("{}", serde_json::to_string_pretty(&v)?);
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(std::io::stdout().lock());
            w.write_record(["campo", "valore"])?;
            for (k, v) in card_lines(&s, &codes) {
                w.write_record([k, v])?;
            }
            w.flush()?;
        }
        Format::Table => {
            println!("SCHEDA OCCUPAZIONE — {}", s.reference());
            let lines = card_lines(&s, &codes);
            let width = lines
                .iter()
                .map(|(k, _)| k.chars().count())
                .max()
                .unwrap_or(0);
            for (k, v) in lines {
                println!("{k}{}  {v}", " ".repeat(width - k.chars().count()));
            }
        }
    }
    Ok(())
}

fn print_saved(s: &Saved, what: &str, format: Format) -> Result<()> {
    if format == Format::Json {
        println!("{}", serde_json::to_string_pretty(s)?);
        return Ok(());
    }
    println!(
        "Occupazione {} {what} (ID {}, versione {})",
        s.reference, s.id, s.version
    );
    if let Some(c) = &s.unit_state {
        println!("Alloggio {}: {} → {}", c.unit_id, c.before, c.after);
    }
    for n in &s.notes {
        println!("Nota: {n}");
    }
    Ok(())
}

fn add(g: &Global, record: &RecordArgs, format: Format) -> Result<()> {
    let mut svc = open(g, Need::Write)?;
    let codes = svc.occupation_codes()?;
    let mut o = Occupation::default();
    // The defaults of a new record: debt to be verified, type and prefix from the options.
    o.debt.presence = -1;
    o.kind = -1;
    o.unit.prefix = -1;
    record.apply(&svc, &codes, &mut o)?;
    for (missing, option, list) in [
        (o.kind == -1, "--tipo", CodeList::OccupationType),
        (o.debt.presence == -1, "--debito", CodeList::DebtPresence),
        (o.unit.prefix == -1, "--prefisso", CodeList::AddressPrefix),
    ] {
        if missing {
            let values: Vec<String> = codes
                .entries(list)
                .iter()
                .map(|c| format!("{} {}", c.code, c.label))
                .collect();
            return Err(anyhow!(InvalidInput(format!(
                "{option}: obbligatorio ({}: {})",
                list.label(),
                values.join("; ")
            ))));
        }
    }
    let saved = svc.add_occupation(&o)?;
    print_saved(&saved, "registrata", format)
}

fn update(g: &Global, id: i64, version: i64, record: &RecordArgs, format: Format) -> Result<()> {
    let mut svc = open(g, Need::Write)?;
    let codes = svc.occupation_codes()?;
    let stored = svc.occupation(id, false)?;
    let mut o = stored.record.clone();
    record.apply(&svc, &codes, &mut o)?;
    let saved = svc.update_occupation(id, version, &o)?;
    print_saved(&saved, "modificata", format)
}

fn import(g: &Global, file: &std::path::Path, dry_run: bool, format: Format) -> Result<()> {
    let result = if dry_run {
        let svc = open(g, Need::Read)?;
        svc.check_occupation_import(file).map(|r| {
            println!(
                "{}: {} occupazioni valide, azione {} (verifica: nulla è stato importato)",
                file.display(),
                r.records.len(),
                r.action.code()
            );
        })
    } else {
        let mut svc = open(g, Need::Write)?;
        svc.import_occupations(file).and_then(|r| {
            if format == Format::Json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                println!(
                    "{}: {} occupazioni (azione {}): {} inserite, {} modificate, {} già presenti e invariate",
                    file.display(),
                    r.records,
                    r.action.code(),
                    r.inserted,
                    r.updated,
                    r.unchanged
                );
                for c in &r.unit_states {
                    println!("Alloggio {}: {} → {}", c.unit_id, c.before, c.after);
                }
                for n in &r.notes {
                    println!("Nota: {n}");
                }
            }
            Ok(())
        })
    };
    if let Err(e) = &result
        && let Some(r) = e.downcast_ref::<ImportRefused>()
    {
        let mut err = std::io::stderr().lock();
        use std::io::Write;
        for p in &r.problems {
            writeln!(err, "{p}")?;
        }
        if r.more > 0 {
            writeln!(err, "… e altri {} problemi", r.more)?;
        }
    }
    result
}

fn export(
    g: &Global,
    owner: &str,
    out: &std::path::Path,
    azione: Option<&str>,
    all: bool,
    force: bool,
    format: Format,
) -> Result<()> {
    let mut svc = open(g, if all { Need::Read } else { Need::Write })?;
    let action = azione.and_then(Operation::parse);
    let done = svc.export_occupations(owner, action, all, out, force)?;
    // With `--out -` the document is on standard output: what was done goes to stderr.
    let to_stdout = out.as_os_str() == "-";
    let say = |text: String| {
        if to_stdout {
            eprintln!("{text}");
        } else {
            println!("{text}");
        }
    };
    if format == Format::Json {
        say(serde_json::to_string_pretty(&done)?);
        return Ok(());
    }
    match done {
        None => say(format!(
            "Nessuna occupazione da trasmettere{}: nessun file scritto",
            match action {
                Some(a) => format!(" con azione {}", a.code()),
                None => String::new(),
            }
        )),
        Some(e) => {
            say(format!(
                "{}: {} occupazioni di {} (azione {}{}), conforme ad anpu-occupazioni.xsd",
                out.display(),
                e.records,
                e.owner,
                e.action.code(),
                if e.marked {
                    ", registrate come trasmesse"
                } else {
                    ", copia completa"
                }
            ));
            if e.marked && (e.waiting.new > 0 || e.waiting.changed > 0) {
                say(format!(
                    "Restano da trasmettere: {} nuove (azione I), {} modificate (azione M)",
                    e.waiting.new, e.waiting.changed
                ));
            }
        }
    }
    Ok(())
}
