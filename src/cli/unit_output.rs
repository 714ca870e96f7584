//! How `casa units search` and `casa units show` print: the search's rows streamed as JSON,
//! CSV or an aligned table, and a unit's detail as label/value lines.

use super::output::Format;
use crate::store::search::{UnitDetail, UnitRow};
use anyhow::Result;
use std::io::Write;

/// Column headers of `search` (the regional export columns, then the search's own).
pub const SEARCH_HEADERS: [&str; 14] = [
    "ID Alloggio",
    "Codice identificativo U.I.",
    "Tipo Ente Proprietario",
    "Ragione sociale Ente Proprietario",
    "Provincia",
    "Comune",
    "Quartiere/Zona/Località/Frazione",
    "Indirizzo",
    "Stato",
    "Codice fabbricato",
    "Destinazione d'uso",
    "Superficie utile",
    "In avviso",
    "Marcato per il piano",
];

fn cells(u: &UnitRow) -> Vec<String> {
    vec![
        u.id.to_string(),
        u.code.clone(),
        u.owner_kind.label().to_string(),
        u.owner_name.clone(),
        u.province.clone(),
        u.comune.clone(),
        u.locality.clone().unwrap_or_default(),
        u.full_address(),
        u.state.label().to_string(),
        u.building_code.clone(),
        u.service.short().to_string(),
        u.floor_area.map(|a| format!("{a:.2}")).unwrap_or_default(),
        if u.in_notice { "SI" } else { "NO" }.to_string(),
        u.plan_year.map(|y| y.to_string()).unwrap_or_default(),
    ]
}

pub type Out = std::io::BufWriter<std::io::StdoutLock<'static>>;

/// Short headers of the table format.
const TABLE_HEADERS: [&str; 14] = [
    "ID",
    "CODICE U.I.",
    "TIPO",
    "ENTE",
    "PROV",
    "COMUNE",
    "LOCALITÀ",
    "INDIRIZZO",
    "STATO",
    "FABBR.",
    "DEST.",
    "MQ",
    "AVVISO",
    "PIANO",
];

/// Rows the table format reads before fixing its column widths.
const TABLE_SAMPLE: usize = 1_000;

/// Where `search` writes its rows.
pub enum Sink {
    Json {
        out: Out,
        written: usize,
    },
    Csv(Box<crate::csv_cell::Writer<Out>>),
    /// An aligned table: the widths come from the first rows, then the rest streams (a longer
    /// cell further down only shifts its own line).
    Table {
        out: Out,
        pending: Vec<Vec<String>>,
        widths: Option<Vec<usize>>,
    },
}

fn table_line(out: &mut Out, widths: &[usize], cells: &[&str]) -> Result<()> {
    let mut line = String::new();
    for (i, c) in cells.iter().enumerate() {
        // Control characters stored in the data are shown escaped, never sent to the terminal.
        let c = crate::safe_text::clean(c);
        if i > 0 {
            line.push_str("  ");
        }
        line.push_str(&c);
        let pad = widths[i].saturating_sub(c.chars().count());
        line.extend(std::iter::repeat_n(' ', pad));
    }
    writeln!(out, "{}", line.trim_end())?;
    Ok(())
}

impl Sink {
    pub fn push(&mut self, u: &UnitRow) -> Result<()> {
        match self {
            Sink::Json { out, written } => {
                write!(out, "{}", if *written == 0 { "[\n" } else { ",\n" })?;
                serde_json::to_writer_pretty(&mut *out, u)?;
                *written += 1;
            }
            Sink::Csv(w) => w.write_record(cells(u))?,
            Sink::Table {
                out,
                pending,
                widths,
            } => match widths {
                Some(w) => {
                    let c = cells(u);
                    table_line(out, w, &c.iter().map(String::as_str).collect::<Vec<_>>())?;
                }
                None => {
                    pending.push(cells(u));
                    if pending.len() == TABLE_SAMPLE {
                        *widths = Some(Self::flush_table(out, pending)?);
                    }
                }
            },
        }
        Ok(())
    }

    /// Prints the header and the sampled rows; returns the widths used.
    fn flush_table(out: &mut Out, rows: &mut Vec<Vec<String>>) -> Result<Vec<usize>> {
        let mut widths: Vec<usize> = TABLE_HEADERS.iter().map(|h| h.chars().count()).collect();
        for r in rows.iter() {
            for (w, c) in widths.iter_mut().zip(r) {
                *w = (*w).max(crate::safe_text::clean(c).chars().count());
            }
        }
        table_line(out, &widths, &TABLE_HEADERS)?;
        for r in rows.drain(..) {
            table_line(
                out,
                &widths,
                &r.iter().map(String::as_str).collect::<Vec<_>>(),
            )?;
        }
        Ok(widths)
    }

