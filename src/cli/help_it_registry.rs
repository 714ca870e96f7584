//! The Italian help of `casa buildings` and `casa tenants` (see `help_it`).

/// (path, description)
pub const COMMANDS: &[(&str, &str)] = &[
    (
        "buildings",
        "Ricerca fabbricati dell'anagrafe: cerca e conta i fabbricati visibili all'operatore",
    ),
    (
        "buildings search",
        "Ricerca fabbricati: in ordine di indirizzo, una pagina alla volta (--after per la successiva)",
    ),
    (
        "buildings count",
        "Conta i fabbricati che corrispondono ai filtri",
    ),
    (
        "tenants",
        "Ricerca inquilini dell'anagrafe: cerca e conta gli inquilini visibili all'operatore (oscurati per l'helpdesk)",
    ),
    (
        "tenants search",
        "Ricerca inquilini: in ordine di cognome, una pagina alla volta (--after per la successiva); con l'ID alloggio del nucleo (casa units show ID)",
    ),
    (
        "tenants count",
        "Conta gli inquilini che corrispondono ai filtri",
    ),
];

const TENANT_FILTERS: &[(&str, &str, Option<&str>)] = &[
    (
        "owner",
        "Ente proprietario: codice fiscale, codice ISTAT, codice ALER o nome",
        Some("ENTE"),
    ),
    (
        "comune",
        "Comune dell'alloggio: codice ISTAT o nome",
        Some("COMUNE"),
    ),
    ("cf", "Codice fiscale dell'inquilino (esatto)", Some("CF")),
    (
        "cognome",
        "Inizio del cognome (maiuscole e minuscole indifferenti)",
        Some("TESTO"),
    ),
    (
        "format",
        "Formato: table (tabella), csv o json",
        Some("FORMATO"),
    ),
];

const FILTERS: &[(&str, &str, Option<&str>)] = &[
    (
        "owner",
        "Ente proprietario: codice fiscale, codice ISTAT, codice ALER o nome",
        Some("ENTE"),
    ),
    ("comune", "Comune: codice ISTAT o nome", Some("COMUNE")),
    (
        "fabbricato",
        "Codice fabbricato (esatto, maiuscole e minuscole indifferenti)",
        Some("CODICE"),
    ),
    (
        "indirizzo",
        "Inizio dell'indirizzo (ad es. \"via roma\"; maiuscole e minuscole indifferenti)",
        Some("TESTO"),
    ),
    (
        "format",
        "Formato: table (tabella), csv o json",
        Some("FORMATO"),
    ),
];

const OTHERS: &[(&str, &str, &str, Option<&str>)] = &[
    (
        "buildings search",
        "after",
        "Riparte dopo il fabbricato con questo ID (la pagina successiva)",
        Some("ID"),
    ),
    (
        "buildings search",
        "limit",
        "Al più questo numero di fabbricati (predefinito: tutti)",
        Some("N"),
    ),
    (
        "tenants search",
        "after",
        "Riparte dopo l'inquilino con questo ID (la pagina successiva)",
        Some("ID"),
    ),
    (
        "tenants search",
        "limit",
        "Al più questo numero di inquilini (predefinito: tutti)",
        Some("N"),
    ),
];

/// (path, option id, help, value name)
pub fn args() -> impl Iterator<
    Item = (
        &'static str,
        &'static str,
        &'static str,
        Option<&'static str>,
    ),
> {
    ["buildings search", "buildings count"]
        .into_iter()
        .flat_map(|p| FILTERS.iter().map(move |(i, h, v)| (p, *i, *h, *v)))
        .chain(
            ["tenants search", "tenants count"]
                .into_iter()
                .flat_map(|p| TENANT_FILTERS.iter().map(move |(i, h, v)| (p, *i, *h, *v))),
        )
        .chain(OTHERS.iter().copied())
}
