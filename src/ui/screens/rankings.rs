//! Graduatorie: the notice list, the rankings of a notice, a ranking, the explanation of a
//! score and the what-if comparison. States, indigence and movements are written out (SI/NO,
//! "sale di 3"), the selection has a marker glyph: nothing rests on colour alone.

use crate::app::keymap::{Action, Keymap};
use crate::app::screens::rankings::{
    ExplainView, NoticeList, NoticeRankings, RankingView, Rankings, WhatIf,
};
use crate::domain::isbar::points;
use crate::rules::ranking::Group;
use crate::store::rankings::Explanation;
use crate::ui::field::{self, Look};
use crate::ui::{ERROR_GLYPH, SELECTED_GLYPH, Theme, WARNING_GLYPH, truncate};
use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

fn it(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// "2026-03-02" → "02/03/2026"; anything else as it is.
fn it_str(s: &str) -> String {
    s.get(..10)
        .and_then(|d| d.parse::<NaiveDate>().ok())
        .map_or_else(|| s.to_string(), it)
}

fn loading(frame: &mut Frame, theme: &Theme, area: Rect) {
    frame.render_widget(
        Paragraph::new(Line::styled("Caricamento…", theme.muted)),
        area,
    );
}

/// A row with the selection marker: reverse video (theme) and a glyph.
fn marked(text: String, selected: bool, theme: &Theme) -> Line<'static> {
    Line::from(vec![
        Span::raw(format!(" {} ", if selected { SELECTED_GLYPH } else { " " })),
        Span::styled(text, if selected { theme.selected } else { theme.body }),
    ])
}

/// Pads or cuts to exactly `w` characters.
fn cell(s: &str, w: usize) -> String {
    format!("{:<w$}", truncate(s, w))
}

fn rcell(s: &str, w: usize) -> String {
    format!("{:>w$}", truncate(s, w))
}

/// The first `n` items around `selected` so that it stays in view.
fn window(len: usize, selected: usize, n: usize) -> std::ops::Range<usize> {
    if len <= n {
        return 0..len;
    }
    let start = selected.saturating_sub(n.saturating_sub(1)).min(len - n);
    start..start + n
}

pub fn draw(r: &Rankings, keys: &Keymap, frame: &mut Frame, theme: &Theme, area: Rect) {
    match r {
        Rankings::Notices(s) => draw_notices(s, frame, theme, area),
        Rankings::Notice(s) => draw_notice(s, frame, theme, area),
        Rankings::Ranking(s) => draw_ranking(s, frame, theme, area),
        Rankings::Explain(s) => draw_explanation(s, frame, theme, area),
        Rankings::WhatIf(s) => draw_what_if(s, keys, frame, theme, area),
    }
}

