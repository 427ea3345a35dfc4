//! What nvctl relies on in each answer, checked in one place before an answer is used.
//!
//! The typed answers keep `#[serde(default)]` for fields Vault sends only sometimes, which
//! would turn `{"data":{}}`, or a `data` that is a string, into an empty success: a policy with
//! no text, a role with no policies. Each answer type says instead what it is and which keys
//! must be there ([`Expected`]); [`decode`] checks that outline first — key names only, values
//! never held, since answers carry tokens and keys — and then decodes. Anything else is
//! [`VaultError::Decode`] naming what was expected and the URL it came from (exit 2).

use std::collections::BTreeSet;
use std::fmt;

use serde::de::{DeserializeOwned, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::error::VaultError;
use super::wire::{describe_json_error, Reply};

/// An answer type and what nvctl relies on in it.
pub(crate) trait Expected: DeserializeOwned {
    /// What the answer is, for messages: "a policy", "a token lookup".
    const WHAT: &'static str;
    /// Keys that must be in the object (the `data`, `auth` or body, see [`Part`]).
    const REQUIRED: &'static [&'static str];
}

/// Where in the answer the typed object sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    /// The body itself (`sys/seal-status`, `sys/health`…).
    Body,
    /// The envelope's `data` (logical endpoints).
    Data,
    /// The envelope's `auth` (token creation and renewal).
    Auth,
}

impl Part {
    fn field(self) -> &'static str {
        match self {
            Part::Body => "",
            Part::Data => "data",
            Part::Auth => "auth",
        }
    }
}

/// Decodes `T` from `part` of the answer with its `warnings`, after checking the answer has
/// the shape `T` needs.
pub(crate) fn decode<T: Expected>(
    reply: &Reply,
    path: &str,
    part: Part,
) -> Result<(T, Vec<String>), VaultError> {
    let fail = |problem: String| VaultError::Decode {
        address: reply.answered_by.clone(),
        path: path.to_owned(),
        detail: format!(
            "expected {}{}, but {problem}",
            T::WHAT,
            outline(part, T::REQUIRED)
        ),
    };
    if reply.body.iter().all(u8::is_ascii_whitespace) {
        return Err(fail(format!(
            "the answer (status {}) has an empty body",
            reply.status
        )));
    }
    let shape: Shape = serde_json::from_slice(&reply.body).map_err(|e| {
        let starts = reply.body.iter().find(|b| !b.is_ascii_whitespace());
        fail(match starts {
            // Never quote the body: a broken answer may still hold a token.
            Some(b'<') => "the body is HTML, not JSON (a proxy or a web server answered?)".into(),
            _ => format!("the body is not JSON ({})", describe_json_error(&e)),
        })
    })?;
    let keys = match (part, &shape) {
        (Part::Body, Shape::Object { keys, .. }) => keys,
        (_, Shape::Other(kind)) => return Err(fail(format!("the body is {kind}"))),
        (Part::Data, Shape::Object { data, .. })
        | (Part::Auth, Shape::Object { auth: data, .. }) => {
            let field = part.field();
            match data {
                None => return Err(fail(format!("the answer has no `{field}`"))),
                Some(Member::Null) => return Err(fail(format!("`{field}` is null"))),
                Some(Member::Other(kind)) => {
                    return Err(fail(format!("`{field}` is {kind}, not an object")))
                }
                Some(Member::Object(keys)) => keys,
            }
        }
    };
    let missing: Vec<String> = T::REQUIRED
        .iter()
        .filter(|k| !keys.contains(**k))
        .map(|k| format!("`{k}`"))
        .collect();
    if !missing.is_empty() {
        let within = match part {
            Part::Body => "the body".to_string(),
            other => format!("`{}`", other.field()),
        };
        return Err(fail(format!("{within} has no {}", missing.join(", "))));
    }
    let decoded = match part {
        Part::Body => serde_json::from_slice::<T>(&reply.body).map(|t| (Some(t), Vec::new())),
        Part::Data => serde_json::from_slice::<super::wire::Envelope<T>>(&reply.body)
            .map(|e| (e.data, e.warnings)),
        Part::Auth => serde_json::from_slice::<super::wire::Envelope<IgnoredAny, T>>(&reply.body)
            .map(|e| (e.auth, e.warnings)),
    };
    match decoded {
        Ok((Some(value), warnings)) => Ok((value, warnings)),
        Ok((None, _)) => Err(fail(format!("`{}` is missing", part.field()))),
        Err(e) => Err(fail(describe_json_error(&e))),
    }
}

/// ` (data.policy, data.name)`: the keys, where they are expected.
fn outline(part: Part, required: &[&str]) -> String {
    if required.is_empty() {
        return match part {
            Part::Body => " (a JSON object)".into(),
            other => format!(" (an object in `{}`)", other.field()),
        };
    }
    let prefix = match part {
        Part::Body => String::new(),
        other => format!("{}.", other.field()),
    };
    let keys: Vec<String> = required.iter().map(|k| format!("{prefix}{k}")).collect();
    format!(" ({})", keys.join(", "))
}

