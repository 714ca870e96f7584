//! Districts for the demo: the real ones stay; every comune whose district is unknown joins a
//! clearly named synthetic district of its province, and every district gets a capofila.

use crate::store::bulk::{ComuneRef, DistrictRef, NewDistrict};
use std::collections::{BTreeMap, BTreeSet};

pub const SYNTHETIC_SOURCE: &str = "generato da casa demo: non è un ambito reale";
pub const LEAD_NOTE: &str =
    "capofila scelto per i dati dimostrativi: il comune più popoloso dell'ambito";

/// Smallest and largest synthetic district; the target size lies in between.
const MIN_SIZE: usize = 12;
const MAX_SIZE: usize = 25;
const TARGET_SIZE: usize = 18;

/// What to write: capofila for real districts whose source names none, and synthetic districts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// (district id, capofila ISTAT code, note).
    pub leads: Vec<(i64, String, String)>,
    pub synthetic: Vec<NewDistrict>,
}

/// Splits `n` comuni into groups of 12–25 (one smaller group when a province has fewer), as
/// near the target size as those bounds allow, sizes differing by at most one.
pub fn group_sizes(n: usize) -> Vec<usize> {
    if n == 0 {
        return Vec::new();
    }
    let fewest = n.div_ceil(MAX_SIZE);
    let most = (n / MIN_SIZE).max(1);
    let groups = ((n + TARGET_SIZE / 2) / TARGET_SIZE).clamp(fewest, most.max(fewest));
    (0..groups)
        .map(|i| n / groups + usize::from(i < n % groups))
        .collect()
}

/// The most populous of `members` (the earlier ISTAT code on a tie).
fn most_populous<'a>(members: &[String], comuni: &'a BTreeMap<&str, &ComuneRef>) -> &'a str {
    members
        .iter()
        .filter_map(|m| comuni.get(m.as_str()))
        .max_by(|a, b| a.population.cmp(&b.population).then(b.istat.cmp(&a.istat)))
        .map(|c| c.istat.as_str())
        .expect("a district has members")
}

pub fn plan(comuni: &[ComuneRef], districts: &[DistrictRef]) -> Plan {
    let by_istat: BTreeMap<&str, &ComuneRef> =
        comuni.iter().map(|c| (c.istat.as_str(), c)).collect();

    let leads = districts
        .iter()
        .filter(|d| d.lead_istat.is_none() && !d.members.is_empty())
        .map(|d| {
            let note = match &d.lead_note {
                Some(source) if !source.is_empty() => format!("{LEAD_NOTE} (fonte: {source})"),
                _ => LEAD_NOTE.to_string(),
            };
            (d.id, most_populous(&d.members, &by_istat).to_string(), note)
        })
        .collect();

    let known: BTreeSet<&str> = districts
        .iter()
        .flat_map(|d| d.members.iter().map(String::as_str))
        .collect();
    // Unassigned comuni per province, in ISTAT order (comuni are already sorted by it).
    let mut per_province: BTreeMap<&str, Vec<&ComuneRef>> = BTreeMap::new();
    for c in comuni.iter().filter(|c| !known.contains(c.istat.as_str())) {
        per_province.entry(c.province.as_str()).or_default().push(c);
    }

    let mut synthetic = Vec::new();
    for (sigla, members) in &per_province {
        let mut rest = members.as_slice();
        for (i, size) in group_sizes(members.len()).into_iter().enumerate() {
            let (group, tail) = rest.split_at(size);
            rest = tail;
            let members: Vec<String> = group.iter().map(|c| c.istat.clone()).collect();
            synthetic.push(NewDistrict {
                code: format!("DEMO-{sigla}-{}", i + 1),
                name: format!("Ambito dimostrativo {} {}", group[0].province_name, i + 1),
                lead_istat: most_populous(&members, &by_istat).to_string(),
                lead_note: LEAD_NOTE.to_string(),
                source: SYNTHETIC_SOURCE.to_string(),
                members,
            });
        }
    }
    Plan { leads, synthetic }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_sizes_stay_in_bounds_and_sum() {
        for n in 0..400 {
            let sizes = group_sizes(n);
            assert_eq!(sizes.iter().sum::<usize>(), n, "n={n}");
            if n >= MIN_SIZE {
                assert!(
                    sizes.iter().all(|s| (MIN_SIZE..=MAX_SIZE).contains(s)),
                    "n={n}: {sizes:?}"
                );
            } else if n > 0 {
                assert_eq!(sizes, vec![n]);
            }
        }
        assert_eq!(group_sizes(36), vec![18, 18]);
    }

    fn comune(istat: &str, province: &str, population: i64) -> ComuneRef {
        ComuneRef {
            istat: istat.into(),
            name: format!("Comune {istat}"),
            province: province.into(),
            province_name: format!("Provincia {province}"),
            cadastral: "A000".into(),
            population,
            is_capital: false,
            owner_id: 1,
            sort_rank: 0,
        }
    }

    #[test]
    fn plans_contiguous_synthetic_districts_and_missing_leads() {
        let mut comuni: Vec<ComuneRef> = (1..=40)
            .map(|i| comune(&format!("012{i:03}"), "VA", i * 10))
            .collect();
        comuni.push(comune("013001", "CO", 5));
        let real = DistrictRef {
            id: 7,
            code: "VA-REAL".into(),
            name: "Ambito reale".into(),
            lead_istat: None,
            lead_note: None,
            members: vec!["012001".into(), "012002".into()],
        };
        let plan = plan(&comuni, &[real]);
        assert_eq!(
            plan.leads,
            vec![(7, "012002".to_string(), LEAD_NOTE.to_string())]
        );
        let codes: Vec<&str> = plan.synthetic.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(codes, ["DEMO-CO-1", "DEMO-VA-1", "DEMO-VA-2"]);
        let va1 = &plan.synthetic[1];
        assert_eq!(va1.members.first().unwrap(), "012003");
        assert_eq!(va1.members.len(), 19);
        assert_eq!(va1.lead_istat, "012021");
        assert_eq!(va1.name, "Ambito dimostrativo Provincia VA 1");
        assert_eq!(plan.synthetic[2].members.first().unwrap(), "012022");
    }
}