fn draw_notices(s: &NoticeList, frame: &mut Frame, theme: &Theme, area: Rect) {
    let Some(notices) = &s.notices else {
        return loading(frame, theme, area);
    };
    let width = area.width as usize;
    // The opening date and the rule set need room: below 100 and 80 columns they go (the
    // line under the table says them for the selected notice).
    let with_open = width >= 100;
    let with_rules = width >= 80;
    let fixed =
        3 + 4 + 11 + 11 + 10 + 8 + if with_open { 11 } else { 0 } + if with_rules { 12 } else { 0 };
    let title_w = width.saturating_sub(fixed + 1).max(8);
    let row = |id: &str, amb: &str, tit: &str, ap: &str, ch: &str, st: &str, rg: &str, n: &str| {
        let mut t = format!("{} {} {}", rcell(id, 3), cell(amb, 10), cell(tit, title_w));
        if with_open {
            t.push_str(&format!(" {}", cell(ap, 10)));
        }
        t.push_str(&format!(" {} {}", cell(ch, 10), cell(st, 9)));
        if with_rules {
            t.push_str(&format!(" {}", cell(rg, 11)));
        }
        t.push_str(&format!(" {}", rcell(n, 7)));
        t
    };
    let mut lines = vec![Line::styled(
        format!(
            "   {}",
            row(
                "ID", "Ambito", "Titolo", "Apertura", "Chiusura", "Stato", "Regole", "Domande"
            )
        ),
        theme.header,
    )];
    if notices.is_empty() {
        lines.push(Line::styled(
            "   Nessun avviso da consultare per questo operatore",
            theme.muted,
        ));
    }
    let rows = (area.height as usize).saturating_sub(3).max(1);
    for i in window(notices.len(), s.selected, rows) {
        let (n, state) = &notices[i];
        lines.push(marked(
            row(
                &n.id.to_string(),
                &n.district_code,
                &n.title,
                &it(n.opens_on),
                &it(n.closes_on),
                state,
                &n.rule_set,
                &n.applications.to_string(),
            ),
            i == s.selected,
            theme,
        ));
    }
    if let Some((n, _)) = notices.get(s.selected) {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            truncate(
                &format!(
                    "Avviso {}: {} · dal {} al {} · {} · {} alloggi offerti",
                    n.id,
                    n.title,
                    it(n.opens_on),
                    it(n.closes_on),
                    n.rule_set,
                    n.units
                ),
                width,
            ),
            theme.muted,
        ));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

fn unverified_span(line: &Option<String>, theme: &Theme, width: usize) -> Line<'static> {
    match line {
        Some(u) => Line::styled(
            truncate(&format!("{WARNING_GLYPH} {u}"), width),
            theme.warning,
        ),
        None => Line::styled("Regole con tutti i valori verificati", theme.muted),
    }
}

fn draw_notice(s: &NoticeRankings, frame: &mut Frame, theme: &Theme, area: Rect) {
    let (Some(notice), Some(rankings)) = (&s.notice, &s.rankings) else {
        return loading(frame, theme, area);
    };
    let width = area.width as usize;
    let mut lines = vec![
        Line::from(vec![
            Span::styled(format!("Avviso {} ", notice.id), theme.label),
            Span::raw(truncate(
                &format!(
                    "{} · {} · chiuso il {} · regole {}",
                    notice.title,
                    notice.district_code,
                    it(notice.closes_on),
                    notice.rule_set
                ),
                width.saturating_sub(10),
            )),
        ]),
        unverified_span(&s.unverified, theme, width),
    ];
    let name_w = width
        .saturating_sub(3 + 1 + 22 + 1 + 11 + 1 + 10 + 1)
        .max(10);
    let row = |ente: &str, comune: &str, stato: &str, n: &str| {
        format!(
            "{} {} {} {}",
            cell(ente, name_w),
            cell(comune, 22),
            cell(stato, 11),
            rcell(n, 10)
        )
    };
    lines.push(Line::styled(
        format!("   {}", row("Ente", "Comune", "Stato", "N. domande")),
        theme.header,
    ));
    if rankings.is_empty() {
        lines.push(Line::styled(
            "   Nessuna graduatoria: il capofila la calcola dopo la chiusura dell'avviso",
            theme.muted,
        ));
    }
    let rows = (area.height as usize)
        .saturating_sub(lines.len() + 1)
        .max(1);
    for i in window(rankings.len(), s.selected, rows) {
        let r = &rankings[i];
        lines.push(marked(
            row(&r.owner_name, &r.comune, &r.state, &r.entries.to_string()),
            i == s.selected,
            theme,
        ));
    }
    let total: i64 = rankings.iter().map(|r| r.entries).sum();
    lines.push(Line::styled(
        format!(
            "{} graduatorie · {total} posizioni · {} domande all'avviso",
            rankings.len(),
            notice.applications
        ),
        theme.muted,
    ));
    frame.render_widget(Paragraph::new(lines), area);
}

