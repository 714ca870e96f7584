//! `casa rankings compute|correct|finalize`: the use cases that change rankings.

use crate::cli::output::Format;
use crate::cli::{Global, open};
use crate::domain::isbar::points;
use crate::service::{Need, today};
use crate::store::rankings::Correction;
use anyhow::Result;

pub(super) fn correct(g: &Global, c: &Correction<'_>) -> Result<()> {
    let c = open(g, Need::Write)?.correct_ranking(c, today())?;
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

pub(super) fn finalize(g: &Global, notice: i64) -> Result<()> {
    for w in open(g, Need::Write)?.finalize_rankings(notice, today())? {
        eprintln!("{w}");
    }
    println!("Graduatorie dell'avviso {notice} definitive");
    Ok(())
}

pub(super) fn compute(g: &Global, notice: i64, format: Format) -> Result<()> {
    let s = open(g, Need::Write)?.compute_rankings(notice, today())?;
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
