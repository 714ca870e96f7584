//! Places for demo buildings and tenants: street names, quartieri of the large cities, postal
//! codes (CAP) in each province's real range, and birth places outside Lombardy.

/// Street names common across Lombardy.
#[rustfmt::skip]
pub const STREETS: &[&str] = &[
    "Via Roma", "Via Giuseppe Garibaldi", "Via Giuseppe Mazzini", "Via Alessandro Manzoni",
    "Via Camillo Benso di Cavour", "Via Dante Alighieri", "Via Vittorio Emanuele II",
    "Via XX Settembre", "Via IV Novembre", "Via XXV Aprile", "Via Giacomo Matteotti",
    "Via Antonio Gramsci", "Via dei Mille", "Via Trieste", "Via Trento", "Via Milano",
    "Via Monte Grappa", "Via Piave", "Via Isonzo", "Via Cesare Battisti", "Via Nazario Sauro",
    "Via Fratelli Cervi", "Via Guglielmo Marconi", "Via Galileo Galilei",
    "Via Leonardo da Vinci", "Via Alessandro Volta", "Via Giuseppe Verdi",
    "Via Gioachino Rossini", "Via Giacomo Puccini", "Via Papa Giovanni XXIII",
    "Via Don Giovanni Minzoni", "Via Aldo Moro", "Via Enrico Fermi", "Via della Repubblica",
    "Via della Libertà", "Via della Resistenza", "Via Europa", "Viale Lombardia",
    "Viale Rimembranze", "Via San Francesco d'Assisi", "Via Sant'Ambrogio", "Via San Carlo",
    "Via Cristoforo Colombo", "Via Torquato Tasso", "Via Ugo Foscolo", "Via Giacomo Leopardi",
    "Via Giovanni Pascoli", "Via Silvio Pellico", "Via Bergamo", "Via Como", "Via Brescia",
    "Via Varese", "Via Monza", "Via Lecco", "Via dei Partigiani", "Via Filippo Turati",
    "Via Pietro Nenni", "Via Luigi Einaudi", "Via Achille Grandi", "Via Martiri della Libertà",
    "Via delle Industrie", "Via dei Tigli", "Via dei Gelsi", "Via delle Rose", "Via Adda",
    "Via Ticino", "Via Po", "Via Oglio", "Via Mincio", "Piazza della Repubblica",
    "Via Salvo D'Acquisto", "Via Giovanni Falcone", "Via Paolo Borsellino",
    "Via Carlo Alberto dalla Chiesa", "Via Don Lorenzo Milani",
];

/// A quartiere with its own streets (empty: use the common ones) and CAP.
pub struct Quartiere {
    pub name: &'static str,
    pub cap: &'static str,
    pub streets: &'static [&'static str],
}

/// A large city with quartieri where its public housing stands.
pub struct City {
    pub istat: &'static str,
    pub quartieri: &'static [Quartiere],
}

const fn q(name: &'static str, cap: &'static str, streets: &'static [&'static str]) -> Quartiere {
    Quartiere { name, cap, streets }
}