fn draw_ranking(s: &RankingView, frame: &mut Frame, theme: &Theme, area: Rect) {
    let width = area.width as usize;
    let info = &s.info;
    let mut lines = vec![
        Line::from(vec![
            Span::styled("Graduatoria ", theme.label),
            Span::raw(truncate(
                &format!(
                    "{} · {} · {} · {} domande",
                    info.owner_name, info.comune, info.state, info.entries
                ),
                width.saturating_sub(12),
            )),
        ]),
        unverified_span(&s.unverified, theme, width),
    ];
    // The jump field: an ID domanda, Enter goes to its position.
    let jump = Line::from(vec![
        Span::raw(if s.jump_focus {
            format!(" {SELECTED_GLYPH} ")
        } else {
            "   ".into()
        }),
        Span::styled("Vai a ID domanda: ", theme.label),
    ]);
    let jump_at = (lines.len() as u16, jump.width() as u16);
    lines.push(jump);
    // Columns: the optional ones go below 80 columns.
    let wide = width >= 80;
    let fixed = 3 + 5 + 15 + 7 + 5 + if wide { 8 + 8 + 12 } else { 8 };
    let cat_w = width.saturating_sub(fixed + 1).max(6);
    let row =
        |pos: &str, id: &str, isbar: &str, ind: &str, cat: &str, a1: &str, a2: &str, st: &str| {
            let mut t = format!(
                "{} {} {} {} {} {}",
                rcell(pos, 4),
                cell(id, 14),
                rcell(isbar, 6),
                cell(ind, 4),
                cell(cat, cat_w),
                rcell(a1, 7)
            );
            if wide {
                t.push_str(&format!(" {} {}", rcell(a2, 7), cell(st, 11)));
            }
            t
        };
    lines.push(Line::styled(
        format!(
            "   {}",
            row(
                "Pos.",
                "ID domanda",
                "ISBAR",
                "Ind.",
                "Categorie",
                "All. 1",
                "All. 2",
                "Stato"
            )
        ),
        theme.header,
    ));
    if !s.loaded {
        lines.push(Line::styled("   Caricamento…", theme.muted));
    } else if s.rows.is_empty() {
        lines.push(Line::styled("   Graduatoria vuota", theme.muted));
    }
    for (i, e) in s.rows.iter().enumerate() {
        let unit = |u: Option<i64>| u.map(|u| u.to_string()).unwrap_or_else(|| "—".into());
        lines.push(marked(
            row(
                &e.position.to_string(),
                &e.code,
                &points(e.isbar),
                if e.indigent { "SI" } else { "NO" },
                &e.conditions.replace(',', " "),
                &unit(e.unit1),
                &unit(e.unit2),
                if e.without_preferences {
                    "SENZA PREF."
                } else {
                    "AMMESSA"
                },
            ),
            i == s.selected,
            theme,
        ));
    }
    // The status line sits at the bottom of the body.
    let body = area.height as usize;
    while lines.len() + 1 < body {
        lines.push(Line::raw(""));
    }
    if let (Some(a), Some(b)) = (s.rows.first(), s.rows.last()) {
        lines.push(Line::styled(
            format!(
                "Posizioni {}–{} di {} · Ind. = indigente (SI/NO)",
                a.position, b.position, info.entries
            ),
            theme.muted,
        ));
    }
    frame.render_widget(Paragraph::new(lines), area);
    let (row, x) = jump_at;
    let r = Rect::new(area.x + x, area.y + row, s.jump.max() as u16, 1);
    field::draw(
        frame,
        theme,
        r.intersection(area),
        &s.jump,
        Look::focused(s.jump_focus),
    );
}

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
            "  {} · {}: posizione {p} di {} ({})",
            r.owner_name, r.comune, r.entries, r.state
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

