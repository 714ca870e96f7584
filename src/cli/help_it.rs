//! The command line's help in Italian, as every text an operator reads (GUIDE: UI text is
//! Italian). The clap definitions keep their English doc comments, which are code comments for
//! the team; this table gives each command and option the words the operator sees, applied to
//! the command tree before parsing. clap's own words (Usage, Options, …) are translated by
//! `crate::italian::clap_help`. A test checks that every visible command and option has its
//! Italian text here, and that no entry names one that no longer exists.

use clap::Command;

/// Descriptions of the commands, by path ("" is `casa` itself).
const COMMANDS: &[(&str, &str)] = &[
    (
        "",
        "casa — anagrafe, programmazione e graduatorie dei servizi abitativi pubblici lombardi",
    ),
    (
        "init",
        "Crea il database con i dati di riferimento (comuni, ambiti, ALER, Regione)",
    ),
    (
        "demo",
        "Crea o rigenera un database dimostrativo con dati generati realistici",
    ),
    (
        "doctor",
        "Mostra versione, percorsi, versioni dello schema e di SQLite",
    ),
    (
        "check-config",
        "Controlla i file della mappa dei tasti e del tema nella configurazione",
    ),
    (
        "units",
        "Alloggi: importa, cerca, conta, mostra, esporta gli elenchi del piano, marca per un piano",
    ),
    (
        "units import",
        "Importa alloggi da un file .csv o .xlsx con le colonne dell'esportazione regionale (vedere docs/import-alloggi.md). Prima si verifica tutto il file: qualsiasi problema ferma l'importazione e nulla viene scritto",
    ),
    (
        "units search",
        "Cerca alloggi (SCHEDA RICERCA ALLOGGI): tutti quelli trovati, oppure --limit N da --after ID",
    ),
    (
        "units count",
        "Conta gli alloggi che corrispondono ai filtri",
    ),
    (
        "units show",
        "Mostra un alloggio: ogni campo, fabbricato, ente proprietario e gestore, nucleo e inquilini",
    ),
    (
        "units export",
        "Esporta i tre elenchi di dettaglio del piano (LIBERO, SFITTO PER CARENZE MANUTENTIVE, SFITTO PER RISTRUTTURAZIONE) dei filtri: un .xlsx con un foglio per elenco, oppure CSV",
    ),
    (
        "units edit",
        "Modifica un alloggio: stato, indicatori, interventi e loro costo (cambiano solo i valori indicati); rifiutata se un'altra sessione ha modificato l'alloggio dopo la lettura (--version)",
    ),
    (
        "units mark",
        "Marca gli alloggi dei filtri (nei tre stati del piano) come inclusi nel piano di un anno, o toglie la marcatura con --undo",
    ),
    (
        "operators",
        "Operatori: registra, elenca, abilita ai servizi, disabilita",
    ),
    (
        "operators add",
        "Registra un operatore (solo Regione; il primo operatore, della Regione, non ne ha bisogno)",
    ),
    (
        "operators list",
        "Elenca gli operatori con ruolo, enti e ambito",
    ),
    (
        "operators grant",
        "Abilita un operatore ai servizi di un ente (solo Regione)",
    ),
    (
        "operators disable",
        "Disabilita un operatore: non può più operare (solo Regione)",
    ),
    (
        "operators enable",
        "Riabilita (o convalida) un operatore (solo Regione)",
    ),
    (
        "certification",
        "SCHEDA CERTIFICAZIONE: i totali dell'anagrafe di un ente; certifica, o dichiara nessuna unità",
    ),
    (
        "certification show",
        "Mostra la scheda di certificazione: totali dell'anagrafe e ultima certificazione",
    ),
    (
        "certification certify",
        "Certifica che l'anagrafe dell'ente è aggiornata (registra data, operatore e totali)",
    ),
    (
        "certification none",
        "Dichiara che l'ente non ha unità immobiliari (rifiutato se l'anagrafe ne contiene)",
    ),
    (
        "plan",
        "SCHEDA PROGRAMMAZIONE ANNUALE: piani, finestra di comunicazione e stati, quadro del capofila",
    ),
    (
        "plan create",
        "Crea la scheda del piano di un ambito per un anno di riferimento (stato BOZZA); stampa l'id",
    ),
    (
        "plan show",
        "Mostra la scheda di un piano con la cronologia degli stati",
    ),
    ("plan list", "Elenca i piani"),
    (
        "plan open",
        "Apre la finestra di comunicazione (BOZZA → APERTO)",
    ),
    (
        "plan close",
        "Chiude la finestra in anticipo (APERTO → CHIUSO)",
    ),
    (
        "plan reopen",
        "Riapre una finestra chiusa con una nuova data di fine (CHIUSO → APERTO)",
    ),
    (
        "plan approve",
        "Approva il piano (solo dopo la chiusura della finestra)",
    ),
    (
        "plan cancel",
        "Annulla il piano (in ogni stato tranne APPROVATO)",
    ),
    (
        "plan dates",
        "Cambia le date della finestra di un piano in BOZZA o APERTO (il Salva della scheda); una finestra aperta mantiene la data di inizio",
    ),
    (
        "plan revise",
        "Corregge un piano approvato: una nuova revisione (BOZZA) che lo sostituisce; stampa l'id",
    ),
    (
        "plan report",
        "Report delle comunicazioni (xlsx): una riga per ente, i numeri trasmessi, i totali",
    ),
    (
        "plan export",
        "Esportazione di un piano approvato (xlsx): scheda, comunicazioni, patrimonio per ente e comune, alloggi marcati per l'anno",
    ),
    (
        "plan status",
        "Quadro del capofila: ogni ente, certificazione e comunicazione, chi manca, totali",
    ),
    (
        "comm",
        "SCHEMA COMUNICAZIONE ANNUALE: le comunicazioni degli enti per un piano",
    ),
    (
        "comm show",
        "Mostra le comunicazioni di un piano, o la scheda di un ente con la sua versione",
    ),
    (
        "comm file",
        "Trasmette la comunicazione; stampa la ricevuta",
    ),
    (
        "comm receipt",
        "Ricevuta della trasmissione in vigore (xlsx: ID di trasmissione telematica, data e ora di ricezione, valori trasmessi), da inviare al capofila",
    ),
    (
        "comm history",
        "Ogni trasmissione di un piano (o di un ente), anche quelle sostituite",
    ),
    ("districts", "Ambiti e loro Comune capofila"),
    (
        "districts list",
        "Elenca gli ambiti con il capofila e il numero di comuni",
    ),
    (
        "owners",
        "Enti proprietari o gestori di alloggi (Comuni, ALER, operatori accreditati)",
    ),
    (
        "owners list",
        "Elenca gli enti con tipo, codice fiscale e codice ISTAT",
    ),
    (
        "rules",
        "Insiemi di regole: i parametri di legge per atto e data; verifica e carica un file",
    ),
    (
        "rules list",
        "Insiemi di regole memorizzati nel database e forniti con casa, per data di vigore",
    ),
    (
        "rules show",
        "Ogni parametro di un insieme di regole con la fonte e se è verificato",
    ),
    (
        "rules check",
        "Verifica un file di regole senza memorizzarlo",
    ),
    (
        "rules load",
        "Verifica un file di regole e lo memorizza (Regione); un insieme memorizzato non cambia più",
    ),
    ("notice", "Avvisi di un ambito: crea, mostra, chiude"),
    ("notice list", "Avvisi, dal più recente"),
    (
        "notice create",
        "Crea un avviso di un ambito (capofila): sono offerti gli alloggi segnati in avviso; si registra l'insieme di regole in vigore il giorno di apertura (o --rules); stampa l'id",
    ),
    (
        "notice show",
        "Un avviso: date, stato, regole, alloggi offerti, domande, scadenze delle graduatorie",
    ),
    ("notice close", "Chiude un avviso (capofila)"),
    ("applications", "Domande di un avviso: importazione"),
    (
        "applications import",
        "Importa domande da un file .csv o .xlsx (una riga per componente del nucleo; vedere docs/import-domande.md): ogni problema indicato per riga, nulla memorizzato in caso di errore",
    ),
    (
        "rankings",
        "Graduatorie: calcola, mostra, esporta, confronta con altre regole, rettifica, rende definitive",
    ),
    (
        "rankings compute",
        "Calcola ogni graduatoria di un avviso chiuso (provvisoria), una per ente e comune",
    ),
    (
        "rankings show",
        "Le domande in graduatoria: ente, comune, posizione, ID domanda, ISBAR, punteggi parziali, ISEE, indigenza (senza nomi né codici fiscali)",
    ),
    (
        "rankings excluded",
        "Le domande escluse, ogni requisito mancante con il motivo; con --preferences, gli alloggi scelti non considerati (art. 9 c.2, adeguatezza, numero) e perché",
    ),
    (
        "rankings export",
        "Esporta le graduatorie (xlsx): il modulo pubblicato (posizione, ID domanda, ISBAR, indigente, ID alloggio 1 e 2) o, con --internal, anche i punteggi parziali",
    ),
    (
        "rankings compare",
        "Simulazione: ricalcola con altre regole (memorizzate o da un file non caricato) e mostra chi si sposta e di quanto; nulla viene cambiato",
    ),
    (
        "rankings correct",
        "Rettifica per un'invalidità riconosciuta dopo: ricalcola e riordina",
    ),
    (
        "rankings finalize",
        "Rende definitive le graduatorie provvisorie (dopo il periodo delle rettifiche)",
    ),
    (
        "assignments",
        "Assegnazione: registro delle quote, proposte, istruttoria (offerta, accettazione, rifiuto, controllo dei documenti), provvedimento e contratto, elenco, esportazione, simulazione",
    ),
    (
        "assignments ledger",
        "Registro delle quote per ente e comune: alloggi disponibili nell'anno, quota di ogni riga (indigenti, riserve del piano), usate, in corso, dovute, e a chi va il prossimo alloggio",
    ),
    (
        "assignments propose",
        "Propone un nucleo per un alloggio (art. 13 e 15) con le motivazioni; con --owner e --comune, l'alloggio in attesa da più tempo",
    ),
    (
        "assignments show",
        "Un'assegnazione con ogni passo spiegato",
    ),
    (
        "assignments offer",
        "Offre l'alloggio al nucleo proposto, che risponde entro la scadenza (se non indicata: i giorni delle regole)",
    ),
    ("assignments accept", "Il nucleo accetta l'alloggio"),
    (
        "assignments refuse",
        "Il nucleo rifiuta (o, con --no-answer, non ha risposto entro la scadenza): la domanda esce dalle graduatorie se le regole lo prevedono, l'alloggio torna da assegnare",
    ),
    (
        "assignments cancel",
        "Interrompe l'istruttoria: ritiro (--reason) o controllo dei documenti, con un requisito di accesso mancante (la domanda esce dalle graduatorie) o una condizione di punteggio non documentata (ISBAR ricalcolato e domanda ricollocata); poi propone il nucleo successivo",
    ),
    (
        "assignments assign",
        "Provvedimento di assegnazione: numero e data; con --lease-date anche il contratto (un solo passo)",
    ),
    (
        "assignments lease",
        "Contratto firmato: l'alloggio diventa OCCUPATO",
    ),
    (
        "assignments list",
        "Le assegnazioni di un anno (solo ID domanda, mai nomi)",
    ),
    (
        "assignments export",
        "Esporta il registro delle quote e le assegnazioni di un anno (xlsx), come l'ente le comunica alla Regione",
    ),
    (
        "assignments what-if",
        "Simulazione: ripete le assegnazioni dell'anno di un ente in un comune con altre regole o un'altra lettera h e mostra chi sarebbe stato assegnato diversamente; nulla viene salvato",
    ),
    ("isbar", "ISBAR: spiega il punteggio di una domanda"),
    (
        "isbar explain",
        "Spiega l'ISBAR di una domanda: condizioni, punti, riferimenti di legge, residenza, criteri di parità, posizioni, regole e valori non verificati",
    ),
    (
        "db",
        "Il file del database: copia, ripristino, controllo (anche init e doctor)",
    ),
    (
        "db init",
        "Crea il database con i dati di riferimento (come `casa init`)",
    ),
    (
        "db doctor",
        "Mostra versione, percorsi, versioni dello schema e di SQLite (come `casa doctor`)",
    ),
    (
        "db backup",
        "Copia il database in FILE (copia in linea di SQLite: sicura mentre altri scrivono), verificata (solo Regione: la copia contiene tutti i dati personali)",
    ),
    (
        "db restore",
        "Sostituisce il database con la copia FILE (solo Regione); una copia di sicurezza del database attuale resta accanto",
    ),
    (
        "db check",
        "Controlla integrità, chiavi esterne, identità e versione dello schema; uscita 1 se trova problemi",
    ),
    (
        "operators key",
        "Chiavi SSH degli operatori: aggiungi (Regione), elenca, rimuovi (Regione)",
    ),
    (
        "operators key add",
        "Associa una chiave pubblica (file .pub, oppure - per lo standard input) a un operatore (solo Regione)",
    ),
    (
        "operators key list",
        "Elenca le chiavi con il loro operatore (Regione e assistenza: tutte; gli altri: le proprie)",
    ),
    (
        "operators key remove",
        "Rimuove una chiave per impronta (solo Regione): non apre più sessioni",
    ),
    (
        "districts show",
        "Un ambito: comuni e atti di nomina del capofila",
    ),
    (
        "districts create",
        "Crea un ambito con i suoi comuni (solo Regione)",
    ),
    ("districts rename", "Rinomina un ambito (solo Regione)"),
    (
        "districts comuni",
        "Aggiunge o toglie comuni di un ambito (solo Regione)",
    ),
    (
        "districts capofila",
        "Registra l'atto di nomina del Comune capofila (solo Regione): piani e avvisi già creati restano con il capofila di allora",
    ),
    (
        "registrations",
        "Richieste di registrazione (SCHEDA UTENTE): invia, elenca, valida o respingi (Regione)",
    ),
    (
        "registrations request",
        "Invia una SCHEDA UTENTE: un nuovo operatore di un ente (con la sua chiave pubblica), oppure altri enti o servizi per sé (indicando il proprio --username, o nessuno)",
    ),
    (
        "registrations list",
        "Elenca le richieste dalla più recente (Regione e assistenza: tutte; gli altri: quelle inviate)",
    ),
    ("registrations show", "Una richiesta con tutti i campi"),
    (
        "registrations validate",
        "Valida una richiesta in attesa (solo Regione): l'operatore è abilitato esattamente per l'ente e i servizi chiesti e la chiave è associata",
    ),
    (
        "registrations reject",
        "Respinge una richiesta in attesa indicando il motivo (solo Regione): nulla è abilitato",
    ),
    (
        "audit",
        "Registro delle operazioni: elenco con filtri, verifica della catena di hash, punto di controllo",
    ),
    (
        "audit list",
        "Elenca le operazioni dalla più recente, con filtri (Regione e assistenza)",
    ),
    ("audit show", "Un'operazione con i dati prima e dopo"),
    (
        "audit verify",
        "Verifica la catena di hash: il primo record cancellato, modificato o spostato, per numero; con un punto di controllo anche i record cancellati dopo (esce con 1 se la catena è spezzata)",
    ),
    (
        "audit checkpoint",
        "Scrive un punto di controllo (numero e hash dell'ultimo record) da conservare altrove",
    ),
    (
        "ssh",
        "Configurazione di OpenSSH: le righe di authorized_keys delle chiavi degli operatori",
    ),
    (
        "ssh authorized-keys",
        "Stampa le righe di authorized_keys di ogni chiave registrata, o della sola chiave indicata (come AuthorizedKeysCommand: casa --db DB ssh authorized-keys %t %k); a una chiave sconosciuta spetta una sessione di sola registrazione",
    ),
    (
        "session",
        "Il comando forzato di una chiave SSH (in authorized_keys): una sessione come l'operatore della chiave",
    ),
];

