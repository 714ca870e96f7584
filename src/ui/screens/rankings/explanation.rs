//! Spiegazione del punteggio: how an application's score, positions and order came about.

use super::loading;
use crate::app::screens::rankings::ExplainView;
use crate::domain::isbar::points;
use crate::rules::ranking::Group;
use crate::store::rankings::Explanation;
use crate::ui::{ERROR_GLYPH, Theme, WARNING_GLYPH};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

fn section(title: &str, theme: &Theme) -> Line<'static> {
    Line::styled(title.to_string(), theme.header)
}

/// The explanation as lines (also used by tests through the screen).
fn explanation_lines(e: &Explanation, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = vec![
        section(
            &format!("SPIEGAZIONE DEL PUNTEGGIO · domanda {}", e.code),
            theme,
        ),
        Line::from(vec![
            Span::styled("Avviso ", theme.label),
            Span::raw(format!("{}   ", e.notice_id)),
            Span::styled("Regole ", theme.label),
            Span::raw(format!("{}   ", e.rule_set)),
            Span::styled("Indigente ", theme.label),
            Span::raw(if e.indigent { "SI" } else { "NO" }),
        ]),
    ];
    if let Some(u) = &e.unverified {
        out.push(Line::styled(format!("{WARNING_GLYPH} {u}"), theme.warning));
    }
    out.push(Line::raw(""));
    out.push(section("POSIZIONI IN GRADUATORIA", theme));
    if e.positions.is_empty() {
        out.push(Line::styled("  in nessuna graduatoria", theme.muted));
    }
    for (r, p) in &e.positions {
        out.push(Line::raw(format!(
            "  {} · {}: posizione {} di {} ({})",
            r.owner_name,
            r.comune,
            crate::domain::format::int(*p),
            crate::domain::format::int(r.entries),
            r.state
        )));
    }
    if !e.admitted {
        out.push(Line::raw(""));
        out.push(section(
            "ESCLUSA: requisiti di accesso non soddisfatti",
            theme,
        ));
        for f in &e.failures {
            out.push(Line::styled(
                format!("{ERROR_GLYPH} {}: {}", f.requirement, f.reason),
                theme.error,
            ));
        }
    } else if !e.failures.is_empty() {
        out.push(Line::raw(""));
        out.push(section("NON IN GRADUATORIA", theme));
        for f in &e.failures {
            out.push(Line::styled(
                format!("{WARNING_GLYPH} {}: {}", f.requirement, f.reason),
                theme.warning,
            ));
        }
    }
    if let Some(score) = &e.score {
        let groups: [(&str, &[Group]); 3] = [
            (
                "CONDIZIONI FAMILIARI E ABITATIVE",
                &[Group::Familiari, Group::Abitative],
            ),
            ("CONDIZIONE ECONOMICA", &[Group::Economica]),
            (
                "RESIDENZA",
                &[Group::ResidenzaRegione, Group::ResidenzaComune],
            ),
        ];
        for (title, gs) in groups {
            out.push(Line::raw(""));
            out.push(section(title, theme));
            let mut any = false;
            for l in score.lines.iter().filter(|l| gs.contains(&l.group)) {
                any = true;
                let mark = if l.verified { " " } else { WARNING_GLYPH };
                out.push(Line::from(vec![
                    Span::raw(format!("{mark} ")),
                    Span::styled(format!("{:<44}", l.label), theme.body),
                    Span::raw(format!("{:>7} punti", points(l.points))),
                ]));
                let mut facts = vec![l.legal_ref.clone()];
                if !l.detail.is_empty() {
                    facts.push(l.detail.clone());
                }
                if !l.verified {
                    facts.push("valore non verificato".into());
                }
                out.push(Line::styled(
                    format!("    {}", facts.join(" · ")),
                    theme.muted,
                ));
            }
            if !any {
                out.push(Line::styled("  nessuna condizione dichiarata", theme.muted));
            }
        }
        out.push(Line::raw(""));
        let sub: Vec<String> = Group::ALL
            .iter()
            .map(|g| format!("{} {}", g.label().to_lowercase(), points(score.group(*g))))
            .collect();
        out.push(Line::from(vec![
            Span::styled("TOTALE ISBAR ", theme.header),
            Span::raw(format!("{} punti", points(score.total))),
        ]));
        out.push(Line::styled(format!("  {}", sub.join(" · ")), theme.muted));
        if e.by_comune.len() > 1 {
            // Art. 12 c.2: the comune points differ in each comune of its rankings.
            out.push(Line::styled(
                "  nelle graduatorie di ogni comune (residenza nel comune dell'alloggio, art. 12 c.2):",
                theme.muted,
            ));
            for c in &e.by_comune {
                out.push(Line::raw(format!(
                    "  {}: {} anni, residenza nel Comune {}, ISBAR {}",
                    c.comune,
                    c.years,
                    points(c.residenza_comune),
                    points(c.isbar)
                )));
            }
        }
    }
    if !e.tie_keys.is_empty() {
        out.push(Line::raw(""));
        out.push(section(
            "ORDINE A PARITÀ DI PUNTEGGIO (chiavi in ordine)",
            theme,
        ));
        for (i, (k, v)) in e.tie_keys.iter().enumerate() {
            out.push(Line::raw(format!("  {}. {k}: {v}", i + 1)));
        }
    }
    out.push(Line::raw(""));
    out.push(section("ALLOGGI SCELTI", theme));
    if e.kept_preferences.is_empty() {
        out.push(Line::styled(
            "  nessuna preferenza valida: in graduatoria senza preferenze",
            theme.muted,
        ));
    } else {
        let kept: Vec<String> = e.kept_preferences.iter().map(i64::to_string).collect();
        out.push(Line::raw(format!("  validi: {}", kept.join(", "))));
    }
    for d in &e.dropped_preferences {
        out.push(Line::styled(
            format!(
                "{WARNING_GLYPH} alloggio {} scartato: {}",
                d.unit_id, d.reason
            ),
            theme.warning,
        ));
    }
    out
}

pub(super) fn draw(s: &ExplainView, frame: &mut Frame, theme: &Theme, area: Rect) {
    let Some(e) = &s.explanation else {
        return loading(frame, theme, area);
    };
    frame.render_widget(
        Paragraph::new(explanation_lines(e, theme))
            .wrap(Wrap { trim: false })
            .scroll((s.scroll, 0)),
        area,
    );
}