fn draw_explanation(s: &ExplainView, frame: &mut Frame, theme: &Theme, area: Rect) {
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

fn movement_text(before: Option<usize>, after: Option<usize>, delta: i64) -> String {
    let pos = |p: Option<usize>| p.map_or_else(|| "—".to_string(), |p| p.to_string());
    let what = match (before, after) {
        (None, Some(_)) => "entra".to_string(),
        (Some(_), None) => "esce".to_string(),
        _ if delta > 0 => format!("sale di {delta}"),
        _ if delta < 0 => format!("scende di {}", -delta),
        _ => "resta".to_string(),
    };
    format!("{:>6} → {:<6} {what}", pos(before), pos(after))
}

fn draw_what_if(s: &WhatIf, keys: &Keymap, frame: &mut Frame, theme: &Theme, area: Rect) {
    let width = area.width as usize;
    let mut lines = vec![Line::from(vec![
        Span::styled(format!("Avviso {} ", s.notice.id), theme.label),
        Span::raw(truncate(
            &format!(
                "{} · regole dell'avviso {}",
                s.notice.title, s.notice.rule_set
            ),
            width.saturating_sub(10),
        )),
    ])];
    match (&s.result, s.waiting) {
        (_, true) => lines.push(Line::styled("Calcolo della simulazione…", theme.muted)),
        (None, false) => lines.push(Line::styled(
            format!(
                "Nessuna simulazione: {} sceglie l'insieme di regole da confrontare",
                keys.key(Action::ListOfValues)
            ),
            theme.muted,
        )),
        (Some((label, unverified, comparisons)), false) => {
            lines.push(Line::from(vec![
                Span::styled("Confronto con ", theme.label),
                Span::raw(format!("{label} · nessuna modifica salvata")),
            ]));
            if let Some(u) = unverified {
                lines.push(Line::styled(
                    truncate(&format!("{WARNING_GLYPH} {u}"), width),
                    theme.warning,
                ));
            }
            let mut body: Vec<Line<'static>> = Vec::new();
            for c in comparisons {
                body.push(Line::styled(
                    truncate(
                        &format!(
                            "{} · {}: {} domande prima, {} dopo, {} spostamenti",
                            c.owner_name,
                            c.comune,
                            c.before,
                            c.after,
                            c.movements.len()
                        ),
                        width,
                    ),
                    theme.header,
                ));
                if c.movements.is_empty() {
                    body.push(Line::styled("  nessuno spostamento", theme.muted));
                }
                for m in &c.movements {
                    body.push(Line::raw(format!(
                        "  {:<14} {}",
                        m.code,
                        movement_text(m.before, m.after, m.delta)
                    )));
                }
            }
            if comparisons.is_empty() {
                body.push(Line::styled(
                    "Nessuna graduatoria da confrontare",
                    theme.muted,
                ));
            }
            lines.extend(body.into_iter().skip(s.scroll as usize));
        }
    }
    frame.render_widget(Paragraph::new(lines), area);
    if s.list_open
        && let Some(sets) = &s.sets
    {
        list_of_rule_sets(s, sets, keys, frame, theme, area);
    }
}

/// The F4 list of the stored rule sets, over the body.
fn list_of_rule_sets(
    s: &WhatIf,
    sets: &[crate::store::rule_sets::Stored],
    keys: &Keymap,
    frame: &mut Frame,
    theme: &Theme,
    area: Rect,
) {
    let width = area.width.min(64);
    let height = (sets.len() as u16 + 2).min(area.height);
    let popup = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + 1.min(area.height.saturating_sub(height)),
        width,
        height,
    };
    let inner = (width as usize).saturating_sub(5);
    let lines: Vec<Line> = window(sets.len(), s.list_selected, height as usize - 2)
        .map(|i| {
            let r = &sets[i];
            marked(
                cell(
                    &format!(
                        "{:<14} dal {}  {}",
                        r.label(),
                        it_str(&r.effective_from),
                        r.name
                    ),
                    inner,
                ),
                i == s.list_selected,
                theme,
            )
        })
        .collect();
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(format!(
                    " Insiemi di regole ({}) ",
                    keys.key(Action::ListOfValues)
                ))
                .border_style(theme.border),
        ),
        popup,
    );
}
