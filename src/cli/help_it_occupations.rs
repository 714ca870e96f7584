//! The Italian help of `casa occupations` (see `help_it`): the commands, the filters of search
//! and count, the fields of add and update, close, import and export.

/// (path, description)
pub const COMMANDS: &[(&str, &str)] = &[
    (
        "occupations",
        "Banca dati degli occupanti senza titolo: cerca, mostra, registra, modifica, chiude, importa ed esporta il flusso regionale",
    ),
    (
        "occupations search",
        "Ricerca occupazioni: quelle visibili all'operatore, per ID, una pagina alla volta",
    ),
    (
        "occupations count",
        "Conta le occupazioni che corrispondono ai filtri",
    ),
    (
        "occupations show",
        "SCHEDA OCCUPAZIONE: ogni campo con le etichette dei codici e i componenti del nucleo (oscurati per l'helpdesk salvo --reveal, registrato)",
    ),
    (
        "occupations add",
        "Registra un'occupazione (servizio OCCUPANTI sull'ente); se è in corso l'alloggio di casa diventa OCCUPATO SENZA TITOLO",
    ),
    (
        "occupations update",
        "Modifica un'occupazione letta alla --version indicata: i campi non indicati restano, \"\" svuota un campo facoltativo",
    ),
    (
        "occupations close",
        "Chiude un'occupazione: data e provvedimento di cessazione, atto di rilascio, stato che l'alloggio assume",
    ),
    (
        "occupations import",
        "Importa una richiesta del flusso regionale (anpu-occupazioni.xsd): tutto o niente, ogni problema per riga, elemento e attributo; lo stesso file una seconda volta non cambia nulla",
    ),
    (
        "occupations export",
        "Esporta il flusso dell'ente alla Regione, verificato sullo schema: azione I con le occupazioni mai trasmesse, M con quelle modificate dopo (--tutte: copia completa, nulla registrato come trasmesso)",
    ),
];

const FORMAT: &str = "Formato: table (tabella), csv o json";
const OWNER: &str = "Ente: codice fiscale, codice ISTAT, codice ALER o nome";

/// The filters of search and count: (id, help, value name).
const FILTERS: &[(&str, &str, Option<&str>)] = &[
    ("owner", OWNER, Some("ENTE")),
    (
        "comune",
        "Comune dell'alloggio: codice ISTAT o nome",
        Some("COMUNE"),
    ),
    (
        "tipo",
        "Tipo di occupazione: codice o etichetta",
        Some("TIPO"),
    ),
    ("stato", "IN CORSO o CESSATA", Some("STATO")),
    (
        "dal",
        "In corso in qualche momento da questo giorno (GG/MM/AAAA)",
        Some("DATA"),
    ),
    ("al", "… fino a questo giorno", Some("DATA")),
    (
        "cf",
        "Codice fiscale dell'occupante o di un componente del nucleo",
        Some("CF"),
    ),
    (
        "testo",
        "Codici, indirizzo o nome dell'occupante (almeno 3 caratteri)",
        Some("TESTO"),
    ),
    ("format", FORMAT, Some("FORMATO")),
];

/// The fields of add and update.
const RECORD: &[(&str, &str, Option<&str>)] = &[
    ("owner", OWNER, Some("ENTE")),
    (
        "codice",
        "Codice dell'occupazione (cdOccupazione), unico per ente",
        Some("CODICE"),
    ),
    (
        "alloggio",
        "Codice identificativo U.I. (cdAlloggio): un alloggio di casa compila provincia, comune e indirizzo",
        Some("CODICE"),
    ),
    (
        "comune",
        "Comune dell'alloggio (codice ISTAT o nome), se casa non ha l'alloggio",
        Some("COMUNE"),
    ),
    (
        "prefisso",
        "Prefisso dell'indirizzo (Via, Piazza, … o il suo codice)",
        Some("PREFISSO"),
    ),
    (
        "indirizzo",
        "Denominazione dell'indirizzo",
        Some("INDIRIZZO"),
    ),
    ("civico", "Numero civico", Some("CIVICO")),
    (
        "cf",
        "Codice fiscale dell'occupante (\"\" se non conosciuto)",
        Some("CF"),
    ),
    ("nome", "Nome dell'occupante", Some("NOME")),
    ("cognome", "Cognome dell'occupante", Some("COGNOME")),
    ("nascita", "Data di nascita (GG/MM/AAAA)", Some("DATA")),
    ("sesso", "M o F", Some("SESSO")),
    (
        "nazione_nascita",
        "Codice catastale della nazione di nascita (Z…)",
        Some("CODICE"),
    ),
    (
        "provincia_nascita",
        "Sigla della provincia di nascita (EE per l'estero)",
        Some("SIGLA"),
    ),
    (
        "comune_nascita",
        "Codice catastale del comune di nascita",
        Some("CODICE"),
    ),
    (
        "cittadinanza",
        "Codice catastale della cittadinanza",
        Some("CODICE"),
    ),
    ("inizio", "Data di inizio dell'occupazione", Some("DATA")),
    (
        "tipo",
        "Tipo di occupazione: codice o etichetta",
        Some("TIPO"),
    ),
    (
        "tipo_rilevazione",
        "Tipo dell'atto di rilevazione",
        Some("TIPO"),
    ),
    (
        "rilevazione",
        "Identificativo dell'atto di rilevazione",
        Some("NUMERO"),
    ),
    (
        "data_rilevazione",
        "Data dell'atto di rilevazione",
        Some("DATA"),
    ),
    (
        "tipo_legittimante",
        "Tipo dell'atto legittimante: codice o etichetta",
        Some("TIPO"),
    ),
    (
        "legittimante",
        "Identificativo dell'atto legittimante",
        Some("NUMERO"),
    ),
    (
        "data_legittimante",
        "Data dell'atto legittimante",
        Some("DATA"),
    ),
    (
        "atto_rilascio",
        "Identificativo dell'atto di rilascio",
        Some("NUMERO"),
    ),
    (
        "protocollo_rilascio",
        "Protocollo dell'atto di rilascio",
        Some("PROTOCOLLO"),
    ),
    ("data_rilascio", "Data dell'atto di rilascio", Some("DATA")),
    (
        "debito",
        "Presenza di debito: codice o etichetta",
        Some("PRESENZA"),
    ),
    (
        "debito_danneggiamento",
        "Debito per danni: SI o NO",
        Some("SI/NO"),
    ),
    (
        "debito_indennita",
        "Debito per indennità di occupazione non pagata: SI o NO",
        Some("SI/NO"),
    ),
    (
        "debito_sgombero",
        "Debito per costi di sgombero: SI o NO",
        Some("SI/NO"),
    ),
    ("debito_altro", "Altro debito: SI o NO", Some("SI/NO")),
    ("debito_estinto", "Debito estinto: SI o NO", Some("SI/NO")),
    (
        "data_estinzione",
        "Data di estinzione del debito",
        Some("DATA"),
    ),
    (
        "componenti",
        "Un componente del nucleo: \"CF;COGNOME;NOME;GG/MM/AAAA;PARENTELA\" (ripetibile; \"\" li toglie tutti)",
        Some("COMPONENTE"),
    ),
    ("format", FORMAT, Some("FORMATO")),
];

