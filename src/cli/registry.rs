//! `casa districts list` and `casa owners list`: the reference lists scripts need for codes.

use super::output::{Format, Listing};
use super::{Global, open};
use crate::service::Need;
use anyhow::Result;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum DistrictsCommand {
    /// List districts (ambiti) with their capofila and number of comuni
    List {
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// One district: member comuni and the acts naming its capofila
    Show {
        /// Code (e.g. BG-SERIATE) or name
        district: String,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Create a district with its member comuni (Regione)
    Create {
        /// Code: capital letters, digits and - (e.g. BG-SERIATE)
        code: String,
        #[arg(long)]
        name: String,
        /// Member comuni by ISTAT code (repeatable or comma-separated)
        #[arg(long = "comune", value_name = "ISTAT")]
        comuni: Vec<String>,
    },
    /// Rename a district (Regione)
    #[command(disable_version_flag = true)]
    Rename {
        district: String,
        #[arg(long)]
        name: String,
        /// Refuse if the district changed since it was read at this version
        #[arg(long)]
        version: Option<i64>,
    },
    /// Add or remove member comuni (Regione)
    #[command(disable_version_flag = true)]
    Comuni {
        district: String,
        #[arg(long, value_name = "ISTAT")]
        add: Vec<String>,
        #[arg(long, value_name = "ISTAT")]
        remove: Vec<String>,
        #[arg(long)]
        version: Option<i64>,
    },
    /// Record the act naming the Comune capofila (Regione): plans and notices already made keep
    /// the capofila they had
    #[command(disable_version_flag = true)]
    Capofila {
        district: String,
        /// The comune named (ISTAT code or name; a member of the district)
        #[arg(long)]
        comune: String,
        /// Date of the act of nomination (GG/MM/AAAA or AAAA-MM-GG)
        #[arg(long = "act-date", value_name = "DATA")]
        act_date: String,
        /// Reference of the act (e.g. "Verbale Assemblea dei Sindaci n. 3/2025")
        #[arg(long = "act", value_name = "ESTREMI")]
        act: String,
        #[arg(long)]
        version: Option<i64>,
    },
}

#[derive(Debug, Subcommand)]
pub enum OwnersCommand {
    /// List bodies with kind, codice fiscale and ISTAT code
    List {
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        /// Only this kind: comune, aler, operatore accreditato, regione
        #[arg(long)]
        kind: Option<String>,
    },
}

pub fn districts(g: &Global, cmd: DistrictsCommand) -> Result<()> {
    let format = match cmd {
        DistrictsCommand::List { format } => format,
        DistrictsCommand::Show { district, format } => {
            let card = open(g, Need::Read)?.district_card(&district)?;
            return print_card(&card, format);
        }
        DistrictsCommand::Create { code, name, comuni } => {
            let card = open(g, Need::Write)?.create_district(&code, &name, &comuni)?;
            println!(
                "Ambito {} ({}) creato con {} comuni; nominare il capofila con casa districts capofila {} --comune … --act-date … --act …",
                card.district.code,
                card.district.name,
                card.members.len(),
                card.district.code
            );
            return Ok(());
        }
        DistrictsCommand::Rename {
            district,
            name,
            version,
        } => {
            let (card, changed) =
                open(g, Need::Write)?.rename_district(&district, &name, version)?;
            if changed {
                println!(
                    "Ambito {}: nome ora «{}».",
                    card.district.code, card.district.name
                );
            } else {
                println!(
                    "Nessuna modifica: l'ambito {} si chiama già così.",
                    card.district.code
                );
            }
            return Ok(());
        }
        DistrictsCommand::Comuni {
            district,
            add,
            remove,
            version,
        } => {
            let (card, n) =
                open(g, Need::Write)?.change_district_members(&district, &add, &remove, version)?;
            if n == 0 {
                println!(
                    "Nessuna modifica ai comuni dell'ambito {}.",
                    card.district.code
                );
            } else {
                println!(
                    "Ambito {}: {n} comuni cambiati, ora {} comuni.",
                    card.district.code,
                    card.members.len()
                );
            }
            return Ok(());
        }
        DistrictsCommand::Capofila {
            district,
            comune,
            act_date,
            act,
            version,
        } => {
            let date = crate::domain::district::parse_date(&act_date)
                .map_err(|e| super::InvalidInput(format!("--act-date: {e}")))?;
            let set =
                open(g, Need::Write)?.set_capofila(&district, &comune, date, &act, version)?;
            println!(
                "{}.",
                crate::service::messages::capofila_set(
                    &set.card.district.code,
                    set.card.district.lead_name.as_deref().unwrap_or("?"),
                    &set.demoted
                )
            );
            if !set.demoted.is_empty() {
                println!(
                    "Gli operatori del nuovo capofila si registrano con il ruolo capofila (casa operators add … --role capofila --district {}).",
                    set.card.district.code
                );
            }
            return Ok(());
        }
    };
    let items = open(g, Need::Read)?.districts()?;
    let rows = items
        .iter()
        .map(|d| {
            vec![
                d.code.clone(),
                d.name.clone(),
                d.lead_name
                    .clone()
                    .unwrap_or_else(|| "(non indicato)".into()),
                d.municipalities.to_string(),
                match (d.synthetic, d.lead_confirmed) {
                    (true, _) => "dimostrativo",
                    (false, false) if d.lead_istat.is_some() => "capofila non confermato",
                    _ => "",
                }
                .to_string(),
            ]
        })
        .collect();
    Listing {
        headers: &["CODICE", "AMBITO", "CAPOFILA", "COMUNI", "NOTA"],
        rows,
        items: &items,
    }
    .print(format)
}

pub fn owners(g: &Global, cmd: OwnersCommand) -> Result<()> {
    let OwnersCommand::List { format, kind } = cmd;
    let kind = kind
        .map(|k| crate::domain::registry::OwnerKind::parse(&k))
        .transpose()
        .map_err(super::InvalidInput)?;
    let items = open(g, Need::Read)?.owners(kind)?;
    let synthetic = items.iter().filter(|o| o.synthetic_tax_code).count();
    let rows = items
        .iter()
        .map(|o| {
            vec![
                o.kind.label().to_string(),
                o.name.clone(),
                o.tax_code.clone(),
                o.istat_code
                    .clone()
                    .or_else(|| o.aler_code.clone())
                    .unwrap_or_default(),
                if o.synthetic_tax_code {
                    "CF sintetico"
                } else {
                    ""
                }
                .to_string(),
            ]
        })
        .collect();
    Listing {
        headers: &[
            "TIPO",
            "RAGIONE SOCIALE",
            "CODICE FISCALE",
            "CODICE",
            "NOTA",
        ],
        rows,
        items: &items,
    }
    .print(format)?;
    if format == Format::Table {
        println!(
            "{} enti con codice fiscale reale, {synthetic} con codice sintetico (generato: codice non ancora noto)",
            items.len() - synthetic
        );
    }
    Ok(())
}

fn print_card(c: &crate::store::districts::DistrictCard, format: Format) -> Result<()> {
    if format == Format::Json {
        println!("{}", serde_json::to_string_pretty(c)?);
        return Ok(());
    }
    if format == Format::Csv {
        let rows: Vec<Vec<String>> = c
            .members
            .iter()
            .map(|m| {
                vec![
                    c.district.code.clone(),
                    m.istat_code.clone(),
                    m.name.clone(),
                    m.province.clone(),
                    (c.district.lead_istat.as_deref() == Some(m.istat_code.as_str())).to_string(),
                ]
            })
            .collect();
        return Listing {
            headers: &["AMBITO", "ISTAT", "COMUNE", "PROVINCIA", "CAPOFILA"],
            rows,
            items: &c.members,
        }
        .print(format);
    }
    println!(
        "Ambito {} — {} (versione {})",
        c.district.code, c.district.name, c.version
    );
    println!(
        "Capofila: {}",
        c.district
            .lead_name
            .as_deref()
            .map(|n| format!("{n} ({})", c.district.lead_istat.as_deref().unwrap_or("")))
            .unwrap_or_else(|| "non indicato".into())
    );
    if c.leads.is_empty() {
        println!("Atti di nomina: nessuno registrato");
    } else {
        println!("Atti di nomina (dal più recente):");
        for l in &c.leads {
            println!(
                "  {} {} ({}): {} — registrato il {} da {}",
                l.act_date, l.comune, l.istat_code, l.act_reference, l.recorded_at, l.recorded_by
            );
        }
    }
    println!("Comuni ({}):", c.members.len());
    for m in &c.members {
        println!("  {} {} ({})", m.istat_code, m.name, m.province);
    }
    Ok(())
}
