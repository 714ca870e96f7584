//! The audit trail's hash chain. Every record carries the hash of the record before it and
//! its own hash over its number, its fields and that previous hash (SHA-256), so a deleted,
//! edited or reordered record breaks the chain at a place `verify` names. Deleting the newest
//! records leaves a shorter chain that is still whole: a checkpoint (the number and hash of
//! the newest record, exported and kept elsewhere) detects that too, and a whole chain
//! recomputed by someone with the file (SHA-256 has no secret) no longer matches it either.

use sha2::{Digest, Sha256};

/// The previous hash of the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields of one record that the hash covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub id: i64,
    pub at: String,
    pub operator: String,
    pub origin: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// A record as stored: its fields, the previous hash and its own hash as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    pub link: Link,
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
}

/// The hash of `link` chained to `prev` (lower-case hex). Each field is written with its
/// length, and an absent value differently from an empty one, so no two records hash alike.
pub fn hash(prev: &str, link: &Link) -> String {
    let mut h = Sha256::new();
    let mut field = |tag: u8, value: Option<&str>| {
        h.update([tag]);
        match value {
            None => h.update([0u8]),
            Some(v) => {
                h.update([1u8]);
                h.update((v.len() as u64).to_be_bytes());
                h.update(v.as_bytes());
            }
        }
    };
    field(b'p', Some(prev));
    field(b'i', Some(&link.id.to_string()));
    field(b't', Some(&link.at));
    field(b'o', Some(&link.operator));
    field(b'g', Some(&link.origin));
    field(b'a', Some(&link.action));
    field(b'e', Some(&link.entity));
    field(b'k', link.entity_id.as_deref());
    field(b'b', link.before.as_deref());
    field(b'f', link.after.as_deref());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The first place the chain is broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Break {
    /// Records `from..=to` are missing: the numbering jumps over them (deleted, or renumbered).
    Missing { from: i64, to: i64 },
    /// Record `id`'s fields no longer give its hash: edited (or moved to another number).
    Rewritten { id: i64 },
    /// Record `id` does not follow the record before it (`previous`): that one was replaced
    /// or rewritten with a new hash, or `id` was put in another place.
    Unlinked { id: i64, previous: i64 },
    /// Record `id` was written without a hash (by a tool other than casa).
    Unsealed { id: i64 },
    /// The first record does not start the chain: the records before `id` were deleted.
    Headless { id: i64 },
    /// The trail is shorter than the checkpoint: records after `last` up to `checkpoint` were
    /// deleted (or none is left).
    Truncated { last: Option<i64>, checkpoint: i64 },
    /// Record `id` does not have the hash the checkpoint recorded: the chain up to it was
    /// rewritten.
    CheckpointMismatch { id: i64 },
}

impl std::fmt::Display for Break {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Break::Missing { from, to } if from == to => write!(
                f,
                "record {from} mancante: cancellato (o rinumerato) dopo essere stato scritto"
            ),
            Break::Missing { from, to } => write!(
                f,
                "record da {from} a {to} mancanti: cancellati (o rinumerati) dopo essere stati scritti"
            ),
            Break::Rewritten { id } => write!(
                f,
                "record {id} modificato: il suo contenuto non corrisponde più al suo hash"
            ),
            Break::Unlinked { id, previous } => write!(
                f,
                "collegamento spezzato tra il record {previous} e il record {id}: il record {previous} è stato riscritto o sostituito, o il {id} spostato"
            ),
            Break::Unsealed { id } => write!(f, "record {id} senza hash: scritto fuori da casa"),
            Break::Headless { id } => write!(
                f,
                "il primo record presente ({id}) non apre la catena: i record precedenti sono stati cancellati"
            ),
            Break::Truncated {
                last: Some(last),
                checkpoint,
            } => write!(
                f,
                "record da {} a {checkpoint} mancanti: il punto di controllo arriva al record {checkpoint}, il registro si ferma al {last} (gli ultimi record sono stati cancellati)",
                last + 1
            ),
            Break::Truncated {
                last: None,
                checkpoint,
            } => write!(
                f,
                "registro vuoto: il punto di controllo arriva al record {checkpoint} (tutti i record sono stati cancellati)"
            ),
            Break::CheckpointMismatch { id } => write!(
                f,
                "record {id} diverso da quello del punto di controllo: il registro fino al record {id} è stato riscritto"
            ),
        }
    }
}

