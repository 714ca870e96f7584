//! People's names for demo tenants and operators: common Italian first names and surnames
//! (Lombard surnames well represented), and the commonest origins of foreign-born residents of
//! Lombardy with names typical of each and their foreign-state codes (Belfiore `Z…`).

use rand::Rng;

#[rustfmt::skip]
pub const MALE: &[&str] = &[
    "Giuseppe", "Giovanni", "Antonio", "Mario", "Luigi", "Francesco", "Angelo", "Vincenzo",
    "Pietro", "Salvatore", "Carlo", "Franco", "Domenico", "Bruno", "Paolo", "Michele",
    "Giorgio", "Aldo", "Sergio", "Luciano", "Roberto", "Alberto", "Renato", "Enrico", "Marco",
    "Andrea", "Alessandro", "Stefano", "Massimo", "Davide", "Luca", "Matteo", "Simone",
    "Federico", "Lorenzo", "Gabriele", "Riccardo", "Daniele", "Claudio", "Fabio", "Maurizio",
    "Giancarlo", "Gianni", "Ernesto", "Walter", "Emilio", "Ugo", "Cesare", "Raffaele",
    "Gaetano", "Rocco", "Nicola", "Tommaso", "Leonardo", "Edoardo", "Mattia", "Filippo",
    "Diego", "Samuele", "Christian", "Nicolò", "Emanuele", "Valerio", "Dario", "Ivan", "Fausto",
    "Gianluca", "Cristian", "Ottavio", "Ambrogio", "Natale", "Arturo", "Umberto", "Guido",
    "Elia",
];

#[rustfmt::skip]
pub const FEMALE: &[&str] = &[
    "Maria", "Anna", "Giuseppina", "Rosa", "Angela", "Giovanna", "Teresa", "Lucia", "Carmela",
    "Caterina", "Francesca", "Antonietta", "Carla", "Franca", "Rita", "Luigia", "Elena",
    "Paola", "Laura", "Giulia", "Sara", "Chiara", "Martina", "Alessandra", "Silvia",
    "Valentina", "Federica", "Simona", "Cristina", "Barbara", "Roberta", "Monica", "Daniela",
    "Patrizia", "Elisabetta", "Emma", "Sofia", "Aurora", "Alice", "Ginevra", "Beatrice",
    "Greta", "Noemi", "Marta", "Irene", "Ilaria", "Francesca", "Graziella", "Luisa", "Ornella",
    "Mirella", "Adriana", "Bruna", "Gabriella", "Marisa", "Silvana", "Vittoria", "Ada", "Ida",
    "Lina", "Pierina", "Ambrogina", "Assunta", "Concetta", "Immacolata", "Nicoletta", "Tiziana",
    "Manuela", "Stefania", "Camilla", "Giorgia", "Arianna", "Letizia", "Nicole", "Rebecca",
];

#[rustfmt::skip]
pub const SURNAMES: &[&str] = &[
    "Rossi", "Colombo", "Ferrari", "Russo", "Bianchi", "Romano", "Esposito", "Ricci",
    "Brambilla", "Villa", "Sala", "Galli", "Fumagalli", "Marino", "Greco", "Bruno", "Gallo",
    "Conti", "Costa", "Giordano", "Mancini", "Lombardi", "Moretti", "Barbieri", "Fontana",
    "Santoro", "Mariani", "Rinaldi", "Caruso", "Ferrara", "Cattaneo", "Martini", "Leone",
    "Longo", "Gentile", "Martinelli", "Vitale", "Lombardo", "Serra", "Coppola", "De Luca",
    "De Santis", "D'Angelo", "Marchetti", "Parisi", "Conte", "Ferraro", "Ferri", "Fabbri",
    "Bianco", "Marini", "Grasso", "Valentini", "Messina", "De Angelis", "Gatti", "Pellegrini",
    "Palumbo", "Sanna", "Farina", "Rizzi", "Monti", "Morelli", "Amato", "Silvestri", "Mazza",
    "Testa", "Grassi", "Pellegrino", "Carbone", "Giuliani", "Benedetti", "Barone", "Rossetti",
    "Caputo", "Montanari", "Guerra", "Palmieri", "Bernardi", "Martino", "Fiore", "De Rosa",
    "Ferretti", "Bellini", "Basile", "Riva", "Donati", "Piras", "Vitali", "Battaglia",
    "Sartori", "Neri", "Costantini", "Milani", "Pagano", "Ruggiero", "Sorrentino", "D'Amico",
    "Orlando", "Negri", "Mauri", "Galbiati", "Pozzi", "Sironi", "Redaelli", "Crippa", "Longoni",
    "Tagliabue", "Bonfanti", "Invernizzi", "Bonomi", "Bertoli", "Pedrini", "Zanetti", "Bosio",
    "Locatelli", "Pesenti", "Rota", "Carminati", "Belotti", "Gritti", "Manzoni", "Corna",
    "Beretta", "Frigerio", "Meroni", "Radaelli", "Cazzaniga", "Mapelli", "Tremolada", "Arosio",
    "Molteni", "Nava", "Panzeri", "Vergani", "Lodi", "Bassi", "Ghezzi", "Fossati", "Pirovano",
    "Ronchi", "Zanoni", "Bettoni", "Ghidini", "Facchinetti", "Marchesi", "Dell'Acqua",
    "Lo Russo", "Di Stefano", "La Rosa", "Esposti", "Cereda", "Gervasoni", "Mariotti",
    "Bergamaschi", "Cremonesi", "Pavesi",
];