    pub fn finish(self) -> Result<()> {
        match self {
            Sink::Json { mut out, written } => {
                writeln!(out, "{}", if written == 0 { "[]" } else { "\n]" })?;
                out.flush()?;
            }
            Sink::Csv(mut w) => w.flush()?,
            Sink::Table {
                mut out,
                mut pending,
                widths,
            } => {
                if widths.is_none() {
                    Self::flush_table(&mut out, &mut pending)?;
                }
                out.flush()?;
            }
        }
        Ok(())
    }
}

fn yes(b: bool) -> String {
    if b { "SI" } else { "NO" }.into()
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

/// The detail as label/value lines (table) or label,value records (CSV).
pub fn print_detail(d: &UnitDetail, format: Format) -> Result<()> {
    let mut lines: Vec<Vec<String>> = vec![
        vec!["ID Alloggio".into(), d.id.to_string()],
        vec!["Codice identificativo U.I.".into(), d.code.clone()],
        vec![
            "Ente proprietario".into(),
            format!(
                "{} ({}, CF {})",
                d.owner.name, d.owner.kind, d.owner.tax_code
            ),
        ],
        vec![
            "Ente gestore".into(),
            d.manager
                .as_ref()
                .map(|m| format!("{} ({}, CF {})", m.name, m.kind, m.tax_code))
                .unwrap_or_default(),
        ],
        vec![
            "Fabbricato".into(),
            format!("{} ({})", d.building.code, d.building.address),
        ],
        vec![
            "Comune".into(),
            format!(
                "{} ({}, ISTAT {}, {})",
                d.comune, d.province, d.istat, d.cadastral_code
            ),
        ],
        vec!["Quartiere/Zona/Località/Frazione".into(), opt(&d.locality)],
        vec!["Indirizzo".into(), d.full_address()],
        vec!["CAP".into(), opt(&d.cap)],
        vec![
            "Scala / piano".into(),
            format!("{} / {}", opt(&d.staircase), opt(&d.floor)),
        ],
        vec!["Ascensore".into(), yes(d.has_lift)],
        vec![
            "Catasto (foglio/particella/sub/categoria)".into(),
            format!(
                "{}/{}/{}/{}",
                opt(&d.cadastral_sheet),
                opt(&d.cadastral_parcel),
                opt(&d.cadastral_sub),
                opt(&d.cadastral_category)
            ),
        ],
        vec![
            "Superficie utile (m²)".into(),
            d.floor_area.map(|a| format!("{a:.2}")).unwrap_or_default(),
        ],
        vec!["Vani".into(), opt(&d.rooms)],
        vec!["Destinazione d'uso".into(), d.service.label().into()],
        vec!["SAT".into(), yes(d.sat)],
        vec!["Stato".into(), d.state.label().into()],
        vec!["In avviso".into(), yes(d.in_notice)],
        vec!["Interventi necessari".into(), opt(&d.works)],
        vec![
            "Costo stimato (€)".into(),
            d.works_cost_cents
                .map(|c| format!("{},{:02}", c / 100, c % 100))
                .unwrap_or_default(),
        ],
        vec!["Senza barriere architettoniche".into(), yes(d.barrier_free)],
        vec!["Marcato per il piano".into(), opt(&d.plan_year)],
        vec!["Aggiornato il".into(), d.updated_at.clone()],
    ];
    for h in &d.households {
        lines.push(vec![
            format!("Nucleo {}", h.id),
            format!("{} componenti", h.members),
        ]);
        for t in &h.tenants {
            lines.push(vec![
                if t.is_holder {
                    "  Intestatario".into()
                } else {
                    format!("  {}", opt(&t.relationship))
                },
                format!(
                    "{} {} ({}) {}",
                    t.surname,
                    t.name,
                    t.tax_code,
                    opt(&t.birth_date)
                )
                .trim_end()
                .to_string(),
            ]);
        }
    }
    if d.personal_data_masked {
        lines.push(vec![
            "Dati personali".into(),
            "oscurati (--reveal per vederli, l'accesso è registrato)".into(),
        ]);
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match format {
        Format::Csv => {
            let mut w = crate::csv_cell::Writer::from_writer(&mut out);
            w.write_record(["campo", "valore"])?;
            for l in &lines {
                w.write_record(l)?;
            }
            w.flush()?;
        }
        _ => {
            let width = lines
                .iter()
                .map(|l| l[0].chars().count())
                .max()
                .unwrap_or(0);
            for l in &lines {
                let pad = width - l[0].chars().count();
                let value = crate::safe_text::clean(&l[1]);
                writeln!(out, "{}{}  {value}", l[0], " ".repeat(pad))?;
            }
        }
    }
    Ok(())
}
