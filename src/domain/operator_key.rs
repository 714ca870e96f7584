//! Operators' SSH public keys: what an operator attaches (an OpenSSH `.pub` line), read and
//! fingerprinted with the `ssh-key` crate, never by hand. The fingerprint (`SHA256:…`, as
//! `ssh-keygen -l` prints it) is how casa and OpenSSH name a key.

use ssh_key::public::KeyData;
use ssh_key::{HashAlg, PublicKey};

/// Longest key text accepted (an RSA 16384-bit key is about 2.8 KB).
pub const MAX_KEY_TEXT: usize = 16 * 1024;

/// Shortest RSA modulus accepted: OpenSSH itself refuses keys under 1024 bits and recommends
/// 3072; 2048 is the floor every current guideline keeps.
pub const MIN_RSA_BITS: usize = 2048;

/// A public key as casa stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    /// `SHA256:…` (base64, no padding), as OpenSSH prints it.
    pub fingerprint: String,
    /// The algorithm's name (`ssh-ed25519`, `ssh-rsa`, `ecdsa-sha2-nistp256`, …).
    pub algorithm: String,
    /// `ALGORITHM BASE64`, without the comment: what an `authorized_keys` line carries.
    pub openssh: String,
    /// The comment of the `.pub` file (usually user@host), cleaned of control characters.
    pub comment: String,
}

/// Why a key was refused: the Italian message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyError(pub String);

impl std::fmt::Display for KeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for KeyError {}

fn refuse(msg: impl Into<String>) -> KeyError {
    KeyError(msg.into())
}

/// Reads a public key from the text of a `.pub` file (one key: the first line that is not
/// empty or a comment) or from an `authorized_keys`-style `ALGORITHM BASE64 [COMMENT]`.
pub fn parse(text: &str) -> Result<KeyInfo, KeyError> {
    if text.len() > MAX_KEY_TEXT {
        return Err(refuse(format!(
            "chiave pubblica troppo lunga ({} byte, al massimo {MAX_KEY_TEXT})",
            text.len()
        )));
    }
    if text.contains("PRIVATE KEY") {
        return Err(refuse(
            "questa è una chiave PRIVATA: non va mai inviata; allegare il file .pub (ad es. ~/.ssh/id_ed25519.pub)",
        ));
    }
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .ok_or_else(|| refuse("chiave pubblica mancante: il file è vuoto"))?;
    if line.starts_with("---- BEGIN SSH2") {
        return Err(refuse(
            "chiave in formato SSH2 (RFC 4716): convertirla con `ssh-keygen -i -f FILE` e allegare il risultato",
        ));
    }
    let key = PublicKey::from_openssh(line).map_err(|e| {
        refuse(format!(
            "chiave pubblica non leggibile ({e}): serve una riga OpenSSH come 'ssh-ed25519 AAAA… nome@pc'"
        ))
    })?;
    info(&key)
}

/// The key types OpenSSH accepts for users (`ssh -Q key`), for a key given as its base64
/// blob alone: the blob names its own type, which `ssh-key` checks against the one given.
const KEY_TYPES: [&str; 8] = [
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "ssh-rsa",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
    "ssh-dss",
];

/// Reads a key given as OpenSSH's `AuthorizedKeysCommand` tokens: `%t %k` (type and base64),
/// `%k` alone (the base64 blob) or the whole line.
pub fn parse_tokens(tokens: &[String]) -> Result<KeyInfo, KeyError> {
    if let [blob] = tokens
        && !blob.contains(' ')
        && !KEY_TYPES.iter().any(|t| blob.starts_with(t))
    {
        for t in KEY_TYPES {
            if let Ok(k) = PublicKey::from_openssh(&format!("{t} {blob}")) {
                return info(&k);
            }
        }
    }
    parse(&tokens.join(" "))
}