/// An origin of foreign-born tenants: names typical of it and the foreign-state codes.
pub struct Origin {
    pub weight: u32,
    pub states: &'static [&'static str],
    pub male: &'static [&'static str],
    pub female: &'static [&'static str],
    pub surnames: &'static [&'static str],
}

/// Foreign-state codes (codice catastale `Z…`): Marocco Z330, Egitto Z336, Tunisia Z352,
/// Albania Z100, Romania Z129, Ucraina Z138, Moldavia Z140, Perù Z611, Ecuador Z605,
/// Filippine Z216, Cina Z210, Sri Lanka Z209, Pakistan Z236, India Z222, Bangladesh Z249,
/// Senegal Z343, Nigeria Z335.
#[rustfmt::skip]
pub const ORIGINS: &[Origin] = &[
    Origin {
        weight: 26,
        states: &["Z330", "Z330", "Z336", "Z352"],
        male: &["Mohamed", "Ahmed", "Youssef", "Said", "Karim", "Hassan", "Omar", "Rachid", "Mustafa", "Abdel"],
        female: &["Fatima", "Khadija", "Amina", "Naima", "Samira", "Latifa", "Salma", "Houda", "Nadia"],
        surnames: &["El Amrani", "Benali", "Bouzid", "El Idrissi", "Haddad", "Mansour", "Saidi", "Chakir", "Abdelaziz", "Hamdi", "Ben Salem"],
    },
    Origin {
        weight: 18,
        states: &["Z100"],
        male: &["Arben", "Ilir", "Gentian", "Altin", "Besnik", "Artan", "Fatmir", "Klodian"],
        female: &["Elona", "Blerina", "Anila", "Mirela", "Valbona", "Entela", "Brunilda"],
        surnames: &["Hoxha", "Shehu", "Gjoka", "Dervishi", "Kola", "Leka", "Marku", "Prifti", "Basha"],
    },
    Origin {
        weight: 16,
        states: &["Z129", "Z129", "Z138", "Z140"],
        male: &["Ion", "Andrei", "Mihai", "Florin", "Vasile", "Ivan", "Sergiu", "Oleksandr"],
        female: &["Elena", "Ioana", "Andreea", "Mihaela", "Natalia", "Olena", "Svetlana", "Tatiana"],
        surnames: &["Popescu", "Ionescu", "Popa", "Constantin", "Rusu", "Ciobanu", "Kovalenko", "Shevchenko", "Munteanu"],
    },
    Origin {
        weight: 14,
        states: &["Z611", "Z605"],
        male: &["José", "Luis", "Carlos", "Jorge", "Juan", "Miguel", "Victor", "Edwin"],
        female: &["Rosa", "Carmen", "Ana", "Gladys", "Maritza", "Jessica", "Lucía", "Yolanda"],
        surnames: &["Quispe", "Flores", "Mendoza", "Chávez", "García", "Torres", "Ramírez", "Vásquez", "Huamán"],
    },
    Origin {
        weight: 9,
        states: &["Z216"],
        male: &["Jose", "Mark", "John", "Romeo", "Rodel", "Arnel"],
        female: &["Maricel", "Jocelyn", "Rowena", "Marilou", "Rosalie", "Analyn"],
        surnames: &["Santos", "Reyes", "Cruz", "Bautista", "Dela Cruz", "Mendoza", "Garcia", "Aquino"],
    },
    Origin {
        weight: 6,
        states: &["Z210"],
        male: &["Wei", "Jian", "Jun", "Hao", "Ming", "Qiang"],
        female: &["Mei", "Ying", "Li", "Xiaoli", "Hong", "Yan"],
        surnames: &["Hu", "Chen", "Wang", "Zhou", "Lin", "Zhang", "Ye", "Xu"],
    },
    Origin {
        weight: 7,
        states: &["Z209", "Z236", "Z222", "Z249"],
        male: &["Mohammad", "Imran", "Nimal", "Ravi", "Ashok", "Rahim", "Kamal", "Harjit"],
        female: &["Priya", "Nadia", "Shanti", "Fatema", "Sunita", "Ayesha", "Dilani"],
        surnames: &["Khan", "Hossain", "Ahmed", "Perera", "Fernando", "Silva", "Singh", "Kaur", "Rahman"],
    },
    Origin {
        weight: 4,
        states: &["Z343", "Z335"],
        male: &["Mamadou", "Cheikh", "Ibrahima", "Moussa", "Emeka", "Chinedu"],
        female: &["Aminata", "Fatou", "Awa", "Ngozi", "Mariama", "Blessing"],
        surnames: &["Diop", "Ndiaye", "Fall", "Sow", "Okafor", "Okeke", "Diallo", "Ba"],
    },
];

/// Picks from a list with a mild preference for the first entries (common names first), the way
/// real name frequencies fall off.
pub fn pick_common<R: Rng>(rng: &mut R, list: &'static [&'static str]) -> &'static str {
    let x: f64 = rng.random();
    list[((x * x) * list.len() as f64) as usize]
}

/// Picks a name uniformly.
pub fn pick_str<R: Rng>(rng: &mut R, list: &'static [&'static str]) -> &'static str {
    list[rng.random_range(0..list.len())]
}

/// Picks uniformly.
pub fn pick<'a, R: Rng, T>(rng: &mut R, list: &'a [T]) -> &'a T {
    &list[rng.random_range(0..list.len())]
}

/// Picks an origin by weight.
pub fn pick_origin<R: Rng>(rng: &mut R) -> &'static Origin {
    let total: u32 = ORIGINS.iter().map(|o| o.weight).sum();
    let mut x = rng.random_range(0..total);
    for o in ORIGINS {
        if x < o.weight {
            return o;
        }
        x -= o.weight;
    }
    &ORIGINS[0]
}
