//! The administration screens: the SCHEDA UTENTE, registration requests, districts, SSH keys
//! and the audit trail. Lists mark the selected row with ▶ (not only reverse video); states are
//! written out.

use crate::app::screens::audit::Audit;
use crate::app::screens::districts::Districts;
use crate::app::screens::keys::Keys;
use crate::app::screens::registration::{Applying, Registration};
use crate::app::screens::registrations::Registrations;
use crate::ui::{SELECTED_GLYPH, Theme, form, truncate};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

fn loading(frame: &mut Frame, theme: &Theme, area: Rect) {
    frame.render_widget(
        Paragraph::new(Line::styled("Caricamento…", theme.muted)),
        area,
    );
}

/// Rows with a header, the selected one marked and kept in view.
fn table(
    frame: &mut Frame,
    theme: &Theme,
    area: Rect,
    header: String,
    rows: Vec<String>,
    selected: usize,
    empty: &str,
) {
    let w = area.width as usize;
    let mut lines = vec![Line::styled(
        truncate(&format!("  {header}"), w),
        theme.header,
    )];
    if rows.is_empty() {
        lines.push(Line::styled(format!("  {empty}"), theme.muted));
    }
    let visible = (area.height as usize).saturating_sub(1).max(1);
    let first = (selected + 1).saturating_sub(visible);
    for (i, r) in rows.iter().enumerate().skip(first).take(visible) {
        let sel = i == selected;
        let text = format!("{} {r}", if sel { SELECTED_GLYPH } else { " " });
        lines.push(Line::styled(
            truncate(&text, w),
            if sel { theme.selected } else { theme.body },
        ));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

/// Label: value lines, scrolled.
fn card(
    frame: &mut Frame,
    theme: &Theme,
    area: Rect,
    title: String,
    lines: Vec<(String, String)>,
    scroll: usize,
) {
    let w = area.width as usize;
    let mut out = vec![Line::styled(truncate(&title, w), theme.header)];
    for (k, v) in lines {
        if k.is_empty() {
            out.push(Line::raw(truncate(&v, w)));
        } else {
            out.push(Line::from(vec![
                ratatui::text::Span::styled(format!("{k:<24}"), theme.label),
                ratatui::text::Span::raw(truncate(&v, w.saturating_sub(24))),
            ]));
        }
    }
    let max = out.len().saturating_sub(area.height as usize);
    frame.render_widget(
        Paragraph::new(out).scroll((scroll.min(max) as u16, 0)),
        area,
    );
}

pub fn draw_registration(r: &Registration, frame: &mut Frame, theme: &Theme, area: Rect) {
    if let Some(done) = &r.done {
        let lines = vec![
            Line::styled(r.form.title.clone(), theme.header),
            Line::raw(""),
            Line::raw(done.clone()),
        ];
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), area);
        return;
    }
    let intro = match &r.applying {
        Applying::NewOperator { fingerprint } => vec![
            format!("Chiave SSH allegata: {fingerprint}"),
            "Nulla è abilitato finché la Regione non valida la richiesta.".into(),
        ],
        Applying::Extension => vec![
            "L'ente e i servizi si aggiungono a quelli già abilitati, dopo la validazione.".into(),
        ],
    };
    form::draw(&r.form, &intro, frame, theme, area);
}