fn info(key: &PublicKey) -> Result<KeyInfo, KeyError> {
    match key.key_data() {
        KeyData::Dsa(_) => {
            return Err(refuse(
                "chiave DSA (ssh-dss): algoritmo dismesso da OpenSSH, usare ssh-ed25519",
            ));
        }
        KeyData::Rsa(rsa) => {
            let bits = rsa
                .n
                .as_positive_bytes()
                .map(|b| {
                    let lead = b.first().map_or(0, |x| 8 - x.leading_zeros() as usize);
                    (b.len().saturating_sub(1)) * 8 + lead
                })
                .unwrap_or(0);
            if bits < MIN_RSA_BITS {
                return Err(refuse(format!(
                    "chiave RSA di {bits} bit: ne servono almeno {MIN_RSA_BITS} (meglio ssh-ed25519)"
                )));
            }
        }
        _ => {}
    }
    let mut plain = key.clone();
    plain.set_comment("");
    let openssh = plain
        .to_openssh()
        .map_err(|e| refuse(format!("chiave pubblica non rappresentabile: {e}")))?
        .trim()
        .to_string();
    let comment: String = key
        .comment()
        .chars()
        .filter(|c| !c.is_control())
        .take(100)
        .collect();
    Ok(KeyInfo {
        fingerprint: key.fingerprint(HashAlg::Sha256).to_string(),
        algorithm: key.algorithm().as_str().to_string(),
        openssh,
        comment,
    })
}

/// Whether `text` looks like a key fingerprint as casa prints it (`SHA256:` and 43 base64
/// characters).
pub fn is_fingerprint(text: &str) -> bool {
    text.strip_prefix("SHA256:").is_some_and(|b| {
        b.len() == 43
            && b.bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'+' || c == b'/')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // Generated with `ssh-keygen -t ed25519 -C anna@pc`; fingerprint from `ssh-keygen -l`.
    const ED25519: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJXSnNl9PDODifUAMA4o+qyh5OUTE6Y+lklK2n7dxTNf anna@pc";
    const ED25519_FP: &str = "SHA256:Ex2xDscxl1Iz68PLQNeb/19PIVAtEnI/K6byQF/Sm8U";

    #[test]
    fn reads_and_fingerprints_like_ssh_keygen() {
        let k = parse(&format!("# my key\n\n{ED25519}\n")).unwrap();
        assert_eq!(k.fingerprint, ED25519_FP);
        assert_eq!(k.algorithm, "ssh-ed25519");
        assert_eq!(k.comment, "anna@pc");
        assert!(k.openssh.starts_with("ssh-ed25519 AAAA"));
        assert!(!k.openssh.contains("anna"));
        assert!(is_fingerprint(&k.fingerprint));
        let tokens: Vec<String> = ED25519.split(' ').take(2).map(String::from).collect();
        assert_eq!(parse_tokens(&tokens).unwrap().fingerprint, ED25519_FP);
        // %k alone: the blob names its type.
        assert_eq!(parse_tokens(&tokens[1..]).unwrap().fingerprint, ED25519_FP);
        assert!(parse_tokens(&["AAAAnope".to_string()]).is_err());
    }

    #[test]
    fn refuses_short_rsa_keys() {
        // `ssh-keygen -t rsa -b 1024`.
        let e = parse(RSA_1024).unwrap_err().0;
        assert!(e.contains("1024 bit"), "{e}");
    }

    const RSA_1024: &str = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDB2U8Wc9TksXp4Prhtkm2SWioP5qPCwgQhNN4Pcu98Dk4YqMsJmJrxJfENb6WFyLlf2mlJItgDo9SulO6y6+5N5ApQ4DIxGKb2ciintoLddDnoa/2sfM3luGlWc83prqy3+4tOJxSJk9fk6vbcikuZ4CvKLPXA1wfjn1O7xLWqVw== root@vm";

    #[test]
    fn refuses_private_keys_garbage_and_ssh2_format() {
        for (text, word) in [
            ("-----BEGIN OPENSSH PRIVATE KEY-----\nabc", "PRIVATA"),
            ("", "vuoto"),
            ("ssh-ed25519 AAAAnotbase64!!", "non leggibile"),
            ("---- BEGIN SSH2 PUBLIC KEY ----", "SSH2"),
            ("ciao", "non leggibile"),
        ] {
            let e = parse(text).unwrap_err().0;
            assert!(e.contains(word), "{text:?}: {e}");
        }
        assert!(parse(&"a".repeat(MAX_KEY_TEXT + 1)).is_err());
        assert!(!is_fingerprint("SHA256:abc"));
        assert!(!is_fingerprint("MD5:aa:bb"));
    }
}