/// The large public-housing neighbourhoods of Milano and the quartieri of the other large cities.
#[rustfmt::skip]
pub const CITIES: &[City] = &[
    City {
        istat: "015146", // Milano
        quartieri: &[
            q("Quarto Oggiaro", "20157", &["Via Cesare Pascarella", "Via Pier Lombardo", "Via Lopez", "Via Giovanni Aldini", "Via Carlo Amoretti", "Via Otranto"]),
            q("Gratosoglio", "20142", &["Via dei Missaglia", "Via Saponaro", "Via Baroni", "Via Feraboli"]),
            q("San Siro", "20148", &["Piazzale Selinunte", "Via Zamagna", "Via Micene", "Via Paravia", "Via Tracia", "Via Abbiati"]),
            q("Corvetto", "20139", &["Via dei Cinquecento", "Via Mompiani", "Via Gabrio Rosa", "Via Polesine", "Piazzale Ferrara"]),
            q("Lorenteggio", "20146", &["Via Lorenteggio", "Via Giambellino", "Via Odazio", "Via Segneri", "Via Manzano", "Via Inganni"]),
            q("Molise-Calvairate", "20137", &["Via Molise", "Via Calvairate", "Via Ciceri Visconti", "Via Tommei"]),
            q("Ponte Lambro", "20138", &["Via Ucelli di Nemi", "Via Rilke", "Via Serrati"]),
            q("Comasina", "20161", &["Via Comasina", "Via Teano", "Via Val di Ledro", "Via Adriatico"]),
            q("Stadera", "20141", &["Via Barrili", "Via Palmieri", "Via Neera", "Via Montegani"]),
            q("Niguarda", "20162", &["Via Ornato", "Via Val Maira", "Via Graziano Imperatore"]),
            q("Barona", "20142", &["Via Barona", "Via Santa Rita da Cascia", "Via Voghera"]),
            q("Baggio", "20152", &["Via delle Forze Armate", "Via Cabella", "Via Valle Anzasca", "Via Mar Nero"]),
            q("Quarto Cagnino", "20153", &["Via Quarti", "Via Cividale del Friuli", "Via Gallarate"]),
            q("Bovisa", "20158", &["Via Candiani", "Via Bovisasca", "Via Cosenz"]),
            q("Mazzini", "20139", &["Via Mompiani", "Via Barzoni", "Via Salomone"]),
            q("Forlanini", "20134", &["Via Salomone", "Viale Forlanini", "Via Zama"]),
            q("Villapizzone", "20156", &["Via Console Marcello", "Via Mac Mahon", "Via Grigna"]),
            q("Gallaratese", "20151", &["Via Cilea", "Via Falck", "Via Appennini", "Via Uruguay"]),
        ],
    },
    City {
        istat: "017029", // Brescia
        quartieri: &[
            q("San Polo", "25134", &[]), q("Sanpolino", "25134", &[]), q("Lamarmora", "25124", &[]),
            q("Villaggio Violino", "25132", &[]), q("Chiesanuova", "25125", &[]),
            q("Fiumicello", "25126", &[]), q("Borgo Trento", "25128", &[]), q("Don Bosco", "25124", &[]),
        ],
    },
    City {
        istat: "108033", // Monza
        quartieri: &[
            q("San Rocco", "20900", &[]), q("Cederna", "20900", &[]), q("Libertà", "20900", &[]),
            q("Triante", "20900", &[]), q("San Fruttuoso", "20900", &[]), q("Sant'Albino", "20900", &[]),
        ],
    },
    City {
        istat: "016024", // Bergamo
        quartieri: &[
            q("Celadina", "24125", &[]), q("Malpensata", "24126", &[]), q("Boccaleone", "24125", &[]),
            q("Loreto", "24128", &[]), q("Longuelo", "24129", &[]), q("Redona", "24124", &[]),
            q("Colognola", "24126", &[]),
        ],
    },
    City {
        istat: "013075", // Como
        quartieri: &[
            q("Rebbio", "22100", &[]), q("Camerlata", "22100", &[]), q("Albate", "22100", &[]),
            q("Sagnino", "22100", &[]), q("Tavernola", "22100", &[]),
        ],
    },
    City {
        istat: "012026", // Busto Arsizio
        quartieri: &[
            q("Sant'Anna", "21052", &[]), q("Beata Giuliana", "21052", &[]), q("Borsano", "21052", &[]),
            q("Sacconago", "21052", &[]),
        ],
    },
    City {
        istat: "015209", // Sesto San Giovanni
        quartieri: &[
            q("Rondò", "20099", &[]), q("Pelucca", "20099", &[]), q("Cascina Gatti", "20099", &[]),
            q("Parpagliona", "20099", &[]),
        ],
    },
    City {
        istat: "012133", // Varese
        quartieri: &[
            q("Bizzozero", "21100", &[]), q("Bustecche", "21100", &[]), q("Biumo", "21100", &[]),
            q("Masnago", "21100", &[]), q("Giubiano", "21100", &[]),
        ],
    },
    City {
        istat: "015077", // Cinisello Balsamo
        quartieri: &[
            q("Sant'Eusebio", "20092", &[]), q("Crocetta", "20092", &[]), q("Campo dei Fiori", "20092", &[]),
        ],
    },
    City {
        istat: "019036", // Cremona
        quartieri: &[
            q("Cambonino", "26100", &[]), q("Zaist", "26100", &[]), q("Borgo Loreto", "26100", &[]),
            q("Po", "26100", &[]),
        ],
    },
    City {
        istat: "018110", // Pavia
        quartieri: &[
            q("Pelizza", "27100", &[]), q("Scala", "27100", &[]), q("Vallone", "27100", &[]),
            q("Crosione", "27100", &[]), q("Colombarone", "27100", &[]),
        ],
    },
    City {
        istat: "020030", // Mantova
        quartieri: &[
            q("Lunetta", "46100", &[]), q("Valletta Paiolo", "46100", &[]), q("Te Brunetti", "46100", &[]),
            q("Frassino", "46100", &[]),
        ],
    },
    City {
        istat: "097042", // Lecco
        quartieri: &[
            q("Germanedo", "23900", &[]), q("Acquate", "23900", &[]), q("Castello", "23900", &[]),
            q("Santo Stefano", "23900", &[]), q("Maggianico", "23900", &[]),
        ],
    },
    City {
        istat: "098031", // Lodi
        quartieri: &[
            q("San Fereolo", "26900", &[]), q("Albarola", "26900", &[]), q("Olmo", "26900", &[]),
            q("Selvagreca", "26900", &[]),
        ],
    },
];