pub fn draw_registrations(r: &Registrations, frame: &mut Frame, theme: &Theme, area: Rect) {
    if let Some(f) = &r.reason {
        let who = r
            .current()
            .map(|x| format!("Richiesta {} di {}", x.id, x.username))
            .unwrap_or_default();
        form::draw(f, &[who], frame, theme, area);
        return;
    }
    let Some(rows) = &r.rows else {
        return loading(frame, theme, area);
    };
    if r.open
        && let Some(x) = r.current()
    {
        let mut lines = vec![
            ("Stato".into(), x.status().label().to_string()),
            ("Tipo".into(), x.kind().label().to_string()),
            ("Cognome".into(), x.surname.clone()),
            ("Nome".into(), x.name.clone()),
            ("Nome utente".into(), x.username.clone()),
            ("Codice fiscale".into(), x.tax_code.clone()),
            ("E-mail".into(), x.email.clone()),
            (
                "Ente".into(),
                format!("{} ({})", x.owner_name, x.owner_tax_code),
            ),
            ("Servizi".into(), x.services.join(", ")),
            (
                "Chiave SSH".into(),
                x.fingerprint.clone().unwrap_or_else(|| "—".into()),
            ),
            ("Inviata il".into(), x.filed_at.clone()),
            (
                "Inviata da".into(),
                if x.filed_by.is_empty() {
                    "il richiedente (chiave non registrata)".into()
                } else {
                    x.filed_by.clone()
                },
            ),
            ("Provenienza".into(), x.origin.clone()),
        ];
        if let Some(at) = &x.decided_at {
            lines.push((
                "Esaminata".into(),
                format!("{at} da {}", x.decided_by.as_deref().unwrap_or("?")),
            ));
        }
        if let Some(reason) = &x.reason {
            lines.push(("Motivo del rifiuto".into(), reason.clone()));
        }
        return card(
            frame,
            theme,
            area,
            format!("SCHEDA UTENTE — richiesta {}", x.id),
            lines,
            0,
        );
    }
    let header = format!(
        "{:>5} {:<10} {:<18} {:<24} {}",
        "N.", "Stato", "Utente", "Ente", "Servizi"
    );
    let lines = rows
        .iter()
        .map(|x| {
            format!(
                "{:>5} {:<10} {:<18} {:<24} {}",
                x.id,
                truncate(x.status().label(), 10),
                truncate(&x.username, 18),
                truncate(&x.owner_name, 24),
                x.services.join(",")
            )
        })
        .collect();
    let empty = if r.all {
        "Nessuna richiesta"
    } else {
        "Nessuna richiesta in attesa di validazione"
    };
    table(frame, theme, area, header, lines, r.selected, empty);
}

pub fn draw_districts(d: &Districts, frame: &mut Frame, theme: &Theme, area: Rect) {
    if let Some(f) = &d.form {
        form::draw(f, &[], frame, theme, area);
        return;
    }
    if let Some(c) = &d.card {
        let mut lines = vec![
            ("Nome".into(), c.district.name.clone()),
            (
                "Comune capofila".into(),
                c.district
                    .lead_name
                    .clone()
                    .map(|n| {
                        format!(
                            "{n} ({})",
                            c.district.lead_istat.clone().unwrap_or_default()
                        )
                    })
                    .unwrap_or_else(|| "non indicato".into()),
            ),
            ("Comuni".into(), c.members.len().to_string()),
            (
                "Modificato dalla Regione".into(),
                c.configured_at
                    .clone()
                    .unwrap_or_else(|| "no (dati di riferimento)".into()),
            ),
            (String::new(), String::new()),
            (String::new(), "ATTI DI NOMINA DEL CAPOFILA".into()),
        ];
        if c.leads.is_empty() {
            lines.push((String::new(), "  nessun atto registrato".into()));
        }
        for l in &c.leads {
            lines.push((
                String::new(),
                format!(
                    "  {} {} — {} (registrato da {})",
                    l.act_date, l.comune, l.act_reference, l.recorded_by
                ),
            ));
        }
        lines.push((String::new(), String::new()));
        lines.push((String::new(), "COMUNI DELL'AMBITO".into()));
        for m in &c.members {
            lines.push((
                String::new(),
                format!("  {} {} ({})", m.istat_code, m.name, m.province),
            ));
        }
        return card(
            frame,
            theme,
            area,
            format!("AMBITO {} · versione {}", c.district.code, c.version),
            lines,
            d.scroll,
        );
    }
    let Some(rows) = &d.rows else {
        return loading(frame, theme, area);
    };
    let header = format!(
        "{:<16} {:<28} {:<20} {:>6}",
        "Codice", "Ambito", "Capofila", "Comuni"
    );
    let lines = rows
        .iter()
        .map(|x| {
            format!(
                "{:<16} {:<28} {:<20} {:>6}",
                truncate(&x.code, 16),
                truncate(&x.name, 28),
                truncate(x.lead_name.as_deref().unwrap_or("—"), 20),
                x.municipalities
            )
        })
        .collect();
    table(
        frame,
        theme,
        area,
        header,
        lines,
        d.selected,
        "Nessun ambito",
    );
}