/// The other options: (path, id, help, value name).
const OTHERS: &[(&str, &str, &str, Option<&str>)] = &[
    ("occupations search", "limit", "Righe al massimo", Some("N")),
    (
        "occupations search",
        "after",
        "Inizia dopo questo ID (la pagina successiva)",
        Some("ID"),
    ),
    ("occupations show", "id", "ID dell'occupazione", Some("ID")),
    (
        "occupations show",
        "reveal",
        "Mostra i dati personali (helpdesk: l'accesso è registrato)",
        None,
    ),
    ("occupations show", "format", FORMAT, Some("FORMATO")),
    (
        "occupations update",
        "id",
        "ID dell'occupazione",
        Some("ID"),
    ),
    (
        "occupations update",
        "version",
        "La versione letta (casa occupations show): rifiutato se nel frattempo è cambiata",
        Some("V"),
    ),
    ("occupations close", "id", "ID dell'occupazione", Some("ID")),
    (
        "occupations close",
        "version",
        "La versione letta (casa occupations show)",
        Some("V"),
    ),
    (
        "occupations close",
        "data",
        "Data di cessazione (GG/MM/AAAA)",
        Some("DATA"),
    ),
    (
        "occupations close",
        "provvedimento",
        "Identificativo del provvedimento di cessazione",
        Some("NUMERO"),
    ),
    (
        "occupations close",
        "protocollo",
        "Protocollo del provvedimento di cessazione",
        Some("PROTOCOLLO"),
    ),
    (
        "occupations close",
        "data_provvedimento",
        "Data del provvedimento di cessazione",
        Some("DATA"),
    ),
    (
        "occupations close",
        "atto_rilascio",
        "Identificativo dell'atto di rilascio",
        Some("NUMERO"),
    ),
    (
        "occupations close",
        "protocollo_rilascio",
        "Protocollo dell'atto di rilascio",
        Some("PROTOCOLLO"),
    ),
    (
        "occupations close",
        "data_rilascio",
        "Data dell'atto di rilascio",
        Some("DATA"),
    ),
    (
        "occupations close",
        "stato_alloggio",
        "Stato che l'alloggio di casa assume (LIBERO, OCCUPATO, …): obbligatorio se era la sua ultima occupazione aperta",
        Some("STATO"),
    ),
    ("occupations close", "format", FORMAT, Some("FORMATO")),
    (
        "occupations import",
        "file",
        "Il file XML della richiesta",
        Some("FILE"),
    ),
    (
        "occupations import",
        "dry_run",
        "Solo verifica: non memorizza nulla",
        None,
    ),
    ("occupations import", "format", FORMAT, Some("FORMATO")),
    ("occupations export", "owner", OWNER, Some("ENTE")),
    (
        "occupations export",
        "out",
        "Il file .xml da scrivere (- per lo standard output)",
        Some("FILE.xml"),
    ),
    (
        "occupations export",
        "azione",
        "I o M (predefinito: I se ci sono occupazioni nuove, altrimenti M)",
        Some("AZIONE"),
    ),
    (
        "occupations export",
        "tutte",
        "Tutte le occupazioni dell'ente con azione I, senza registrarle come trasmesse",
        None,
    ),
    (
        "occupations export",
        "force",
        "Sostituisce il file se esiste",
        None,
    ),
    ("occupations export", "format", FORMAT, Some("FORMATO")),
];

/// Every option of `casa occupations`: (path, id, help, value name).
pub fn args() -> impl Iterator<
    Item = (
        &'static str,
        &'static str,
        &'static str,
        Option<&'static str>,
    ),
> {
    let filters = ["occupations search", "occupations count"]
        .into_iter()
        .flat_map(|p| FILTERS.iter().map(move |(i, h, v)| (p, *i, *h, *v)));
    let record = ["occupations add", "occupations update"]
        .into_iter()
        .flat_map(|p| RECORD.iter().map(move |(i, h, v)| (p, *i, *h, *v)));
    filters.chain(record).chain(OTHERS.iter().copied())
}