pub fn city(istat: &str) -> Option<&'static City> {
    CITIES.iter().find(|c| c.istat == istat)
}

/// Postal-code range of each province (the capital's own code first, then the range of the
/// other comuni).
pub fn cap_range(province: &str) -> (u32, u32, u32) {
    match province {
        "MI" => (20121, 20001, 20099),
        "MB" => (20900, 20811, 20898),
        "BG" => (24121, 24010, 24069),
        "BS" => (25121, 25010, 25089),
        "CO" => (22100, 22010, 22079),
        "CR" => (26100, 26010, 26049),
        "LC" => (23900, 23801, 23898),
        "LO" => (26900, 26811, 26867),
        "MN" => (46100, 46010, 46049),
        "PV" => (27100, 27010, 27059),
        "SO" => (23100, 23010, 23037),
        "VA" => (21100, 21010, 21059),
        _ => (20100, 20010, 20099),
    }
}

/// The CAP of a comune: the capital's own, or a stable code in the province's range derived
/// from the ISTAT code (real CAPs are per comune; we do not hold that table).
pub fn comune_cap(province: &str, istat: &str, is_capital: bool) -> String {
    let (capital, lo, hi) = cap_range(province);
    if is_capital {
        return capital.to_string();
    }
    let n: u32 = istat.parse().unwrap_or(0);
    // A multiplicative hash spreads neighbouring codes over the range.
    let spread = n.wrapping_mul(2_654_435_761) >> 8;
    (lo + spread % (hi - lo + 1)).to_string()
}

/// Birth places elsewhere in Italy (Belfiore codes of large southern and central cities), for
/// tenants who moved to Lombardy: Roma, Napoli, Palermo, Torino, Bari, Catania, Messina, Reggio
/// Calabria, Foggia, Lecce, Salerno, Cosenza, Agrigento, Caserta, Taranto, Siracusa.
#[rustfmt::skip]
pub const ITALY_ELSEWHERE: &[&str] = &[
    "H501", "F839", "G273", "L219", "A662", "C351", "F158", "H224", "D643", "E506", "H703",
    "D086", "A089", "B963", "L049", "I754",
];