pub fn draw_keys(k: &Keys, frame: &mut Frame, theme: &Theme, area: Rect) {
    if let Some(f) = &k.form {
        form::draw(
            f,
            &["Incollare la riga del file .pub (ad es. ~/.ssh/id_ed25519.pub)".into()],
            frame,
            theme,
            area,
        );
        return;
    }
    let Some(rows) = &k.rows else {
        return loading(frame, theme, area);
    };
    let header = format!(
        "{:<14} {:<51} {:<9} {}",
        "Operatore", "Impronta", "Stato", "Commento"
    );
    let lines = rows
        .iter()
        .map(|x| {
            format!(
                "{:<14} {:<51} {:<9} {}",
                truncate(&x.username, 14),
                x.fingerprint,
                truncate(&x.status, 9),
                x.comment
            )
        })
        .collect();
    table(
        frame,
        theme,
        area,
        header,
        lines,
        k.selected,
        "Nessuna chiave registrata",
    );
}

pub fn draw_audit(a: &Audit, frame: &mut Frame, theme: &Theme, area: Rect) {
    if a.editing {
        form::draw(&a.filters, &[], frame, theme, area);
        return;
    }
    if a.open.is_some()
        && let Some(r) = a.current()
    {
        let pretty = |v: &Option<String>| -> Vec<(String, String)> {
            let text = v
                .as_deref()
                .map(|t| {
                    serde_json::from_str::<serde_json::Value>(t)
                        .and_then(|j| serde_json::to_string_pretty(&j))
                        .unwrap_or_else(|_| t.to_string())
                })
                .unwrap_or_else(|| "—".into());
            text.lines()
                .map(|l| (String::new(), format!("  {l}")))
                .collect()
        };
        let mut lines = vec![
            ("Data".into(), r.at.clone()),
            ("Operatore".into(), r.operator.clone()),
            ("Provenienza".into(), r.origin.clone()),
            ("Azione".into(), r.action.clone()),
            (
                "Oggetto".into(),
                format!("{} {}", r.entity, r.entity_id.as_deref().unwrap_or("")),
            ),
            (String::new(), "PRIMA".into()),
        ];
        lines.extend(pretty(&r.before));
        lines.push((String::new(), "DOPO".into()));
        lines.extend(pretty(&r.after));
        return card(
            frame,
            theme,
            area,
            format!("RECORD {}", r.id),
            lines,
            a.scroll,
        );
    }
    let Some(rows) = &a.rows else {
        return loading(frame, theme, area);
    };
    let q = &a.query;
    let filters: Vec<String> = [
        ("operatore", &q.operator),
        ("azione", &q.action),
        ("oggetto", &q.entity),
        ("dal", &q.from),
        ("al", &q.to),
    ]
    .iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(k, v)| format!("{k} {v}"))
    .collect();
    let top = Rect { height: 1, ..area };
    frame.render_widget(
        Paragraph::new(Line::styled(
            truncate(
                &format!(
                    "Filtri: {}",
                    if filters.is_empty() {
                        "nessuno".to_string()
                    } else {
                        filters.join(" · ")
                    }
                ),
                area.width as usize,
            ),
            theme.muted,
        )),
        top,
    );
    let rest = Rect {
        y: area.y + 1,
        height: area.height.saturating_sub(1),
        ..area
    };
    let header = format!(
        "{:>6} {:<20} {:<16} {:<22} {}",
        "N.", "Data", "Operatore", "Azione", "Oggetto"
    );
    let lines = rows
        .iter()
        .map(|r| {
            format!(
                "{:>6} {:<20} {:<16} {:<22} {} {}",
                r.id,
                truncate(&r.at, 20),
                truncate(&r.operator, 16),
                truncate(&r.action, 22),
                r.entity,
                r.entity_id.as_deref().unwrap_or("")
            )
        })
        .collect();
    table(
        frame,
        theme,
        rest,
        header,
        lines,
        a.selected,
        "Nessuna operazione registrata",
    );
}