/// The outline of a body: its top-level keys and the kinds of `data` and `auth`.
enum Shape {
    Object {
        keys: BTreeSet<String>,
        data: Option<Member>,
        auth: Option<Member>,
    },
    Other(&'static str),
}

/// A member's outline: an object's key names, or what else it is.
enum Member {
    Object(BTreeSet<String>),
    Null,
    Other(&'static str),
}

macro_rules! kinds {
    ($out:ty, $make:expr) => {
        fn visit_bool<E>(self, _: bool) -> Result<$out, E> {
            Ok($make("a boolean"))
        }
        fn visit_i64<E>(self, _: i64) -> Result<$out, E> {
            Ok($make("a number"))
        }
        fn visit_u64<E>(self, _: u64) -> Result<$out, E> {
            Ok($make("a number"))
        }
        fn visit_f64<E>(self, _: f64) -> Result<$out, E> {
            Ok($make("a number"))
        }
        fn visit_str<E>(self, _: &str) -> Result<$out, E> {
            Ok($make("a string"))
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<$out, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok($make("a list"))
        }
    };
}

impl<'de> Deserialize<'de> for Member {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Member, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Member;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            kinds!(Member, Member::Other);
            fn visit_unit<E>(self) -> Result<Member, E> {
                Ok(Member::Null)
            }
            fn visit_none<E>(self) -> Result<Member, E> {
                Ok(Member::Null)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Member, A::Error> {
                let mut keys = BTreeSet::new();
                while let Some(key) = map.next_key::<String>()? {
                    map.next_value::<IgnoredAny>()?;
                    keys.insert(key);
                }
                Ok(Member::Object(keys))
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Shape {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Shape, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Shape;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            kinds!(Shape, Shape::Other);
            fn visit_unit<E>(self) -> Result<Shape, E> {
                Ok(Shape::Other("null"))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Shape, A::Error> {
                let (mut keys, mut data, mut auth) = (BTreeSet::new(), None, None);
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "data" => data = Some(map.next_value::<Member>()?),
                        "auth" => auth = Some(map.next_value::<Member>()?),
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                    keys.insert(key);
                }
                Ok(Shape::Object { keys, data, auth })
            }
        }
        deserializer.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use zeroize::Zeroizing;

    #[derive(Debug, Deserialize)]
    #[serde(default)]
    #[derive(Default)]
    struct Policy {
        policy: String,
    }

    impl Expected for Policy {
        const WHAT: &'static str = "a policy";
        const REQUIRED: &'static [&'static str] = &["policy"];
    }

    fn reply(body: &str) -> Reply {
        Reply {
            status: 200,
            body: Zeroizing::new(body.as_bytes().to_vec()),
            attempts: 1,
            answered_by: "http://127.0.0.1:8200".into(),
            date: None,
        }
    }

    fn problem(body: &str, part: Part) -> String {
        decode::<Policy>(&reply(body), "sys/policies/acl/p", part)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn an_answer_of_the_right_shape_decodes_with_its_warnings() {
        let (p, warnings) = decode::<Policy>(
            &reply(r#"{"data":{"policy":"x"},"warnings":["w"]}"#),
            "p",
            Part::Data,
        )
        .unwrap();
        assert_eq!(p.policy, "x");
        assert_eq!(warnings, ["w"]);
    }

    #[test]
    fn every_wrong_shape_names_what_was_expected_and_the_url() {
        let url = "unexpected answer from http://127.0.0.1:8200/v1/sys/policies/acl/p";
        let expected = "expected a policy (data.policy), but";
        for (body, why) in [
            (r#"{"data":{}}"#, "`data` has no `policy`"),
            (r#"{"data":"x"}"#, "`data` is a string, not an object"),
            (r#"{"data":[1]}"#, "`data` is a list, not an object"),
            (r#"{"data":null}"#, "`data` is null"),
            (r#"{"request_id":"r"}"#, "the answer has no `data`"),
            (
                "<html><body>hvs.secret</body></html>",
                "the body is HTML, not JSON (a proxy or a web server answered?)",
            ),
            ("[]", "the body is a list"),
            ("", "the answer (status 200) has an empty body"),
        ] {
            assert_eq!(
                problem(body, Part::Data),
                format!("{url}: {expected} {why}"),
                "{body}"
            );
        }
        let truncated = problem(r#"{"data":{"policy":"hvs.secret"#, Part::Data);
        assert!(truncated.contains("the body is not JSON"), "{truncated}");
        assert!(!truncated.contains("hvs.secret"), "{truncated}");
        assert!(problem(r#"{"data":{"policy":1}}"#, Part::Data).contains("invalid type"));
    }

    #[test]
    fn the_body_and_auth_parts_are_checked_the_same_way() {
        assert!(problem(r#"{"other":1}"#, Part::Body)
            .ends_with("expected a policy (policy), but the body has no `policy`"));
        assert!(problem(r#"{"data":{"policy":"x"}}"#, Part::Auth)
            .ends_with("expected a policy (auth.policy), but the answer has no `auth`"));
        assert_eq!(
            decode::<Policy>(&reply(r#"{"policy":"x"}"#), "p", Part::Body)
                .unwrap()
                .0
                .policy,
            "x"
        );
    }
}
