//! Request bodies read the way Nomad's Go code reads them (`json.NewDecoder(body).Decode(&v)`,
//! command/agent/http.go:decodeBody): only the **first** JSON value counts (trailing bytes are
//! never looked at), field names match case-insensitively when no exact match exists, `null`
//! leaves a field at its zero value, and errors carry encoding/json's words
//! (`EOF`, `unexpected EOF`, `invalid character 'x' looking for beginning of value`,
//! `json: cannot unmarshal string into Go struct field ACLToken.Policies of type []string`).

use serde_json::{Map, Value};

/// A decoded JSON object standing for one Go struct.
#[derive(Debug, Clone)]
pub struct GoObject {
    map: Map<String, Value>,
    /// The Go type name used in error messages (`ACLToken`).
    type_name: &'static str,
}

/// Decodes the first JSON value of `body` into a struct named `type_name` (`structs.ACLToken`
/// for top-level errors; the part after the dot names fields).
pub fn decode(body: &[u8], type_name: &'static str) -> Result<GoObject, String> {
    let end = scan_first_value(body)?;
    let value: Value = serde_json::from_slice(&body[..end]).map_err(|e| e.to_string())?;
    let short = type_name.rsplit('.').next().unwrap_or(type_name);
    match value {
        Value::Object(map) => Ok(GoObject {
            map,
            type_name: short,
        }),
        Value::Null => Ok(GoObject {
            map: Map::new(),
            type_name: short,
        }),
        other => Err(format!(
            "json: cannot unmarshal {} into Go value of type {type_name}",
            kind(&other)
        )),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

impl GoObject {
    pub fn from_map(map: Map<String, Value>, type_name: &'static str) -> Self {
        GoObject { map, type_name }
    }

    /// The raw value of a field (exact name first, else case-insensitive); `None` when absent
    /// or `null`.
    pub fn get(&self, field: &str) -> Option<&Value> {
        let found = self.map.get(field).or_else(|| {
            self.map
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(field))
                .map(|(_, v)| v)
        });
        found.filter(|v| !v.is_null())
    }

    fn mismatch(&self, field: &str, value: &Value, go_type: &str) -> String {
        format!(
            "json: cannot unmarshal {} into Go struct field {}.{field} of type {go_type}",
            kind(value),
            self.type_name
        )
    }

    pub fn string(&self, field: &str) -> Result<String, String> {
        match self.get(field) {
            None => Ok(String::new()),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(other) => Err(self.mismatch(field, other, "string")),
        }
    }

    pub fn bool(&self, field: &str) -> Result<bool, String> {
        match self.get(field) {
            None => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(other) => Err(self.mismatch(field, other, "bool")),
        }
    }

    /// An optional bool (`*bool` in Go).
    pub fn opt_bool(&self, field: &str) -> Result<Option<bool>, String> {
        match self.get(field) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(self.mismatch(field, other, "bool")),
        }
    }

    pub fn u64(&self, field: &str) -> Result<u64, String> {
        match self.get(field) {
            None => Ok(0),
            Some(Value::Number(n)) => n.as_u64().ok_or_else(|| {
                format!(
                    "json: cannot unmarshal number {n} into Go struct field {}.{field} of type uint64",
                    self.type_name
                )
            }),
            Some(other) => Err(self.mismatch(field, other, "uint64")),
        }
    }

    pub fn i64(&self, field: &str) -> Result<Option<i64>, String> {
        match self.get(field) {
            None => Ok(None),
            Some(Value::Number(n)) => n.as_i64().map(Some).ok_or_else(|| {
                format!(
                    "json: cannot unmarshal number {n} into Go struct field {}.{field} of type int",
                    self.type_name
                )
            }),
            Some(other) => Err(self.mismatch(field, other, "int")),
        }
    }

    /// A `[]string`: `None` when absent or `null` (Go's nil slice), `Some(vec![])` for `[]`.
    pub fn strings(&self, field: &str) -> Result<Option<Vec<String>>, String> {
        match self.get(field) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| match item {
                    Value::String(s) => Ok(s.clone()),
                    Value::Null => Ok(String::new()),
                    other => Err(self.mismatch(field, other, "string")),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(other) => Err(self.mismatch(field, other, "[]string")),
        }
    }

    /// A nested struct (`*T` or `T`); `None` when absent or `null`.
    pub fn object(&self, field: &str, type_name: &'static str) -> Result<Option<GoObject>, String> {
        match self.get(field) {
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(GoObject {
                map: map.clone(),
                type_name,
            })),
            Some(other) => Err(self.mismatch(field, other, type_name)),
        }
    }

    /// A `[]*T`; `None` when absent or `null`.
    pub fn objects(
        &self,
        field: &str,
        type_name: &'static str,
    ) -> Result<Option<Vec<GoObject>>, String> {
        match self.get(field) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| match item {
                    Value::Object(map) => Ok(GoObject {
                        map: map.clone(),
                        type_name,
                    }),
                    Value::Null => Ok(GoObject {
                        map: Map::new(),
                        type_name,
                    }),
                    other => Err(self.mismatch(field, other, type_name)),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(other) => Err(self.mismatch(field, other, type_name)),
        }
    }

    pub fn into_map(self) -> Map<String, Value> {
        self.map
    }

    pub fn map(&self) -> &Map<String, Value> {
        &self.map
    }
}