/// The search filters, shared by `units search|count|export|mark`.
const FILTERS: &[(&str, &str)] = &[
    ("id", "ID alloggio"),
    (
        "building",
        "Codice fabbricato (maiuscole e minuscole non contano)",
    ),
    ("service", "Destinazione d'uso: SAP, SAS o ALTRO"),
    ("province", "Sigla della provincia, ad es. MI"),
    ("comune", "Comune: codice ISTAT (015146) o nome (Milano)"),
    (
        "states",
        "Stato; ripetibile o un elenco separato da virgole, ad es. --stato LIBERO --stato \"SFITTO PER RISTRUTTURAZIONE\"",
    ),
    ("in_notice", "Alloggi in avviso: si o no"),
    (
        "owner",
        "Ente proprietario: codice fiscale, codice ISTAT, codice ALER o ragione sociale",
    ),
    (
        "text",
        "Testo libero in indirizzo, civico o località (da 3 a 80 caratteri; maiuscole e accenti non contano)",
    ),
    (
        "marked",
        "Solo gli alloggi marcati per il piano di questo anno",
    ),
];

const FORMAT: &str = "Formato: table (tabella), csv o json";
const OWNER: &str = "Ente: codice fiscale, codice ISTAT, codice ALER o nome";

/// Options and arguments, by command path and clap id; the third field renames the value
/// shown in the usage (`<AVVISO>`), when it is an English word.
const ARGS: &[(&str, &str, &str, Option<&str>)] = &[
    (
        "",
        "db",
        "File del database (predefinito: casa.sqlite nella cartella dei dati; `casa demo` e --demo usano demo.sqlite)",
        Some("PERCORSO"),
    ),
    (
        "",
        "demo",
        "Usa il database dimostrativo della cartella dei dati, creandolo al primo uso",
        None,
    ),
    (
        "",
        "operator",
        "Operatore che agisce (predefinito: il nome di accesso; con --demo: `regione`)",
        Some("UTENTE"),
    ),
    (
        "",
        "read_only",
        "Apre il database in sola lettura: nessun comando può modificare nulla",
        None,
    ),
    (
        "",
        "theme",
        "Tema dei colori: default, mono, o NOME.toml in themes/ della configurazione (NO_COLOR prevale)",
        Some("NOME"),
    ),
    (
        "demo",
        "units",
        "Numero di alloggi da generare (al massimo 2.000.000)",
        Some("N"),
    ),
    (
        "demo",
        "seed",
        "Seme casuale: lo stesso seme dà gli stessi dati",
        Some("SEME"),
    ),
    (
        "demo",
        "applications",
        "Domande dell'avviso dimostrativo (un avviso chiuso con le graduatorie provvisorie); 0: nessuna; al massimo 1.000.000",
        Some("N"),
    ),
    (
        "units import",
        "file",
        "Il file da importare (.csv o .xlsx); in una sessione SSH - (lo standard input: ssh casa@host units import - < FILE)",
        Some("FILE"),
    ),
    (
        "units import",
        "sheet",
        "Foglio da leggere di un file .xlsx (predefinito: il primo)",
        Some("FOGLIO"),
    ),
    (
        "units import",
        "dry_run",
        "Solo verifica: elenca i problemi e che cosa cambierebbe, senza scrivere",
        None,
    ),
    (
        "units import",
        "report",
        "Scrive l'elenco completo dei problemi in questo file CSV (- per lo standard output)",
        Some("FILE"),
    ),
    (
        "units import",
        "force",
        "Sostituisce il file del rapporto se esiste",
        None,
    ),
    (
        "units search",
        "sort",
        "Ordina per id, comune, stato o superficie",
        Some("ORDINE"),
    ),
    ("units search", "desc", "Ordine decrescente", None),
    (
        "units search",
        "limit",
        "Al più N alloggi (predefinito: tutti)",
        Some("N"),
    ),
    (
        "units search",
        "after",
        "Comincia dopo l'alloggio con questo ID, nell'ordine scelto (pagina successiva)",
        Some("ID"),
    ),
    ("units search", "format", FORMAT, Some("FORMATO")),
    ("units count", "format", FORMAT, Some("FORMATO")),
    ("units show", "id", "ID alloggio", Some("ID")),
    ("units show", "format", FORMAT, Some("FORMATO")),
    (
        "units show",
        "reveal",
        "Helpdesk: mostra in chiaro i dati personali degli inquilini (l'accesso è registrato)",
        None,
    ),
    (
        "units export",
        "only_marked",
        "Solo gli alloggi marcati per il piano di questo anno",
        Some("ANNO"),
    ),
    (
        "units export",
        "out",
        "File da scrivere (.xlsx o .csv; - per lo standard output, con --format)",
        Some("FILE"),
    ),
    ("units export", "force", "Sostituisce FILE se esiste", None),
    (
        "units export",
        "format",
        "Formato del file (predefinito: dall'estensione di --out)",
        Some("FORMATO"),
    ),
    (
        "units export",
        "sort",
        "Ordine delle righe in ogni elenco: id, comune, stato o superficie",
        Some("ORDINE"),
    ),
    ("units mark", "year", "Anno del piano", Some("ANNO")),
    ("units edit", "id", "ID alloggio", Some("ID")),
    (
        "units edit",
        "state",
        "Stato (LIBERO, OCCUPATO, SFITTO PER CARENZE MANUTENTIVE, …)",
        Some("STATO"),
    ),
    (
        "units edit",
        "sat",
        "SAT (servizi abitativi transitori, solo alloggi SAP): SI o NO",
        Some("SI|NO"),
    ),
    (
        "units edit",
        "in_notice",
        "In avviso: SI o NO",
        Some("SI|NO"),
    ),
    (
        "units edit",
        "barrier_free",
        "Senza barriere architettoniche: SI o NO",
        Some("SI|NO"),
    ),
    ("units edit", "lift", "Ascensore: SI o NO", Some("SI|NO")),
    (
        "units edit",
        "works",
        "Interventi necessari (\"\" li toglie, con il loro costo)",
        Some("TESTO"),
    ),
    (
        "units edit",
        "cost",
        "Costo stimato degli interventi in euro, es. 4.250,50 (\"\" lo toglie)",
        Some("EURO"),
    ),
    (
        "units edit",
        "version",
        "La versione letta (units show): rifiutata se l'alloggio è cambiato dopo",
        Some("N"),
    ),
    (
        "units mark",
        "undo",
        "Toglie la marcatura degli alloggi marcati per quell'anno",
        None,
    ),
    (
        "units mark",
        "ids",
        "Solo questi alloggi dei filtri (ID alloggio separati da virgole), come le righe spuntate nell'interfaccia",
        Some("ID,ID,…"),
    ),
    (
        "operators add",
        "username",
        "Nome utente (quello da usare con --operator)",
        Some("UTENTE"),
    ),
    ("operators add", "surname", "Cognome", Some("COGNOME")),
    ("operators add", "name", "Nome", Some("NOME")),
    (
        "operators add",
        "tax_code",
        "Codice fiscale della persona (16 caratteri)",
        Some("CODICE"),
    ),
    ("operators add", "email", "Indirizzo email", Some("EMAIL")),
    (
        "operators add",
        "role",
        "regione, capofila, ente o helpdesk",
        Some("RUOLO"),
    ),
    (
        "operators add",
        "district",
        "Ambito guidato (solo capofila): codice o nome",
        Some("AMBITO"),
    ),
    (
        "operators add",
        "owners",
        "Ente per cui lavora (codice fiscale, codice ISTAT, codice ALER o nome); ripetibile",
        Some("ENTE"),
    ),
    (
        "operators add",
        "services",
        "Servizi su quegli enti: anagrafe, avvisi, occupanti, programmazione (predefinito: tutti)",
        Some("SERVIZIO"),
    ),
    ("operators list", "format", FORMAT, Some("FORMATO")),
    (
        "operators grant",
        "username",
        "Nome utente dell'operatore",
        Some("UTENTE"),
    ),
    ("operators grant", "owner", OWNER, Some("ENTE")),
    (
        "operators grant",
        "services",
        "Servizi: anagrafe, avvisi, occupanti, programmazione (predefinito: tutti)",
        Some("SERVIZIO"),
    ),
    (
        "operators disable",
        "username",
        "Nome utente dell'operatore",
        Some("UTENTE"),
    ),
    (
        "operators enable",
        "username",
        "Nome utente dell'operatore",
        Some("UTENTE"),
    ),
    (
        "certification show",
        "owner",
        "Ente: codice fiscale, codice ISTAT, codice ALER o nome; predefinito: quello dell'operatore",
        Some("ENTE"),
    ),
    ("certification show", "format", FORMAT, Some("FORMATO")),
    (
        "certification certify",
        "owner",
        "Ente (predefinito: quello dell'operatore)",
        Some("ENTE"),
    ),
    (
        "certification none",
        "owner",
        "Ente (predefinito: quello dell'operatore)",
        Some("ENTE"),
    ),
    (
        "plan create",
        "district",
        "Ambito: codice (ad es. MI-MILANO) o nome",
        Some("AMBITO"),
    ),
    ("plan create", "year", "Anno di riferimento", Some("ANNO")),
    (
        "plan create",
        "start",
        "Data inizio comunicazione (GG/MM/AAAA o AAAA-MM-GG)",
        Some("DATA"),
    ),
    (
        "plan create",
        "end",
        "Data fine comunicazione (GG/MM/AAAA o AAAA-MM-GG)",
        Some("DATA"),
    ),
    ("plan create", "format", FORMAT, Some("FORMATO")),
    ("plan show", "id", "Numero del piano", Some("ID")),
    ("plan show", "format", FORMAT, Some("FORMATO")),
    (
        "plan list",
        "district",
        "Solo questo ambito (codice o nome)",
        Some("AMBITO"),
    ),
    (
        "plan list",
        "year",
        "Solo questo anno di riferimento",
        Some("ANNO"),
    ),
    ("plan list", "format", FORMAT, Some("FORMATO")),
    ("plan open", "id", "Numero del piano", Some("ID")),
    ("plan close", "id", "Numero del piano", Some("ID")),
    ("plan reopen", "id", "Numero del piano", Some("ID")),
    (
        "plan reopen",
        "end",
        "Nuova data di fine (GG/MM/AAAA o AAAA-MM-GG)",
        Some("DATA"),
    ),
    ("plan approve", "id", "Numero del piano", Some("ID")),
    ("plan cancel", "id", "Numero del piano", Some("ID")),
    (
        "plan open",
        "version",
        "Versione letta con `plan show`: rifiutato se un altro operatore ha cambiato il piano nel frattempo",
        Some("V"),
    ),
    (
        "plan close",
        "version",
        "Versione letta con `plan show`: rifiutato se un altro operatore ha cambiato il piano nel frattempo",
        Some("V"),
    ),
    (
        "plan reopen",
        "version",
        "Versione letta con `plan show`: rifiutato se un altro operatore ha cambiato il piano nel frattempo",
        Some("V"),
    ),
    (
        "plan approve",
        "version",
        "Versione letta con `plan show`: rifiutato se un altro operatore ha cambiato il piano nel frattempo",
        Some("V"),
    ),
    ("plan dates", "id", "Numero del piano", Some("ID")),
    (
        "plan dates",
        "start",
        "Data inizio comunicazione",
        Some("DATA"),
    ),
    ("plan dates", "end", "Data fine comunicazione", Some("DATA")),
    (
        "plan dates",
        "version",
        "Versione letta con `plan show`: rifiutato se un altro operatore ha cambiato il piano nel frattempo",
        Some("V"),
    ),
    (
        "plan cancel",
        "version",
        "Versione letta con `plan show`: rifiutato se un altro operatore ha cambiato il piano nel frattempo",
        Some("V"),
    ),
    (
        "plan revise",
        "id",
        "Numero del piano approvato",
        Some("ID"),
    ),
    (
        "plan revise",
        "start",
        "Data inizio comunicazione della revisione",
        Some("DATA"),
    ),
    (
        "plan revise",
        "end",
        "Data fine comunicazione della revisione",
        Some("DATA"),
    ),
    ("plan report", "id", "Numero del piano", Some("ID")),
    (
        "plan report",
        "out",
        "File da scrivere (.xlsx; - per lo standard output)",
        Some("FILE"),
    ),
    ("plan report", "force", "Sostituisce FILE se esiste", None),
    ("plan export", "id", "Numero del piano", Some("ID")),
    (
        "plan export",
        "out",
        "File da scrivere (.xlsx; - per lo standard output)",
        Some("FILE"),
    ),
    ("plan export", "force", "Sostituisce FILE se esiste", None),
    ("plan status", "id", "Numero del piano", Some("ID")),
    ("plan status", "format", FORMAT, Some("FORMATO")),
    ("comm show", "plan", "Numero del piano", Some("PIANO")),
    ("comm show", "owner", OWNER, Some("ENTE")),
    ("comm show", "format", FORMAT, Some("FORMATO")),
    ("comm file", "plan", "Numero del piano", Some("PIANO")),
    (
        "comm file",
        "owner",
        "Ente; predefinito: l'unico ente dell'operatore",
        Some("ENTE"),
    ),
    (
        "comm file",
        "carenze",
        "(b) U.I. in carenza manutentiva assegnabili nello stato di fatto",
        Some("N"),
    ),
    (
        "comm file",
        "nuove",
        "(c+d) U.I. per nuova edificazione, ristrutturazione, recupero, riqualificazione",
        Some("N"),
    ),
    (
        "comm file",
        "turnover",
        "(e) U.I. libere e che si libereranno per turn-over",
        Some("N"),
    ),
    (
        "comm file",
        "privati",
        "(f) U.I. conferite da privati",
        Some("N"),
    ),
    (
        "comm file",
        "sat",
        "(j) U.I. per servizi abitativi transitori",
        Some("N"),
    ),
    (
        "comm file",
        "assegnate",
        "(k) U.I. assegnate l'anno precedente",
        Some("N"),
    ),
    (
        "comm file",
        "indigenti_pct",
        "(h) soglia % eccedente il 20% per indigenti (Comuni)",
        Some("PCT"),
    ),
    (
        "comm file",
        "anziani_pct",
        "(c-bis) Anziani, soglia % (Comuni)",
        Some("PCT"),
    ),
    (
        "comm file",
        "monoparentali_pct",
        "(c-bis) Famiglie monoparentali, soglia % (Comuni)",
        Some("PCT"),
    ),
    (
        "comm file",
        "disabili_pct",
        "(c-bis) Disabili, soglia % (Comuni)",
        Some("PCT"),
    ),
    (
        "comm file",
        "nuove_famiglie_pct",
        "(c-bis) Famiglie di nuova formazione, soglia % (Comuni)",
        Some("PCT"),
    ),
    (
        "comm file",
        "polizia_pct",
        "(d-bis) Forze di Polizia, soglia % (Comuni)",
        Some("PCT"),
    ),
    (
        "comm file",
        "altra_categoria",
        "(d) Altra categoria di particolare rilevanza sociale: nome (Comuni)",
        Some("NOME"),
    ),
    (
        "comm file",
        "altra_pct",
        "(d) Altra categoria: soglia % (Comuni)",
        Some("PCT"),
    ),
    (
        "comm file",
        "expected_version",
        "Versione letta con `comm show`: il salvataggio è rifiutato se nel frattempo altri hanno salvato",
        Some("VERSIONE"),
    ),
    (
        "comm file",
        "draft",
        "Salva senza trasmettere (IN COMPILAZIONE)",
        None,
    ),
    ("comm file", "format", FORMAT, Some("FORMATO")),
    ("comm receipt", "plan", "Numero del piano", Some("PIANO")),
    (
        "comm receipt",
        "owner",
        "Ente (predefinito: quello dell'operatore, se ne trasmette per uno solo)",
        Some("ENTE"),
    ),
    (
        "comm receipt",
        "out",
        "File da scrivere (.xlsx; - per lo standard output)",
        Some("FILE"),
    ),
    ("comm receipt", "force", "Sostituisce FILE se esiste", None),
    ("comm history", "plan", "Numero del piano", Some("PIANO")),
    ("comm history", "owner", OWNER, Some("ENTE")),
    ("comm history", "format", FORMAT, Some("FORMATO")),
    ("districts list", "format", FORMAT, Some("FORMATO")),
    ("owners list", "format", FORMAT, Some("FORMATO")),
    (
        "owners list",
        "kind",
        "Solo questo tipo: comune, aler, operatore accreditato, regione",
        Some("TIPO"),
    ),
    ("rules list", "format", FORMAT, Some("FORMATO")),
    (
        "rules show",
        "rule_set",
        "Id, citazione (\"R.R. 2/2025\") o citazione e versione (\"R.R. 2/2025 v2\")",
        Some("REGOLE"),
    ),
    ("rules show", "format", FORMAT, Some("FORMATO")),
    (
        "rules check",
        "file",
        "Il file delle regole (.toml)",
        Some("FILE"),
    ),
    (
        "rules load",
        "file",
        "Il file delle regole (.toml)",
        Some("FILE"),
    ),
    (
        "notice list",
        "district",
        "Solo questo ambito (codice o nome)",
        Some("AMBITO"),
    ),
    ("notice list", "format", FORMAT, Some("FORMATO")),
    (
        "notice create",
        "district",
        "Ambito: codice o nome",
        Some("AMBITO"),
    ),
    (
        "notice create",
        "title",
        "Titolo dell'avviso",
        Some("TITOLO"),
    ),
    (
        "notice create",
        "opens",
        "Giorno di apertura (GG/MM/AAAA o AAAA-MM-GG)",
        Some("DATA"),
    ),
    (
        "notice create",
        "closes",
        "Giorno di chiusura: almeno la durata minima delle regole (30 giorni) dopo l'apertura",
        Some("DATA"),
    ),
    (
        "notice create",
        "rules",
        "Insieme di regole: id o citazione (predefinito: quello in vigore il giorno di apertura)",
        Some("REGOLE"),
    ),
    ("notice create", "format", FORMAT, Some("FORMATO")),
    ("notice show", "id", "Numero dell'avviso", Some("ID")),
    ("notice show", "format", FORMAT, Some("FORMATO")),
    ("notice close", "id", "Numero dell'avviso", Some("ID")),
    (
        "applications import",
        "file",
        "Il file delle domande (.csv o .xlsx)",
        Some("FILE"),
    ),
    (
        "applications import",
        "notice",
        "Numero dell'avviso",
        Some("AVVISO"),
    ),
    (
        "applications import",
        "sheet",
        "Foglio di un file Excel (predefinito: il primo)",
        Some("FOGLIO"),
    ),
    (
        "applications import",
        "report",
        "Scrive anche i problemi in questo file CSV (- per lo standard output)",
        Some("FILE"),
    ),
    (
        "applications import",
        "force",
        "Sostituisce il file del rapporto se esiste",
        None,
    ),
    (
        "applications import",
        "dry_run",
        "Solo verifica: non memorizza nulla",
        None,
    ),
    (
        "rankings compute",
        "notice",
        "Numero dell'avviso",
        Some("AVVISO"),
    ),
    ("rankings compute", "format", FORMAT, Some("FORMATO")),
    (
        "rankings show",
        "notice",
        "Numero dell'avviso",
        Some("AVVISO"),
    ),
    (
        "rankings show",
        "owner",
        "Solo le graduatorie di questo ente (nome, codice fiscale o codice ISTAT)",
        Some("ENTE"),
    ),
    (
        "rankings show",
        "comune",
        "Solo le graduatorie di questo comune (nome o codice ISTAT)",
        Some("COMUNE"),
    ),
    (
        "rankings show",
        "limit",
        "Al più N righe per graduatoria",
        Some("N"),
    ),
    ("rankings show", "format", FORMAT, Some("FORMATO")),
    (
        "rankings excluded",
        "notice",
        "Numero dell'avviso",
        Some("AVVISO"),
    ),
    (
        "rankings excluded",
        "preferences",
        "Elenca invece gli alloggi scelti non considerati",
        None,
    ),
    ("rankings excluded", "format", FORMAT, Some("FORMATO")),
    (
        "rankings export",
        "notice",
        "Numero dell'avviso",
        Some("AVVISO"),
    ),
    (
        "rankings export",
        "out",
        "File da scrivere (.xlsx; - per lo standard output)",
        Some("FILE"),
    ),
    (
        "rankings export",
        "force",
        "Sostituisce FILE se esiste",
        None,
    ),
    (
        "rankings export",
        "internal",
        "Modulo interno: anche i punteggi parziali e l'ISEE",
        None,
    ),
    (
        "rankings compare",
        "notice",
        "Numero dell'avviso",
        Some("AVVISO"),
    ),
    (
        "rankings compare",
        "rules",
        "Insieme di regole memorizzato: id o citazione",
        Some("REGOLE"),
    ),
    (
        "rankings compare",
        "rules_file",
        "Un file di regole non caricato",
        Some("FILE"),
    ),
    ("rankings compare", "format", FORMAT, Some("FORMATO")),
    (
        "rankings correct",
        "notice",
        "Numero dell'avviso",
        Some("AVVISO"),
    ),
    (
        "rankings correct",
        "application",
        "ID domanda",
        Some("DOMANDA"),
    ),
    (
        "rankings correct",
        "member",
        "Codice fiscale del componente",
        Some("CODICE"),
    ),
    (
        "rankings correct",
        "disability_pct",
        "Percentuale di invalidità riconosciuta (0-100)",
        Some("PCT"),
    ),
    (
        "rankings correct",
        "attendance",
        "Con indennità di accompagnamento",
        None,
    ),
    (
        "rankings finalize",
        "notice",
        "Numero dell'avviso",
        Some("AVVISO"),
    ),
    (
        "assignments ledger",
        "year",
        "Anno (se non indicato: l'anno in corso)",
        Some("ANNO"),
    ),
    ("assignments ledger", "owner", OWNER, Some("ENTE")),
    (
        "assignments ledger",
        "comune",
        "Comune: nome o codice ISTAT",
        Some("COMUNE"),
    ),
    ("assignments ledger", "format", FORMAT, Some("FORMATO")),
    (
        "assignments propose",
        "unit",
        "ID alloggio",
        Some("ALLOGGIO"),
    ),
    ("assignments propose", "owner", OWNER, Some("ENTE")),
    (
        "assignments propose",
        "comune",
        "Comune: nome o codice ISTAT",
        Some("COMUNE"),
    ),
    (
        "assignments propose",
        "dry_run",
        "Mostra cosa verrebbe proposto senza scrivere nulla",
        None,
    ),
    ("assignments propose", "format", FORMAT, Some("FORMATO")),
    (
        "assignments show",
        "assignment",
        "Numero dell'assegnazione",
        Some("ASSEGNAZIONE"),
    ),
    ("assignments show", "format", FORMAT, Some("FORMATO")),
    (
        "assignments offer",
        "assignment",
        "Numero dell'assegnazione",
        Some("ASSEGNAZIONE"),
    ),
    (
        "assignments offer",
        "answer_by",
        "Risposta entro (GG/MM/AAAA o AAAA-MM-GG)",
        Some("DATA"),
    ),
    (
        "assignments offer",
        "expected_version",
        "Versione letta con show: rifiutato se qualcuno ha cambiato l'assegnazione nel frattempo",
        Some("V"),
    ),
    (
        "assignments accept",
        "assignment",
        "Numero dell'assegnazione",
        Some("ASSEGNAZIONE"),
    ),
    (
        "assignments accept",
        "expected_version",
        "Versione letta con show: rifiutato se qualcuno ha cambiato l'assegnazione nel frattempo",
        Some("V"),
    ),
    (
        "assignments refuse",
        "assignment",
        "Numero dell'assegnazione",
        Some("ASSEGNAZIONE"),
    ),
    (
        "assignments refuse",
        "no_answer",
        "Nessuna risposta entro la scadenza",
        None,
    ),
    (
        "assignments refuse",
        "reason",
        "Motivo del rifiuto",
        Some("MOTIVO"),
    ),
    (
        "assignments refuse",
        "expected_version",
        "Versione letta con show: rifiutato se qualcuno ha cambiato l'assegnazione nel frattempo",
        Some("V"),
    ),
    (
        "assignments cancel",
        "assignment",
        "Numero dell'assegnazione",
        Some("ASSEGNAZIONE"),
    ),
    (
        "assignments cancel",
        "reason",
        "Motivo dell'interruzione",
        Some("MOTIVO"),
    ),
    (
        "assignments cancel",
        "missing_requirement",
        "Requisito di accesso mancante (ad es. ISEE, PATRIMONIO, RESIDENZA)",
        Some("REQUISITO"),
    ),
    (
        "assignments cancel",
        "missing_condition",
        "Condizione di punteggio non documentata (il suo codice, ad es. RILASCIO_ALLOGGIO)",
        Some("CONDIZIONE"),
    ),
    (
        "assignments cancel",
        "expected_version",
        "Versione letta con show: rifiutato se qualcuno ha cambiato l'assegnazione nel frattempo",
        Some("V"),
    ),
    (
        "assignments assign",
        "assignment",
        "Numero dell'assegnazione",
        Some("ASSEGNAZIONE"),
    ),
    (
        "assignments assign",
        "act",
        "Numero del provvedimento",
        Some("NUMERO"),
    ),
    (
        "assignments assign",
        "act_date",
        "Data del provvedimento (GG/MM/AAAA o AAAA-MM-GG)",
        Some("DATA"),
    ),
    (
        "assignments assign",
        "lease_date",
        "Data del contratto (GG/MM/AAAA o AAAA-MM-GG): l'alloggio diventa OCCUPATO",
        Some("DATA"),
    ),
    (
        "assignments assign",
        "expected_version",
        "Versione letta con show: rifiutato se qualcuno ha cambiato l'assegnazione nel frattempo",
        Some("V"),
    ),
    (
        "assignments lease",
        "assignment",
        "Numero dell'assegnazione",
        Some("ASSEGNAZIONE"),
    ),
    (
        "assignments lease",
        "date",
        "Data del contratto (GG/MM/AAAA o AAAA-MM-GG)",
        Some("DATA"),
    ),
    (
        "assignments lease",
        "expected_version",
        "Versione letta con show: rifiutato se qualcuno ha cambiato l'assegnazione nel frattempo",
        Some("V"),
    ),
    (
        "assignments list",
        "year",
        "Anno (se non indicato: l'anno in corso)",
        Some("ANNO"),
    ),
    ("assignments list", "owner", OWNER, Some("ENTE")),
    (
        "assignments list",
        "comune",
        "Comune: nome o codice ISTAT",
        Some("COMUNE"),
    ),
    (
        "assignments list",
        "stage",
        "Solo questa fase (PROPOSTA, OFFERTA, ACCETTATA, ASSEGNATA, RIFIUTATA, \"SENZA RISPOSTA\", ANNULLATA)",
        Some("FASE"),
    ),
    ("assignments list", "format", FORMAT, Some("FORMATO")),
    (
        "assignments export",
        "year",
        "Anno (se non indicato: l'anno in corso)",
        Some("ANNO"),
    ),
    ("assignments export", "owner", OWNER, Some("ENTE")),
    (
        "assignments export",
        "out",
        "File da scrivere (.xlsx; - per lo standard output)",
        Some("FILE"),
    ),
    (
        "assignments export",
        "force",
        "Sostituisce FILE se esiste",
        None,
    ),
    ("assignments what-if", "owner", OWNER, Some("ENTE")),
    (
        "assignments what-if",
        "comune",
        "Comune: nome o codice ISTAT",
        Some("COMUNE"),
    ),
    (
        "assignments what-if",
        "year",
        "Anno (se non indicato: l'anno in corso)",
        Some("ANNO"),
    ),
    (
        "assignments what-if",
        "rules",
        "Insieme di regole memorizzato: id o citazione",
        Some("REGOLE"),
    ),
    (
        "assignments what-if",
        "rules_file",
        "Un file di regole non caricato",
        Some("FILE"),
    ),
    (
        "assignments what-if",
        "indigenti_pct",
        "Lettera h: percentuale oltre il 20% per gli indigenti",
        Some("PCT"),
    ),
    ("assignments what-if", "format", FORMAT, Some("FORMATO")),
    ("isbar explain", "id", "ID domanda", Some("DOMANDA")),
    (
        "isbar explain",
        "notice",
        "L'avviso (necessario quando l'ID domanda è in più avvisi)",
        Some("AVVISO"),
    ),
    ("isbar explain", "format", FORMAT, Some("FORMATO")),
    (
        "db backup",
        "file",
        "La copia da scrivere (rifiutata se esiste, salvo --force; - per lo standard output)",
        Some("FILE"),
    ),
    ("db backup", "force", "Sostituisce FILE se esiste", None),
    (
        "db restore",
        "file",
        "Una copia fatta con `casa db backup`",
        Some("FILE"),
    ),
    (
        "db check",
        "file",
        "Il file da controllare (predefinito: il database)",
        Some("FILE"),
    ),
    ("db check", "format", FORMAT, Some("FORMATO")),
    (
        "operators key add",
        "username",
        "Nome utente dell'operatore",
        Some("UTENTE"),
    ),
    (
        "operators key add",
        "file",
        "La chiave pubblica: un file .pub, oppure - per lo standard input",
        Some("FILE.pub"),
    ),
    (
        "operators key list",
        "username",
        "Solo le chiavi di questo operatore",
        Some("UTENTE"),
    ),
    ("operators key list", "format", FORMAT, Some("FORMATO")),
    (
        "operators key remove",
        "fingerprint",
        "L'impronta della chiave, come la stampa `casa operators key list`",
        Some("SHA256:…"),
    ),
    (
        "districts show",
        "district",
        "Codice (ad es. BG-SERIATE) o nome dell'ambito",
        Some("AMBITO"),
    ),
    ("districts show", "format", FORMAT, Some("FORMATO")),
    (
        "districts create",
        "code",
        "Codice: lettere maiuscole, cifre e - (ad es. BG-SERIATE)",
        Some("CODICE"),
    ),
    ("districts create", "name", "Nome dell'ambito", Some("NOME")),
    (
        "districts create",
        "comuni",
        "Comuni dell'ambito per codice ISTAT (ripetibile o separati da virgola)",
        Some("ISTAT"),
    ),
    (
        "districts rename",
        "district",
        "Codice o nome dell'ambito",
        Some("AMBITO"),
    ),
    ("districts rename", "name", "Nuovo nome", Some("NOME")),
    (
        "districts rename",
        "version",
        "Rifiuta se l'ambito è cambiato dopo la lettura a questa versione",
        Some("V"),
    ),
    (
        "districts comuni",
        "district",
        "Codice o nome dell'ambito",
        Some("AMBITO"),
    ),
    (
        "districts comuni",
        "add",
        "Comuni da aggiungere (codice ISTAT, ripetibile)",
        Some("ISTAT"),
    ),
    (
        "districts comuni",
        "remove",
        "Comuni da togliere (codice ISTAT, ripetibile)",
        Some("ISTAT"),
    ),
    (
        "districts comuni",
        "version",
        "Rifiuta se l'ambito è cambiato dopo la lettura a questa versione",
        Some("V"),
    ),
    (
        "districts capofila",
        "district",
        "Codice o nome dell'ambito",
        Some("AMBITO"),
    ),
    (
        "districts capofila",
        "comune",
        "Il comune nominato (codice ISTAT o nome; tra i comuni dell'ambito)",
        Some("COMUNE"),
    ),
    (
        "districts capofila",
        "act_date",
        "Data dell'atto di nomina (GG/MM/AAAA o AAAA-MM-GG)",
        Some("DATA"),
    ),
    (
        "districts capofila",
        "act",
        "Estremi dell'atto (ad es. \"Verbale Assemblea dei Sindaci n. 3/2025\")",
        Some("ESTREMI"),
    ),
    (
        "districts capofila",
        "version",
        "Rifiuta se l'ambito è cambiato dopo la lettura a questa versione",
        Some("V"),
    ),
    (
        "registrations request",
        "surname",
        "Cognome",
        Some("COGNOME"),
    ),
    ("registrations request", "name", "Nome", Some("NOME")),
    (
        "registrations request",
        "username",
        "Nome utente (lettere minuscole, cifre, . - _)",
        Some("UTENTE"),
    ),
    (
        "registrations request",
        "tax_code",
        "Codice fiscale della persona",
        Some("CODICE"),
    ),
    (
        "registrations request",
        "email",
        "Indirizzo e-mail",
        Some("EMAIL"),
    ),
    ("registrations request", "owner", OWNER, Some("ENTE")),
    (
        "registrations request",
        "services",
        "Servizi: anagrafe, avvisi, occupanti, programmazione (ripetibile o separati da virgola)",
        Some("SERVIZIO"),
    ),
    (
        "registrations request",
        "key",
        "La chiave pubblica della persona (file .pub, oppure - per lo standard input); via SSH con una chiave non registrata si allega quella del collegamento",
        Some("FILE.pub"),
    ),
    ("registrations request", "format", FORMAT, Some("FORMATO")),
    (
        "registrations list",
        "status",
        "in-attesa (predefinito), validata, respinta o tutte",
        Some("STATO"),
    ),
    ("registrations list", "format", FORMAT, Some("FORMATO")),
    (
        "registrations show",
        "id",
        "Numero della richiesta",
        Some("N"),
    ),
    ("registrations show", "format", FORMAT, Some("FORMATO")),
    (
        "registrations validate",
        "id",
        "Numero della richiesta",
        Some("N"),
    ),
    (
        "registrations validate",
        "version",
        "Rifiuta se la richiesta è cambiata dopo la lettura a questa versione",
        Some("V"),
    ),
    (
        "registrations reject",
        "id",
        "Numero della richiesta",
        Some("N"),
    ),
    (
        "registrations reject",
        "reason",
        "Il motivo (lo legge chi ha inviato la richiesta)",
        Some("MOTIVO"),
    ),
    (
        "registrations reject",
        "version",
        "Rifiuta se la richiesta è cambiata dopo la lettura a questa versione",
        Some("V"),
    ),
    (
        "audit list",
        "user",
        "Solo le operazioni di questo operatore (--operator è chi chiede)",
        Some("UTENTE"),
    ),
    (
        "audit list",
        "entity",
        "Solo le operazioni su questo tipo di oggetto (operator, unit, plan, district, …)",
        Some("OGGETTO"),
    ),
    (
        "audit list",
        "entity_id",
        "Solo le operazioni su questo oggetto (con --entity)",
        Some("ID"),
    ),
    (
        "audit list",
        "action",
        "Un'azione (plan.approve) o un gruppo di azioni (operatore: ogni operatore.…)",
        Some("AZIONE"),
    ),
    (
        "audit list",
        "from",
        "Dal giorno (GG/MM/AAAA o AAAA-MM-GG, ora locale) o istante (RFC 3339)",
        Some("DATA"),
    ),
    (
        "audit list",
        "to",
        "Al giorno incluso (GG/MM/AAAA o AAAA-MM-GG) o istante (RFC 3339, escluso)",
        Some("DATA"),
    ),
    (
        "audit list",
        "before",
        "Solo i record con numero minore (pagina successiva: l'ultimo numero mostrato)",
        Some("N"),
    ),
    (
        "audit list",
        "limit",
        "Record al massimo (predefinito 100)",
        Some("N"),
    ),
    ("audit list", "format", FORMAT, Some("FORMATO")),
    ("audit show", "id", "Numero del record", Some("N")),
    ("audit show", "format", FORMAT, Some("FORMATO")),
    (
        "audit verify",
        "checkpoint",
        "Un punto di controllo scritto da `casa audit checkpoint` (- per lo standard input)",
        Some("FILE"),
    ),
    ("audit verify", "format", FORMAT, Some("FORMATO")),
    (
        "audit checkpoint",
        "out",
        "Dove scriverlo, un file .json (predefinito -: lo standard output)",
        Some("FILE"),
    ),
    (
        "audit checkpoint",
        "force",
        "Sostituisce FILE se esiste",
        None,
    ),
    (
        "ssh authorized-keys",
        "key",
        "Una chiave: TIPO BASE64 (%t %k), solo BASE64 (%k) o una riga .pub intera",
        Some("CHIAVE"),
    ),
    (
        "ssh authorized-keys",
        "no_registration",
        "Nessuna sessione di registrazione per una chiave sconosciuta (non si stampa nulla)",
        None,
    ),
    (
        "ssh authorized-keys",
        "casa",
        "Il programma casa che le righe avviano (predefinito: questo)",
        Some("PERCORSO"),
    ),
    (
        "session",
        "key",
        "L'impronta della chiave autenticata da OpenSSH (SHA256:…): agisce il suo operatore",
        Some("SHA256:…"),
    ),
    (
        "session",
        "register_key",
        "Una chiave sconosciuta (TIPO BASE64): una sessione di sola registrazione",
        Some("CHIAVE"),
    ),
];

