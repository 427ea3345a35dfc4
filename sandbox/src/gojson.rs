//! The error texts of Go's `encoding/json` Decoder when a request body is decoded into a
//! `map[string]interface{}`, which Vault's and OpenBao's raw handlers quote after their prefix
//! (`failed to parse JSON input: unexpected EOF`; vault-api.md §0). Only the first value is
//! read, as `json.Decoder.Decode` does: what follows it is not looked at.

/// `None` when the body decodes into a map (or is `null`); else Go's error text (`EOF` for an
/// empty body).
pub fn decode_error(body: &[u8]) -> Option<String> {
    let mut scanner = Scanner { bytes: body, at: 0 };
    scanner.skip_space();
    let Some(first) = scanner.peek() else {
        return Some("EOF".to_string());
    };
    if let Err(e) = scanner.value() {
        return Some(e);
    }
    let kind = match first {
        b'{' | b'n' => return None,
        b'[' => "array",
        b'"' => "string",
        b't' | b'f' => "bool",
        _ => "number",
    };
    Some(format!(
        "json: cannot unmarshal {kind} into Go value of type map[string]interface {{}}"
    ))
}

/// Nothing but whitespace: Go's Decoder says `EOF`, which logical handlers take as no body.
pub fn is_empty(body: &[u8]) -> bool {
    body.iter()
        .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
}

struct Scanner<'a> {
    bytes: &'a [u8],
    at: usize,
}

const UNEXPECTED_EOF: &str = "unexpected EOF";