/// The newest record's number and hash: what a checkpoint keeps.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Head {
    pub id: i64,
    pub hash: String,
}

/// Walks the chain one record at a time, in number order.
#[derive(Debug, Default)]
pub struct Verifier {
    previous: Option<(i64, String)>,
    /// The hash seen for the checkpoint's record.
    at_checkpoint: Option<String>,
    checkpoint: Option<Head>,
    pub checked: u64,
}

impl Verifier {
    pub fn new(checkpoint: Option<Head>) -> Verifier {
        Verifier {
            checkpoint,
            ..Verifier::default()
        }
    }

    /// The next record (by number); the first break found, if any.
    pub fn push(&mut self, r: &Sealed) -> Result<(), Break> {
        let id = r.link.id;
        let (Some(prev_hash), Some(own)) = (&r.prev_hash, &r.hash) else {
            return Err(Break::Unsealed { id });
        };
        match &self.previous {
            None => {
                if prev_hash != GENESIS {
                    // The stored link says a record came before; it is gone.
                    return Err(if id > 1 {
                        Break::Missing {
                            from: 1,
                            to: id - 1,
                        }
                    } else {
                        Break::Headless { id }
                    });
                }
            }
            Some((pid, phash)) => {
                // A gap in the numbering with an unbroken link was there before the chain was
                // sealed (records deleted before casa kept a chain); a gap that breaks the
                // link is a deletion.
                if prev_hash != phash {
                    return Err(if id > pid + 1 {
                        Break::Missing {
                            from: pid + 1,
                            to: id - 1,
                        }
                    } else {
                        Break::Unlinked { id, previous: *pid }
                    });
                }
            }
        }
        if &hash(prev_hash, &r.link) != own {
            return Err(Break::Rewritten { id });
        }
        if self.checkpoint.as_ref().is_some_and(|c| c.id == id) {
            self.at_checkpoint = Some(own.clone());
        }
        self.previous = Some((id, own.clone()));
        self.checked += 1;
        Ok(())
    }