/// The commands that take the search filters.
const FILTERED: [&str; 4] = ["units search", "units count", "units export", "units mark"];

/// The subcommand of `cmd` at `path` (space-separated names), changed by `f`.
/// (A path that names no command changes nothing: the test below reports it.)
fn at(cmd: Command, path: &str, f: &mut dyn FnMut(Command) -> Command) -> Command {
    let (first, rest) = path.split_once(' ').unwrap_or((path, ""));
    if first.is_empty() {
        return f(cmd);
    }
    if cmd.find_subcommand(first).is_none() {
        return cmd;
    }
    if rest.is_empty() {
        cmd.mut_subcommand(first, f)
    } else {
        cmd.mut_subcommand(first, |c| at(c, rest, f))
    }
}

fn has_arg(cmd: &Command, id: &str) -> bool {
    cmd.get_arguments().any(|a| a.get_id() == id)
}

/// `cmd` (casa's command tree) with the Italian help.
pub fn italian(mut cmd: Command) -> Command {
    for (path, about) in COMMANDS
        .iter()
        .chain(super::help_it_occupations::COMMANDS)
        .chain(super::help_it_registry::COMMANDS)
    {
        cmd = at(cmd, path, &mut |c| c.about(*about).long_about(None));
    }
    let filters = FILTERED
        .iter()
        .flat_map(|p| FILTERS.iter().map(move |(id, help)| (*p, *id, *help, None)));
    for (path, id, help, value) in ARGS
        .iter()
        .copied()
        .chain(filters)
        .chain(super::help_it_occupations::args())
        .chain(super::help_it_registry::args())
    {
        cmd = at(cmd, path, &mut |c| {
            if !has_arg(&c, id) {
                return c;
            }
            c.mut_arg(id, |a| {
                let a = a.help(help).long_help(None);
                match value {
                    Some(v) if a.get_action().takes_values() => a.value_name(v),
                    _ => a,
                }
            })
        });
    }
    cmd
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// Every visible command and option of the tree, as (path, id or "").
    fn tree(cmd: &Command, path: &str, out: &mut Vec<(String, String)>) {
        if cmd.is_hide_set() {
            return;
        }
        out.push((path.to_string(), String::new()));
        for a in cmd.get_arguments() {
            let id = a.get_id().as_str();
            let clap_own = matches!(
                a.get_action(),
                clap::ArgAction::Help
                    | clap::ArgAction::HelpShort
                    | clap::ArgAction::HelpLong
                    | clap::ArgAction::Version
            );
            if a.is_hide_set() || clap_own {
                continue;
            }
            if !path.is_empty() && a.is_global_set() {
                continue;
            }
            out.push((path.to_string(), id.to_string()));
        }
        for s in cmd.get_subcommands() {
            let p = if path.is_empty() {
                s.get_name().to_string()
            } else {
                format!("{path} {}", s.get_name())
            };
            tree(s, &p, out);
        }
    }

    fn known(path: &str, id: &str) -> bool {
        let occupations = super::super::help_it_occupations::COMMANDS;
        let registry = super::super::help_it_registry::COMMANDS;
        if id.is_empty() {
            return COMMANDS
                .iter()
                .chain(occupations)
                .chain(registry)
                .any(|(p, _)| *p == path);
        }
        ARGS.iter().any(|(p, i, _, _)| *p == path && *i == id)
            || super::super::help_it_occupations::args().any(|(p, i, _, _)| p == path && i == id)
            || super::super::help_it_registry::args().any(|(p, i, _, _)| p == path && i == id)
            || (FILTERED.contains(&path) && FILTERS.iter().any(|(i, _)| *i == id))
    }

    #[test]
    fn every_command_and_option_has_its_italian_help() {
        let mut all = Vec::new();
        tree(&crate::cli::Cli::command(), "", &mut all);
        let missing: Vec<String> = all
            .iter()
            .filter(|(p, i)| !known(p, i))
            .map(|(p, i)| format!("casa {p} {i}"))
            .collect();
        assert!(missing.is_empty(), "no Italian help for: {missing:?}");
        // And nothing here names a command or option that is gone.
        let exists = |p: &str, i: &str| all.iter().any(|(ap, ai)| ap == p && ai == i);
        for (p, _) in COMMANDS
            .iter()
            .chain(super::super::help_it_occupations::COMMANDS)
            .chain(super::super::help_it_registry::COMMANDS)
        {
            assert!(exists(p, ""), "stale command {p:?}");
        }
        for (p, i, _, _) in
            super::super::help_it_occupations::args().chain(super::super::help_it_registry::args())
        {
            assert!(exists(p, i), "stale option {p:?} {i:?}");
        }
        for (p, i, _, _) in ARGS {
            // Hidden commands (tests' build only) are not in the tree.
            assert!(exists(p, i), "stale option {p:?} {i:?}");
        }
    }
}