/// Go's `quoteChar`: the byte as a Go character literal.
fn quote(c: u8) -> String {
    match c {
        b'\'' => r"'\''".to_string(),
        b'"' => "'\"'".to_string(),
        b'\\' => r"'\\'".to_string(),
        0x07 => r"'\a'".to_string(),
        0x08 => r"'\b'".to_string(),
        0x0c => r"'\f'".to_string(),
        b'\n' => r"'\n'".to_string(),
        b'\r' => r"'\r'".to_string(),
        b'\t' => r"'\t'".to_string(),
        0x0b => r"'\v'".to_string(),
        0x20..=0x7e => format!("'{}'", c as char),
        0x00..=0x1f | 0x7f => format!(r"'\x{c:02x}'"),
        // A byte past ASCII becomes the rune U+0080..U+00FF in Go's string(c).
        0x80..=0x9f | 0xad => format!(r"'\u{c:04x}'"),
        _ => format!("'{}'", char::from(c)),
    }
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// The next byte, or `unexpected EOF`.
    fn next(&mut self) -> Result<u8, String> {
        let c = self.peek().ok_or_else(|| UNEXPECTED_EOF.to_string())?;
        self.at += 1;
        Ok(c)
    }

    fn value(&mut self) -> Result<(), String> {
        self.skip_space();
        match self.peek() {
            None => Err(UNEXPECTED_EOF.into()),
            Some(b'{') => self.object(),
            Some(b'[') => self.array(),
            Some(b'"') => self.string(),
            Some(b't') => self.literal("true"),
            Some(b'f') => self.literal("false"),
            Some(b'n') => self.literal("null"),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(c) => Err(format!(
                "invalid character {} looking for beginning of value",
                quote(c)
            )),
        }
    }

    fn object(&mut self) -> Result<(), String> {
        self.at += 1;
        self.skip_space();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Ok(());
        }
        loop {
            self.skip_space();
            match self.peek() {
                None => return Err(UNEXPECTED_EOF.into()),
                Some(b'"') => self.string()?,
                Some(c) => {
                    return Err(format!(
                        "invalid character {} looking for beginning of object key string",
                        quote(c)
                    ))
                }
            }
            self.skip_space();
            match self.next()? {
                b':' => {}
                c => return Err(format!("invalid character {} after object key", quote(c))),
            }
            self.value()?;
            self.skip_space();
            match self.next()? {
                b',' => continue,
                b'}' => return Ok(()),
                c => {
                    return Err(format!(
                        "invalid character {} after object key:value pair",
                        quote(c)
                    ))
                }
            }
        }
    }

    fn array(&mut self) -> Result<(), String> {
        self.at += 1;
        self.skip_space();
        if self.peek() == Some(b']') {
            self.at += 1;
            return Ok(());
        }
        loop {
            self.value()?;
            self.skip_space();
            match self.next()? {
                b',' => continue,
                b']' => return Ok(()),
                c => {
                    return Err(format!(
                        "invalid character {} after array element",
                        quote(c)
                    ))
                }
            }
        }
    }

    fn string(&mut self) -> Result<(), String> {
        self.at += 1;
        loop {
            match self.next()? {
                b'"' => return Ok(()),
                b'\\' => match self.next()? {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                    b'u' => {
                        for _ in 0..4 {
                            let h = self.next()?;
                            if !h.is_ascii_hexdigit() {
                                return Err(format!(
                                    "invalid character {} in \\u hexadecimal character escape",
                                    quote(h)
                                ));
                            }
                        }
                    }
                    c => {
                        return Err(format!(
                            "invalid character {} in string escape code",
                            quote(c)
                        ))
                    }
                },
                c if c < 0x20 => {
                    return Err(format!("invalid character {} in string literal", quote(c)))
                }
                _ => {}
            }
        }
    }

    fn literal(&mut self, word: &str) -> Result<(), String> {
        for expected in word.bytes() {
            let c = self.next()?;
            if c != expected {
                return Err(format!(
                    "invalid character {} in literal {word} (expecting {})",
                    quote(c),
                    quote(expected)
                ));
            }
        }
        Ok(())
    }

    fn number(&mut self) -> Result<(), String> {
        if self.peek() == Some(b'-') {
            self.at += 1;
            match self.next()? {
                b'0'..=b'9' => self.at -= 1,
                c => return Err(format!("invalid character {} in numeric literal", quote(c))),
            }
        }
        if self.peek() == Some(b'0') {
            self.at += 1;
        } else {
            while matches!(self.peek(), Some(b'0'..=b'9')) {
                self.at += 1;
            }
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            match self.next()? {
                b'0'..=b'9' => {}
                c => {
                    return Err(format!(
                        "invalid character {} after decimal point in numeric literal",
                        quote(c)
                    ))
                }
            }
            while matches!(self.peek(), Some(b'0'..=b'9')) {
                self.at += 1;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            match self.next()? {
                b'0'..=b'9' => {}
                c => {
                    return Err(format!(
                        "invalid character {} in exponent of numeric literal",
                        quote(c)
                    ))
                }
            }
            while matches!(self.peek(), Some(b'0'..=b'9')) {
                self.at += 1;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(body: &str) -> Option<String> {
        decode_error(body.as_bytes())
    }

    #[test]
    fn texts_match_gos_decoder() {
        assert_eq!(err("{\"a\": 1}"), None);
        assert_eq!(err("null"), None);
        assert_eq!(err(" \n").as_deref(), Some("EOF"));
        assert_eq!(err("{} trailing is not read"), None);
        assert_eq!(err("{").as_deref(), Some("unexpected EOF"));
        assert_eq!(err("{\"type\": ").as_deref(), Some("unexpected EOF"));
        assert_eq!(
            err("{x}").as_deref(),
            Some("invalid character 'x' looking for beginning of object key string")
        );
        assert_eq!(
            err("{\"a\" 1}").as_deref(),
            Some("invalid character '1' after object key")
        );
        assert_eq!(
            err("{\"a\": 1 \"b\"}").as_deref(),
            Some("invalid character '\"' after object key:value pair")
        );
        assert_eq!(
            err("{\"a\": tru}").as_deref(),
            Some("invalid character '}' in literal true (expecting 'e')")
        );
        assert_eq!(
            err("{'a': 1}").as_deref(),
            Some(r"invalid character '\'' looking for beginning of object key string")
        );
        assert_eq!(
            err("key=value").as_deref(),
            Some("invalid character 'k' looking for beginning of value")
        );
        assert_eq!(
            err("{\"a\": \"x\ny\"}").as_deref(),
            Some(r"invalid character '\n' in string literal")
        );
        assert_eq!(
            err("[1, 2]").as_deref(),
            Some("json: cannot unmarshal array into Go value of type map[string]interface {}")
        );
        assert_eq!(
            err("\"s\"").as_deref(),
            Some("json: cannot unmarshal string into Go value of type map[string]interface {}")
        );
        assert_eq!(
            err("{\"a\": -x}").as_deref(),
            Some("invalid character 'x' in numeric literal")
        );
        assert_eq!(
            err("{\"a\": 1.}").as_deref(),
            Some("invalid character '}' after decimal point in numeric literal")
        );
    }
}
