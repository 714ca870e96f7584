//! Avvisi e graduatorie: the notices the operator may read.

use super::{cell, it, loading, marked, rcell, window};
use crate::app::screens::rankings::NoticeList;
use crate::ui::{Theme, truncate};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

pub(super) fn draw(s: &NoticeList, frame: &mut Frame, theme: &Theme, area: Rect) {
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
                &crate::domain::format::int(n.applications),
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
    if let Some(f) = &s.form {
        crate::ui::screens::form::draw_at_bottom(f, frame, theme, area);
    }
}
