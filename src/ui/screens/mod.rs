//! Drawing of each screen's body.

mod admin;
mod assignments;
mod certification;
mod communications;
pub mod detail;
pub mod form;
mod home;
mod occupations;
mod plans;
mod rankings;
mod registry_search;
pub mod search;

use super::Theme;
use crate::app::App;
use crate::app::screens::Screen;
use ratatui::Frame;
use ratatui::layout::Rect;

pub fn draw(app: &App, frame: &mut Frame, theme: &Theme, area: Rect) {
    match app.screen() {
        Screen::Home(h) => home::draw(h, frame, theme, area),
        Screen::Search(s) => search::draw(app, s, frame, theme, area),
        Screen::Detail(d) => detail::draw(d, frame, theme, area),
        Screen::Registry(b) => registry_search::draw(b, &app.keys(), frame, theme, area),
        Screen::Certification(c) => certification::draw(c, &app.keys(), frame, theme, area),
        Screen::PlanList(p) => plans::draw_list(p, frame, theme, area),
        Screen::PlanCard(p) => plans::draw_card(p, frame, theme, area),
        Screen::Communications(c) => communications::draw(c, &app.keys(), frame, theme, area),
        Screen::Rankings(r) => rankings::draw(r, &app.keys(), frame, theme, area),
        Screen::Occupations(o) => occupations::draw(o, &app.keys(), frame, theme, area),
        Screen::Assignments(a) => assignments::draw(a, &app.keys(), frame, theme, area),
        Screen::Registration(r) => admin::draw_registration(r, frame, theme, area),
        Screen::Registrations(r) => admin::draw_registrations(r, frame, theme, area),
        Screen::Districts(d) => admin::draw_districts(d, frame, theme, area),
        Screen::Keys(k) => admin::draw_keys(k, frame, theme, area),
        Screen::Audit(a) => admin::draw_audit(a, frame, theme, area),
    }
}
