//! The unit detail: label/value lines in sections, scrollable.

use crate::app::screens::Detail;
use crate::store::search::{Body, UnitDetail};
use crate::ui::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

fn yes_no(b: bool) -> &'static str {
    if b { "SI" } else { "NO" }
}

fn opt(s: &Option<String>) -> String {
    s.clone().unwrap_or_else(|| "—".into())
}

fn euro(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    format!(
        "€ {sign}{},{:02}",
        crate::safe_text::thousands(c / 100),
        c % 100
    )
}

fn body_text(b: &Body) -> String {
    format!("{} ({}, CF {})", b.name, b.kind.label(), b.tax_code)
}

pub fn lines(d: &UnitDetail, theme: &Theme) -> Vec<Line<'static>> {
    let mut out: Vec<Line<'static>> = Vec::new();
    let section = |out: &mut Vec<Line<'static>>, title: &str| {
        if !out.is_empty() {
            out.push(Line::raw(""));
        }
        out.push(Line::styled(title.to_string(), theme.header));
    };
    let field = |out: &mut Vec<Line<'static>>, label: &str, value: String| {
        out.push(Line::from(vec![
            Span::styled(format!("{label:<37}"), theme.label),
            Span::raw(value),
        ]));
    };
    section(&mut out, "ALLOGGIO");
    field(&mut out, "ID alloggio", d.id.to_string());
    field(&mut out, "Codice identificativo U.I.", d.code.clone());
    field(&mut out, "Stato", d.state.label().to_string());
    field(
        &mut out,
        "Destinazione d'uso",
        d.service.label().to_string(),
    );
    field(
        &mut out,
        "Servizi abitativi transitori (SAT)",
        yes_no(d.sat).into(),
    );
    field(&mut out, "In avviso", yes_no(d.in_notice).into());
    field(
        &mut out,
        "Marcato per il piano",
        d.plan_year
            .map(|y| y.to_string())
            .unwrap_or_else(|| "—".into()),
    );
    field(
        &mut out,
        "Superficie utile",
        d.floor_area
            .map(|a| format!("{} m²", crate::domain::format::decimal(a, 2)))
            .unwrap_or_else(|| "—".into()),
    );
    field(
        &mut out,
        "Vani",
        d.rooms.map(|r| r.to_string()).unwrap_or_else(|| "—".into()),
    );
    field(
        &mut out,
        "Scala / piano",
        format!("{} / {}", opt(&d.staircase), opt(&d.floor)),
    );
    field(&mut out, "Ascensore", yes_no(d.has_lift).into());
    field(
        &mut out,
        "Privo di barriere architettoniche",
        yes_no(d.barrier_free).into(),
    );
    if d.works.is_some() || d.works_cost_cents.is_some() {
        field(&mut out, "Interventi necessari", opt(&d.works));
        field(
            &mut out,
            "Costo stimato interventi",
            d.works_cost_cents.map(euro).unwrap_or_else(|| "—".into()),
        );
    }
    field(
        &mut out,
        "Catasto (foglio/particella/sub/cat.)",
        format!(
            "{} / {} / {} / {}",
            opt(&d.cadastral_sheet),
            opt(&d.cadastral_parcel),
            opt(&d.cadastral_sub),
            opt(&d.cadastral_category)
        ),
    );
    section(&mut out, "UBICAZIONE");
    field(&mut out, "Indirizzo", d.full_address());
    field(
        &mut out,
        "Quartiere/Zona/Località/Frazione",
        opt(&d.locality),
    );
    field(&mut out, "CAP", opt(&d.cap));
    field(
        &mut out,
        "Comune",
        format!("{} (ISTAT {}, {})", d.comune, d.istat, d.cadastral_code),
    );
    field(
        &mut out,
        "Provincia",
        format!("{} ({})", d.province_name, d.province),
    );
    section(&mut out, "FABBRICATO");
    field(&mut out, "Codice fabbricato", d.building.code.clone());
    field(
        &mut out,
        "Anno di costruzione",
        d.building
            .year_built
            .map(|y| y.to_string())
            .unwrap_or_else(|| "—".into()),
    );
    field(
        &mut out,
        "Piani / ascensore",
        format!(
            "{} / {}",
            d.building
                .floors
                .map(|f| f.to_string())
                .unwrap_or_else(|| "—".into()),
            yes_no(d.building.has_lift)
        ),
    );
    section(&mut out, "ENTI");
    field(&mut out, "Ente proprietario", body_text(&d.owner));
    field(
        &mut out,
        "Ente gestore",
        d.manager
            .as_ref()
            .map(body_text)
            .unwrap_or_else(|| "—".into()),
    );
    section(
        &mut out,
        if d.personal_data_masked {
            "NUCLEI E INQUILINI (dati personali oscurati)"
        } else {
            "NUCLEI E INQUILINI"
        },
    );
    if d.households.is_empty() {
        out.push(Line::styled("Nessun nucleo", theme.muted));
    }
    for h in &d.households {
        field(
            &mut out,
            &format!("Nucleo {}", h.id),
            format!(
                "{} · contratto {} · ISEE {}",
                crate::domain::format::count(h.members, "componente", "componenti"),
                opt(&h.contract_date),
                h.isee_cents.map(euro).unwrap_or_else(|| "—".into())
            ),
        );
        for t in &h.tenants {
            out.push(Line::raw(format!(
                "  {} {} {:<16} {} {} {}{}",
                t.surname,
                t.name,
                t.tax_code,
                opt(&t.birth_date),
                opt(&t.relationship),
                opt(&t.sex),
                if t.is_holder { " · intestatario" } else { "" }
            )));
        }
    }
    section(&mut out, "AGGIORNAMENTO");
    field(
        &mut out,
        "Versione / ultima modifica",
        format!("{} / {}", d.version, d.updated_at),
    );
    out
}

pub fn draw(d: &Detail, frame: &mut Frame, theme: &Theme, area: Rect) {
    match (&d.detail, &d.error) {
        (Some(detail), _) => {
            let lines = lines(detail, theme);
            let max = (lines.len() as u16).saturating_sub(area.height);
            frame.render_widget(Paragraph::new(lines).scroll((d.scroll.min(max), 0)), area);
        }
        (None, Some(e)) => frame.render_widget(Paragraph::new(e.clone()).style(theme.error), area),
        (None, None) => {
            frame.render_widget(Paragraph::new("Caricamento…").style(theme.muted), area)
        }
    }
    if let Some(f) = &d.form {
        super::form::draw_at_bottom(f, frame, theme, area);
    }
}
