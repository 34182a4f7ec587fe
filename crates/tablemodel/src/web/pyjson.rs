//! Where, and in which words, Python's `json` module rejects a malformed document: FastAPI
//! puts that position in the 422's `loc` (`["body", 9]`) and the message in `ctx.error`
//! (`"Expecting value"`), so a client written against FastAPI sees the same answer from us.
//!
//! serde_json parses the body; only when it fails does this scanner walk the text the way
//! CPython's `json.decoder` does (3.11/3.12 wording: 3.13 reports a trailing comma as
//! "Illegal trailing comma before end of object") to find the first error, counting
//! positions in characters as Python does.

const WHITESPACE: [char; 4] = [' ', '\t', '\n', '\r'];

/// Deeper documents are left to serde_json's own message (Python would hit its recursion
/// limit, a 400, long after serde_json's limit of 128).
const MAX_DEPTH: usize = 512;

/// A JSON syntax error as Python reports it: the character position and the message.
type PyError = (usize, &'static str);

/// The first error Python's `json.loads` reports for `text`, or `None` when Python would
/// accept it (`NaN`, lone surrogates, numbers out of range: documents only serde_json
/// rejects).
pub(crate) fn first_error(text: &str) -> Option<PyError> {
    let chars: Vec<char> = text.chars().collect();
    let scanner = Scanner { s: &chars };
    let start = scanner.skip_ws(0);
    let end = match scanner.value(start, 0) {
        Ok(end) => end,
        Err(Stop::Error(e)) => return Some(e),
        Err(Stop::NoValue(at)) => return Some((at, "Expecting value")),
        Err(Stop::TooDeep) => return None,
    };
    let end = scanner.skip_ws(end);
    (end != chars.len()).then_some((end, "Extra data"))
}

enum Stop {
    /// No value starts here (Python's `StopIteration(idx)`).
    NoValue(usize),
    /// A syntax error inside a value.
    Error(PyError),
    /// Nested beyond [`MAX_DEPTH`].
    TooDeep,
}

impl From<PyError> for Stop {
    fn from(e: PyError) -> Self {
        Stop::Error(e)
    }
}

struct Scanner<'a> {
    s: &'a [char],
}

