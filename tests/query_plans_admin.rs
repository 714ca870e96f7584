//! The statements of the administration (issue #11) — the audit trail with each filter and
//! its next page, registration requests and their decisions, a district's card and changes,
//! SSH keys and the lookup of a key's operator that every SSH session starts with — are
//! captured as they run through the service, then explained: none may scan a table without an
//! index (the verification of the whole chain reads it all by design and is left out). Run on
//! a demo database with statistics and an audit trail of a few thousand records.

use casa::domain::registration::{Form, Status};
use casa::service::audit::filter_of;
use casa::service::{Claim, Need, Origin, Service};
mod support;

use rusqlite::Connection;
use std::sync::{Arc, Mutex};
use support::query_plans::scanning_statements;

const KEY: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEMHh3bU5dVkCUaFHeFWIlx7gF0vuLvlKjlRlJI6ALce matrix-c";
const KEY2: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINGSr4Pua7RJZdurLhAMnj/ZhGff+cXlDJCLcpnj6+1T matrix-b";

#[test]
fn every_administration_statement_reads_an_index() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("admin.sqlite");
    casa::demo::create(
        &path,
        &casa::demo::Options {
            units: 3000,
            seed: 5,
        },
        &mut |_| {},
    )
    .unwrap();
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let session = |operator: &str, origin: Origin| {
        let claim = Claim {
            operator: operator.into(),
            origin,
            read_only: false,
        };
        let mut s = Service::open(&path, &claim, Need::Write).unwrap();
        let sink = seen.clone();
        s.trace_sql(Some(Box::new(move |q| sink.lock().unwrap().push(q))))
            .unwrap();
        s
    };
    let local = || Origin::Local {
        login: "test".into(),
    };
    let mut regione = session("regione", local());
    // An audit trail of a few thousand records, written by renames.
    for i in 0..1500 {
        regione
            .rename_district("BG-SERIATE", &format!("Ambito di Seriate {i}"), None)
            .unwrap();
    }
    Connection::open(&path)
        .unwrap()
        .execute_batch("ANALYZE")
        .unwrap();
    seen.lock().unwrap().clear();

    let key = regione.add_key("comune.016198", KEY).unwrap();
    // A session by key: the key's operator looked up.
    let by_key = session(
        "",
        Origin::SshKey {
            fingerprint: key.fingerprint.clone(),
            client: "192.0.2.1:4000".into(),
        },
    );
    assert_eq!(by_key.session().username(), "comune.016198");
    let mut comune = by_key;
    let filed = comune
        .file_registration(
            &Form {
                surname: "Verdi".into(),
                name: "Luca".into(),
                username: "luca.verdi".into(),
                tax_code: "RSSMRA80A01H501U".into(),
                email: "luca@example.it".into(),
                owner: "016198".into(),
                services: vec!["anagrafe".into()],
            },
            Some(casa::service::keys::read_key(KEY2).unwrap()),
        )
        .unwrap();
    comune.registrations(None, None).unwrap();
    regione.registrations(Some(Status::Pending), None).unwrap();
    regione.registrations(None, Some(filed.id + 1)).unwrap();
    regione.registration(filed.id).unwrap();
    regione.validate_registration(filed.id, None).unwrap();
    regione.keys(None).unwrap();
    regione.keys(Some("comune.016198")).unwrap();
    regione.remove_key(&key.fingerprint).unwrap();
    regione.district_card("BG-SERIATE").unwrap();
    regione.district_list().unwrap();
    let card = regione.district_card("BG-SERIATE").unwrap();
    let member = card
        .members
        .iter()
        .find(|m| Some(&m.istat_code) != card.district.lead_istat.as_ref())
        .unwrap()
        .istat_code
        .clone();
    regione
        .change_district_members("BG-SERIATE", &[], std::slice::from_ref(&member), None)
        .unwrap();
    regione
        .create_district("XX-NUOVO", "Ambito nuovo", std::slice::from_ref(&member))
        .unwrap();
    regione
        .set_capofila(
            "XX-NUOVO",
            &member,
            chrono::Local::now().date_naive(),
            "Verbale n. 1",
            None,
        )
        .unwrap();
    // The audit trail with each filter, and a next page.
    for f in [
        filter_of("", "", "", "", "").unwrap(),
        filter_of("regione", "", "", "", "").unwrap(),
        filter_of("", "ambito", "", "", "").unwrap(),
        filter_of("", "ambito.rinomina", "", "", "").unwrap(),
        filter_of("", "", "district", "", "").unwrap(),
        filter_of("", "", "", "01/01/2020", "31/12/2099").unwrap(),
        filter_of("regione", "ambito", "district", "01/01/2020", "").unwrap(),
    ] {
        let page = regione.audit_records(&f, None, 200).unwrap();
        if let Some(last) = page.last() {
            regione.audit_records(&f, Some(last.id), 200).unwrap();
        }
    }
    regione.audit_record(1).unwrap();
    drop((regione, comune));

    let captured: Vec<String> = seen
        .lock()
        .unwrap()
        .iter()
        // The whole chain read on purpose (verification, sealing).
        .filter(|s| !s.contains("FROM audit ORDER BY id"))
        .cloned()
        .collect();
    let db = Connection::open(&path).unwrap();
    // Small tables: the keys (one or two per operator), the districts (about a hundred, found
    // by code or name as typed).
    let failures = scanning_statements(&db, &captured, &["operator_key", "d"], 20);
    assert!(
        failures.is_empty(),
        "{} statements scan a table:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