/// encoding/json's `quoteChar`.
fn quote_char(c: u8) -> String {
    match c {
        b'\'' => "'\\''".into(),
        b'"' => "'\"'".into(),
        b'\n' => "'\\n'".into(),
        b'\t' => "'\\t'".into(),
        b'\r' => "'\\r'".into(),
        c if c < 0x20 => format!("'\\x{c:02x}'"),
        c if c.is_ascii() => format!("'{}'", c as char),
        c => format!("'\\x{c:02x}'"),
    }
}

/// Finds where the first JSON value of `input` ends, failing with encoding/json's scanner
/// messages. Whitespace only (or nothing) is `EOF`; a value cut short is `unexpected EOF`.
fn scan_first_value(input: &[u8]) -> Result<usize, String> {
    let mut s = Scanner { input, pos: 0 };
    s.skip_ws();
    if s.pos >= input.len() {
        return Err("EOF".into());
    }
    s.value()?;
    Ok(s.pos)
}

struct Scanner<'a> {
    input: &'a [u8],
    pos: usize,
}

impl Scanner<'_> {
    fn skip_ws(&mut self) {
        while self
            .input
            .get(self.pos)
            .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
        {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Result<u8, String> {
        self.input
            .get(self.pos)
            .copied()
            .ok_or_else(|| "unexpected EOF".to_string())
    }

    fn invalid(&self, c: u8, context: &str) -> String {
        format!("invalid character {} {context}", quote_char(c))
    }

    fn value(&mut self) -> Result<(), String> {
        self.skip_ws();
        let c = self.peek()?;
        match c {
            b'{' => self.object(),
            b'[' => self.array(),
            b'"' => self.string(),
            b'-' | b'0'..=b'9' => self.number(),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            other => Err(self.invalid(other, "looking for beginning of value")),
        }
    }

    fn literal(&mut self, word: &[u8]) -> Result<(), String> {
        for expected in word {
            let c = self.peek()?;
            if c != *expected {
                let name = String::from_utf8_lossy(word);
                return Err(format!(
                    "invalid character {} in literal {name} (expecting {})",
                    quote_char(c),
                    quote_char(*expected)
                ));
            }
            self.pos += 1;
        }
        Ok(())
    }

    fn number(&mut self) -> Result<(), String> {
        if self.peek()? == b'-' {
            self.pos += 1;
        }
        let c = self.peek()?;
        if !c.is_ascii_digit() {
            return Err(self.invalid(c, "in numeric literal"));
        }
        while self
            .input
            .get(self.pos)
            .is_some_and(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-'))
        {
            self.pos += 1;
        }
        Ok(())
    }

    fn string(&mut self) -> Result<(), String> {
        self.pos += 1;
        loop {
            let c = self.peek()?;
            self.pos += 1;
            match c {
                b'"' => return Ok(()),
                b'\\' => {
                    self.peek()?;
                    self.pos += 1;
                }
                c if c < 0x20 => return Err(self.invalid(c, "in string literal")),
                _ => {}
            }
        }
    }

    fn object(&mut self) -> Result<(), String> {
        self.pos += 1;
        self.skip_ws();
        if self.peek()? == b'}' {
            self.pos += 1;
            return Ok(());
        }
        loop {
            self.skip_ws();
            let c = self.peek()?;
            if c != b'"' {
                return Err(self.invalid(c, "looking for beginning of object key string"));
            }
            self.string()?;
            self.skip_ws();
            let c = self.peek()?;
            if c != b':' {
                return Err(self.invalid(c, "after object key"));
            }
            self.pos += 1;
            self.value()?;
            self.skip_ws();
            match self.peek()? {
                b',' => self.pos += 1,
                b'}' => {
                    self.pos += 1;
                    return Ok(());
                }
                other => return Err(self.invalid(other, "after object key:value pair")),
            }
        }
    }

    fn array(&mut self) -> Result<(), String> {
        self.pos += 1;
        self.skip_ws();
        if self.peek()? == b']' {
            self.pos += 1;
            return Ok(());
        }
        loop {
            self.value()?;
            self.skip_ws();
            match self.peek()? {
                b',' => self.pos += 1,
                b']' => {
                    self.pos += 1;
                    return Ok(());
                }
                other => return Err(self.invalid(other, "after array element")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_use_encoding_json_words() {
        assert_eq!(decode(b"  ", "structs.ACLPolicy").unwrap_err(), "EOF");
        assert_eq!(
            decode(b"{\"Name\":", "structs.ACLPolicy").unwrap_err(),
            "unexpected EOF"
        );
        assert_eq!(
            decode(b"nope", "structs.ACLPolicy").unwrap_err(),
            "invalid character 'o' in literal null (expecting 'u')"
        );
        assert_eq!(
            decode(b"{x}", "structs.ACLPolicy").unwrap_err(),
            "invalid character 'x' looking for beginning of object key string"
        );
        assert_eq!(
            decode(b"[1]", "structs.ACLPolicy").unwrap_err(),
            "json: cannot unmarshal array into Go value of type structs.ACLPolicy"
        );
    }

    #[test]
    fn only_the_first_value_counts_and_fields_fold_case() {
        let obj = decode(
            b"{\"name\":\"a\",\"Rules\":null} trailing junk",
            "structs.ACLPolicy",
        )
        .unwrap();
        assert_eq!(obj.string("Name").unwrap(), "a");
        assert_eq!(obj.string("Rules").unwrap(), "");
        let obj = decode(b"{\"Policies\":\"deploy\"}", "structs.ACLToken").unwrap();
        assert_eq!(
            obj.strings("Policies").unwrap_err(),
            "json: cannot unmarshal string into Go struct field ACLToken.Policies of type []string"
        );
    }
}