    /// After the last record: the checkpoint's record must be there with its hash. Returns the
    /// newest record (the head to keep as the next checkpoint).
    pub fn finish(self) -> Result<Option<Head>, Break> {
        let head = self.previous.map(|(id, hash)| Head { id, hash });
        if let Some(c) = &self.checkpoint {
            match (&head, &self.at_checkpoint) {
                (_, Some(h)) if *h == c.hash => {}
                (_, Some(_)) => return Err(Break::CheckpointMismatch { id: c.id }),
                (Some(h), None) if h.id > c.id => {
                    return Err(Break::CheckpointMismatch { id: c.id });
                }
                (h, None) => {
                    return Err(Break::Truncated {
                        last: h.as_ref().map(|h| h.id),
                        checkpoint: c.id,
                    });
                }
            }
        }
        Ok(head)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<Sealed> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|id| {
                let link = Link {
                    id,
                    at: format!("2026-01-0{}T10:00:00Z", id % 9 + 1),
                    operator: "regione".into(),
                    origin: "locale mario".into(),
                    action: "operatore.stato".into(),
                    entity: "operator".into(),
                    entity_id: Some(format!("op{id}")),
                    before: None,
                    after: Some(format!("{{\"n\":{id}}}")),
                };
                let h = hash(&prev, &link);
                let s = Sealed {
                    link,
                    prev_hash: Some(prev.clone()),
                    hash: Some(h.clone()),
                };
                prev = h;
                s
            })
            .collect()
    }

    fn verify(records: &[Sealed], checkpoint: Option<Head>) -> Result<Option<Head>, Break> {
        let mut v = Verifier::new(checkpoint);
        for r in records {
            v.push(r)?;
        }
        v.finish()
    }

    #[test]
    fn a_whole_chain_verifies_and_gives_its_head() {
        let c = chain(5);
        let head = verify(&c, None).unwrap().unwrap();
        assert_eq!(head.id, 5);
        assert_eq!(verify(&c, Some(head.clone())).unwrap(), Some(head));
        assert_eq!(verify(&[], None).unwrap(), None);
    }

    #[test]
    fn absent_and_empty_values_hash_differently() {
        let mut a = chain(1).remove(0).link;
        let h1 = hash(GENESIS, &a);
        a.before = Some(String::new());
        assert_ne!(h1, hash(GENESIS, &a));
    }

    #[test]
    fn each_kind_of_tampering_is_named_with_its_record() {
        let c = chain(6);
        let mut deleted = c.clone();
        deleted.remove(2);
        assert_eq!(
            verify(&deleted, None),
            Err(Break::Missing { from: 3, to: 3 })
        );

        let mut edited = c.clone();
        edited[3].link.after = Some("{\"n\":99}".into());
        assert_eq!(verify(&edited, None), Err(Break::Rewritten { id: 4 }));

        // Edited with its own hash recomputed: the next record no longer follows it.
        let mut resealed = c.clone();
        resealed[3].link.operator = "mallory".into();
        resealed[3].hash = Some(hash(
            resealed[3].prev_hash.as_ref().unwrap(),
            &resealed[3].link,
        ));
        assert_eq!(
            verify(&resealed, None),
            Err(Break::Unlinked { id: 5, previous: 4 })
        );

        // Two records swap places (their numbers swapped): the first of them no longer
        // follows the record before it.
        let mut swapped = c.clone();
        let (a, b) = (swapped[1].link.id, swapped[2].link.id);
        swapped.swap(1, 2);
        swapped[1].link.id = a;
        swapped[2].link.id = b;
        assert_eq!(
            verify(&swapped, None),
            Err(Break::Unlinked { id: 2, previous: 1 })
        );
        // Only the contents swapped, links kept: the hash of the first gives it away.
        let mut contents = c.clone();
        let (x, y) = (
            contents[1].link.after.clone(),
            contents[2].link.after.clone(),
        );
        contents[1].link.after = y;
        contents[2].link.after = x;
        assert_eq!(verify(&contents, None), Err(Break::Rewritten { id: 2 }));

        let headless = c[2..].to_vec();
        assert_eq!(
            verify(&headless, None),
            Err(Break::Missing { from: 1, to: 2 })
        );

        let mut unsealed = c.clone();
        unsealed[5].hash = None;
        assert_eq!(verify(&unsealed, None), Err(Break::Unsealed { id: 6 }));
    }

    #[test]
    fn the_checkpoint_detects_deleted_newest_records_and_a_recomputed_chain() {
        let c = chain(6);
        let head = verify(&c, None).unwrap().unwrap();
        assert_eq!(
            verify(&c[..4], Some(head.clone())),
            Err(Break::Truncated {
                last: Some(4),
                checkpoint: 6
            })
        );
        assert_eq!(
            verify(&[], Some(head.clone())),
            Err(Break::Truncated {
                last: None,
                checkpoint: 6
            })
        );
        // The whole chain rewritten from record 2 on, every hash recomputed.
        let mut forged = c.clone();
        forged[1].link.operator = "mallory".into();
        let mut prev = forged[0].hash.clone().unwrap();
        for r in forged.iter_mut().skip(1) {
            r.prev_hash = Some(prev.clone());
            let h = hash(&prev, &r.link);
            r.hash = Some(h.clone());
            prev = h;
        }
        assert!(
            verify(&forged, None).is_ok(),
            "whole again without the checkpoint"
        );
        assert_eq!(
            verify(&forged, Some(head)),
            Err(Break::CheckpointMismatch { id: 6 })
        );
        // Records written after the checkpoint are fine.
        let older = verify(&c[..3], None).unwrap().unwrap();
        assert_eq!(verify(&c, Some(older)).unwrap().unwrap().id, 6);
        for b in [
            Break::Missing { from: 3, to: 3 },
            Break::Truncated {
                last: Some(4),
                checkpoint: 6,
            },
        ] {
            assert!(b.to_string().contains("record"), "{b}");
        }
    }
}