impl Scanner<'_> {
    fn at(&self, i: usize) -> Option<char> {
        self.s.get(i).copied()
    }

    fn skip_ws(&self, mut i: usize) -> usize {
        while self.at(i).is_some_and(|c| WHITESPACE.contains(&c)) {
            i += 1;
        }
        i
    }

    fn starts_with(&self, i: usize, word: &str) -> bool {
        word.chars().enumerate().all(|(k, c)| self.at(i + k) == Some(c))
    }

    /// `scan_once`: one value starting exactly at `i`; returns the index after it.
    fn value(&self, i: usize, depth: usize) -> Result<usize, Stop> {
        if depth > MAX_DEPTH {
            return Err(Stop::TooDeep);
        }
        match self.at(i) {
            None => Err(Stop::NoValue(i)),
            Some('"') => Ok(self.string(i + 1)?),
            Some('{') => self.object(i + 1, depth + 1),
            Some('[') => self.array(i + 1, depth + 1),
            Some('n') if self.starts_with(i, "null") => Ok(i + 4),
            Some('t') if self.starts_with(i, "true") => Ok(i + 4),
            Some('f') if self.starts_with(i, "false") => Ok(i + 5),
            Some('N') if self.starts_with(i, "NaN") => Ok(i + 3),
            Some('I') if self.starts_with(i, "Infinity") => Ok(i + 8),
            Some('-') if self.starts_with(i, "-Infinity") => Ok(i + 9),
            Some(_) => self.number(i).ok_or(Stop::NoValue(i)),
        }
    }

    /// `-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?` at `i`: the index after it.
    fn number(&self, i: usize) -> Option<usize> {
        let digits = |from: usize| {
            let mut j = from;
            while self.at(j).is_some_and(|c| c.is_ascii_digit()) {
                j += 1;
            }
            j
        };
        let mut j = i;
        if self.at(j) == Some('-') {
            j += 1;
        }
        j = match self.at(j) {
            Some('0') => j + 1,
            Some('1'..='9') => digits(j + 1),
            _ => return None,
        };
        if self.at(j) == Some('.') && self.at(j + 1).is_some_and(|c| c.is_ascii_digit()) {
            j = digits(j + 1);
        }
        if matches!(self.at(j), Some('e' | 'E')) {
            let sign = usize::from(matches!(self.at(j + 1), Some('-' | '+')));
            if self.at(j + 1 + sign).is_some_and(|c| c.is_ascii_digit()) {
                j = digits(j + 1 + sign);
            }
        }
        Some(j)
    }

    /// `scanstring`: the rest of a string whose opening quote is at `i - 1`.
    fn string(&self, mut i: usize) -> Result<usize, PyError> {
        let begin = i - 1;
        loop {
            match self.at(i) {
                None => return Err((begin, "Unterminated string starting at")),
                Some('"') => return Ok(i + 1),
                Some('\\') => match self.at(i + 1) {
                    None => return Err((begin, "Unterminated string starting at")),
                    Some('u') => {
                        let hex: Vec<char> = (i + 2..i + 6).filter_map(|k| self.at(k)).collect();
                        if hex.len() != 4 || !hex.iter().all(char::is_ascii_hexdigit) {
                            return Err((i + 1, "Invalid \\uXXXX escape"));
                        }
                        i += 6;
                    }
                    Some('"' | '\\' | '/' | 'b' | 'f' | 'n' | 'r' | 't') => i += 2,
                    Some(_) => return Err((i, "Invalid \\escape")),
                },
                Some(c) if (c as u32) < 0x20 => return Err((i, "Invalid control character at")),
                Some(_) => i += 1,
            }
        }
    }

    /// `JSONObject`: the rest of an object whose `{` is at `i - 1`.
    fn object(&self, i: usize, depth: usize) -> Result<usize, Stop> {
        let mut end = self.skip_ws(i);
        match self.at(end) {
            Some('}') => return Ok(end + 1),
            Some('"') => {}
            _ => return Err((end, "Expecting property name enclosed in double quotes").into()),
        }
        end += 1;
        loop {
            end = self.string(end)?;
            end = self.skip_ws(end);
            if self.at(end) != Some(':') {
                return Err((end, "Expecting ':' delimiter").into());
            }
            end = self.skip_ws(end + 1);
            end = match self.value(end, depth) {
                Err(Stop::NoValue(at)) => return Err((at, "Expecting value").into()),
                other => other?,
            };
            end = self.skip_ws(end);
            match self.at(end) {
                Some('}') => return Ok(end + 1),
                Some(',') => {}
                _ => return Err((end, "Expecting ',' delimiter").into()),
            }
            end = self.skip_ws(end + 1);
            if self.at(end) != Some('"') {
                return Err((end, "Expecting property name enclosed in double quotes").into());
            }
            end += 1;
        }
    }

    /// `JSONArray`: the rest of an array whose `[` is at `i - 1`.
    fn array(&self, i: usize, depth: usize) -> Result<usize, Stop> {
        let mut end = self.skip_ws(i);
        if self.at(end) == Some(']') {
            return Ok(end + 1);
        }
        loop {
            end = match self.value(end, depth) {
                Err(Stop::NoValue(at)) => return Err((at, "Expecting value").into()),
                other => other?,
            };
            end = self.skip_ws(end);
            match self.at(end) {
                Some(']') => return Ok(end + 1),
                Some(',') => {}
                _ => return Err((end, "Expecting ',' delimiter").into()),
            }
            end = self.skip_ws(end + 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::first_error;

    #[test]
    fn errors_are_located_and_named_as_python_does() {
        // (input, position, message) as CPython 3.11's json.loads reported them.
        let cases: &[(&str, usize, &str)] = &[
            ("{\"name\": ", 9, "Expecting value"),
            ("{bad", 1, "Expecting property name enclosed in double quotes"),
            ("{\"a\": 1", 7, "Expecting ',' delimiter"),
            ("{\"a\": 1,}", 8, "Expecting property name enclosed in double quotes"),
            ("[1, 2", 5, "Expecting ',' delimiter"),
            ("{\"a\" 1}", 5, "Expecting ':' delimiter"),
            ("{\"a\": x}", 6, "Expecting value"),
            ("{} extra", 3, "Extra data"),
            ("{\"a\": 1 \"b\": 2}", 8, "Expecting ',' delimiter"),
            ("\n\n  {\"a\": ]", 10, "Expecting value"),
            ("   ", 3, "Expecting value"),
            ("{\"name\": \"Ünï\" \"x\"}", 15, "Expecting ',' delimiter"),
            ("{\"a\": \"unterminated", 6, "Unterminated string starting at"),
            ("{\"a\": \"x\\qy\"}", 8, "Invalid \\escape"),
            ("{\"a\": \"\\u12\"}", 8, "Invalid \\uXXXX escape"),
            ("{\"a\": \"tab\there\"}", 10, "Invalid control character at"),
            ("{\"a\": tru}", 6, "Expecting value"),
            ("{\"a\": nul}", 6, "Expecting value"),
            ("{\"a\": 01}", 7, "Expecting ',' delimiter"),
            ("{\"a\": 1.}", 7, "Expecting ',' delimiter"),
            ("{\"a\": -}", 6, "Expecting value"),
            ("{\"a\": .5}", 6, "Expecting value"),
            ("[1,]", 3, "Expecting value"),
            ("{\"a\":1}}", 7, "Extra data"),
            ("\"abc", 0, "Unterminated string starting at"),
            ("{\"é\": \"ü\", \"x\" 1}", 15, "Expecting ':' delimiter"),
            ("{\"a\": [1, 2}", 11, "Expecting ',' delimiter"),
            ("{\"a\": {\"b\": 1]}", 13, "Expecting ',' delimiter"),
            ("{\"a\": 1e}", 7, "Expecting ',' delimiter"),
            ("{\"a\": +1}", 6, "Expecting value"),
            ("nul", 0, "Expecting value"),
            ("{\"a\"", 4, "Expecting ':' delimiter"),
            ("{\"a\":", 5, "Expecting value"),
            ("[", 1, "Expecting value"),
            ("{", 1, "Expecting property name enclosed in double quotes"),
            ("\"", 0, "Unterminated string starting at"),
            ("{\"a\": \"x\"", 9, "Expecting ',' delimiter"),
            ("{\"a\": [", 7, "Expecting value"),
            ("{'a': 1}", 1, "Expecting property name enclosed in double quotes"),
        ];
        let mut wrong = Vec::new();
        for &(input, position, message) in cases {
            let got = first_error(input);
            if got != Some((position, message)) {
                wrong.push(format!("{input:?}: got {got:?}, Python ({position}, {message:?})"));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn what_python_accepts_is_not_an_error() {
        for input in ["{\"a\": \"\\ud800\"}", "[NaN, Infinity, -Infinity]", "1e400", " {\"a\": [1, {}]} \n"] {
            assert_eq!(first_error(input), None, "{input}");
        }
        let deep = "[".repeat(10_000);
        assert_eq!(first_error(&deep), None, "too deep to follow: serde_json's message is used");
    }
}
