//! A parser for Telegram's TL dialect.
//!
//! It accepts what Telegram's published schemas use: `//` comments, `---types---` and
//! `---functions---` sections, namespaces, explicit `#ids`, `flags:#` / `flags2:#` words and
//! `flags.N?T` parameters (including `flags.N?true`), `Vector<T>` / `vector<T>`, bare types
//! (`%T` or a lower-case constructor name), generic queries (`{X:Type} query:!X = X`), and
//! the built-in declarations (`int ? = Int;`, `vector {t:Type} # [ t ] = Vector t;`), which
//! it recognizes and leaves out. Anything else is a [`ParseError`] with a line and column.

use crate::ast::{Category, Def, Name, Param, ParamKind, Schema, Ty};
use crate::crc::{crc32, normalized_texts};
use core::fmt;

/// What went wrong while parsing, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// The file name given to the parser (or `<input>`).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub col: usize,
    /// What is wrong.
    pub kind: ParseErrorKind,
}

/// The kinds of [`ParseError`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParseErrorKind {
    /// The explicit `#id` differs from the CRC32 of the definition's normalized text.
    IdMismatch {
        /// The combinator.
        name: String,
        /// The id in the schema.
        explicit: u32,
        /// The CRC32 computed from the text.
        computed: u32,
    },
    /// `#id` is not 1–8 hex digits.
    BadId(String),
    /// A name has characters TL does not allow, or is empty.
    BadName(String),
    /// A parameter is not `name:type`.
    BadParam(String),
    /// A type expression is malformed.
    BadType(String),
    /// `flags.N?T` names a flags word that was not declared before with `:#`, or N > 31.
    BadCondition(String),
    /// `!X` or `X` names a type parameter that `{X:Type}` did not declare.
    UnknownGeneric(String),
    /// The definition has no `=` or nothing after it.
    MissingResult,
    /// The file ended inside a definition (no `;`).
    UnterminatedDefinition,
    /// A `---section---` line other than `---types---` or `---functions---`.
    UnknownSection(String),
    /// The same name was defined twice with different ids.
    Duplicate(String),
    /// A type is used that no constructor builds.
    UnknownType(String),
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file, self.line, self.col)?;
        match &self.kind {
            ParseErrorKind::IdMismatch {
                name,
                explicit,
                computed,
            } => write!(
                f,
                "`{name}` says #{explicit:08x} but its normalized text hashes to #{computed:08x}; \
                 fix the id or the parameters (or list `{name}` as a known exception if the \
                 server really uses this id)"
            ),
            ParseErrorKind::BadId(s) => {
                write!(f, "`#{s}` is not a hex constructor id of 1-8 digits")
            }
            ParseErrorKind::BadName(s) => write!(f, "`{s}` is not a valid TL name"),
            ParseErrorKind::BadParam(s) => {
                write!(f, "`{s}` is not a parameter (expected `name:type`)")
            }
            ParseErrorKind::BadType(s) => write!(f, "`{s}` is not a valid type expression"),
            ParseErrorKind::BadCondition(s) => write!(
                f,
                "`{s}`: a condition must be `flagsword.N?Type` with a `flagsword:#` declared earlier and N in 0..=31"
            ),
            ParseErrorKind::UnknownGeneric(s) => {
                write!(
                    f,
                    "type parameter `{s}` is not declared (add `{{{s}:Type}}`)"
                )
            }
            ParseErrorKind::MissingResult => f.write_str("definition has no `= ResultType`"),
            ParseErrorKind::UnterminatedDefinition => {
                f.write_str("the file ends inside a definition (missing `;`)")
            }
            ParseErrorKind::UnknownSection(s) => {
                write!(
                    f,
                    "unknown section `{s}` (expected ---types--- or ---functions---)"
                )
            }
            ParseErrorKind::Duplicate(s) => write!(f, "`{s}` is defined twice with different ids"),
            ParseErrorKind::UnknownType(s) => {
                write!(f, "type `{s}` is used but no constructor builds it")
            }
        }
    }
}

impl std::error::Error for ParseError {}

/// Options for [`parse`].
#[derive(Clone, Debug, Default)]
pub struct ParseOptions {
    /// Combinators whose explicit id is accepted even though it differs from the CRC32 of
    /// their text (tdesktop's `mtproto.tl` has two: `accessPointRule` and `help.configSimple`;
    /// see [`crate::MTPROTO_ID_EXCEPTIONS`]).
    pub id_exceptions: Vec<String>,
}

/// The names of the built-in types that a schema may declare but that are not generated.
const SKIPPED: &[&str] = &["boolFalse", "boolTrue", "true", "vector"];

struct Token<'s> {
    text: &'s str,
    line: usize,
    col: usize,
}

/// Parses one schema file. `file` only names the input in errors.
///
/// ```
/// use ferrogram_tl_codegen::{parse, ParseOptions};
/// let s = parse("x", "// LAYER 7\nuser#d23c81a3 id:int first_name:string last_name:string = User;",
///               &ParseOptions::default()).unwrap();
/// assert_eq!(s.layer, Some(7));
/// assert_eq!(s.defs[0].id, 0xd23c81a3);
/// ```
pub fn parse(file: &str, text: &str, opts: &ParseOptions) -> Result<Schema, ParseError> {
    let mut schema = Schema::default();
    let mut category = Category::Type;
    let mut tokens: Vec<Token<'_>> = Vec::new();
    let err = |line: usize, col: usize, kind: ParseErrorKind| ParseError {
        file: file.to_string(),
        line,
        col,
        kind,
    };

    for (lineno, raw_line) in text.lines().enumerate() {
        let line = lineno + 1;
        let (code, comment) = match raw_line.find("//") {
            Some(i) => (&raw_line[..i], Some(&raw_line[i + 2..])),
            None => (raw_line, None),
        };
        if let Some(c) = comment {
            let c = c.trim_start_matches('/').trim();
            if let Some(rest) = c.strip_prefix("LAYER ") {
                if schema.layer.is_none() {
                    if let Ok(n) = rest.trim().parse::<u32>() {
                        schema.layer = Some(n);
                    }
                }
            }
        }
        let trimmed = code.trim();
        if trimmed.starts_with("---") && tokens.is_empty() {
            let col = code.find("---").unwrap_or(0) + 1;
            category = match trimmed {
                "---types---" => Category::Type,
                "---functions---" => Category::Function,
                other => return Err(err(line, col, ParseErrorKind::UnknownSection(other.into()))),
            };
            continue;
        }
        // Split into tokens, cutting at `;`.
        let mut rest = code;
        let mut offset = 0usize;
        while !rest.is_empty() {
            let (piece, ends) = match rest.find(';') {
                Some(i) => (&rest[..i], Some(i)),
                None => (rest, None),
            };
            let mut start: Option<usize> = None;
            for (i, ch) in piece
                .char_indices()
                .chain(core::iter::once((piece.len(), ' ')))
            {
                if ch.is_whitespace() {
                    if let Some(s) = start.take() {
                        push_token(&mut tokens, &piece[s..i], line, offset + s);
                    }
                } else if start.is_none() {
                    start = Some(i);
                }
            }
            match ends {
                Some(i) => {
                    let toks = core::mem::take(&mut tokens);
                    if !toks.is_empty() {
                        if let Some(def) = parse_def(file, &toks, category, opts)? {
                            add_def(file, &mut schema, def)?;
                        }
                    } else {
                        return Err(err(
                            line,
                            offset + i + 1,
                            ParseErrorKind::BadName(";".into()),
                        ));
                    }
                    offset += i + 1;
                    rest = &rest[i + 1..];
                }
                None => break,
            }
        }
    }
    if let Some(t) = tokens.first() {
        return Err(err(t.line, t.col, ParseErrorKind::UnterminatedDefinition));
    }
    Ok(schema)
}

fn push_token<'s>(tokens: &mut Vec<Token<'s>>, text: &'s str, line: usize, byte_col: usize) {
    // `a=b` never occurs in real schemas but `=` glued to a word should still split.
    let mut col = byte_col + 1;
    let mut rest = text;
    while let Some(i) = rest.find('=') {
        if i > 0 {
            tokens.push(Token {
                text: &rest[..i],
                line,
                col,
            });
        }
        tokens.push(Token {
            text: "=",
            line,
            col: col + i,
        });
        col += i + 1;
        rest = &rest[i + 1..];
    }
    if !rest.is_empty() {
        tokens.push(Token {
            text: rest,
            line,
            col,
        });
    }
}

fn add_def(file: &str, schema: &mut Schema, def: Def) -> Result<(), ParseError> {
    if let Some(prev) = schema
        .defs
        .iter()
        .find(|d| d.name == def.name && d.category == def.category)
    {
        if prev.id != def.id {
            return Err(ParseError {
                file: file.to_string(),
                line: def.line,
                col: 1,
                kind: ParseErrorKind::Duplicate(def.name.to_string()),
            });
        }
        return Ok(());
    }
    schema.defs.push(def);
    Ok(())
}

fn valid_ident(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn valid_name(s: &str) -> bool {
    !s.is_empty() && s.split('.').all(valid_ident) && s.split('.').count() <= 2
}

fn parse_def(
    file: &str,
    toks: &[Token<'_>],
    category: Category,
    opts: &ParseOptions,
) -> Result<Option<Def>, ParseError> {
    let err = |t: &Token<'_>, kind: ParseErrorKind| ParseError {
        file: file.to_string(),
        line: t.line,
        col: t.col,
        kind,
    };
    let head = &toks[0];
    let (name_text, id_text) = match head.text.split_once('#') {
        Some((n, id)) => (n, Some(id)),
        None => (head.text, None),
    };
    let Some(eq) = toks.iter().position(|t| t.text == "=") else {
        return Err(err(head, ParseErrorKind::MissingResult));
    };
    if eq == 0 {
        // `= A;`: no combinator name.
        return Err(err(head, ParseErrorKind::BadName(head.text.into())));
    }
    if eq + 1 >= toks.len() {
        return Err(err(&toks[eq], ParseErrorKind::MissingResult));
    }
    // Built-in declarations: `int ? = Int;`, `vector {t:Type} # [ t ] = Vector t;`,
    // `int128 4*[ int ] = Int128;`.
    if toks[1..eq]
        .iter()
        .any(|t| t.text == "?" || t.text == "#" || t.text.contains('[') || t.text == "]")
    {
        return Ok(None);
    }
    if !valid_name(name_text) {
        return Err(err(head, ParseErrorKind::BadName(name_text.into())));
    }
    let explicit = match id_text {
        Some(id) => {
            if id.is_empty() || id.len() > 8 || !id.chars().all(|c| c.is_ascii_hexdigit()) {
                return Err(err(head, ParseErrorKind::BadId(id.into())));
            }
            Some(
                u32::from_str_radix(id, 16)
                    .map_err(|_| err(head, ParseErrorKind::BadId(id.into())))?,
            )
        }
        None => None,
    };
    if SKIPPED.contains(&name_text) {
        return Ok(None);
    }

    let mut generics: Vec<String> = Vec::new();
    let mut params: Vec<Param> = Vec::new();
    for t in &toks[1..eq] {
        if let Some(inner) = t.text.strip_prefix('{') {
            let Some(inner) = inner.strip_suffix('}') else {
                return Err(err(t, ParseErrorKind::BadParam(t.text.into())));
            };
            match inner.split_once(':') {
                Some((g, "Type")) if valid_ident(g) => generics.push(g.to_string()),
                _ => return Err(err(t, ParseErrorKind::BadParam(t.text.into()))),
            }
            continue;
        }
        let Some((pname, pty)) = t.text.split_once(':') else {
            return Err(err(t, ParseErrorKind::BadParam(t.text.into())));
        };
        if !valid_ident(pname) || pty.is_empty() {
            return Err(err(t, ParseErrorKind::BadParam(t.text.into())));
        }
        if params.iter().any(|p| p.name == pname) {
            return Err(err(
                t,
                ParseErrorKind::BadParam(format!("{pname} (declared twice)")),
            ));
        }
        if pty == "#" {
            params.push(Param {
                name: pname.into(),
                kind: ParamKind::Flags,
            });
            continue;
        }
        let (cond, ty_text) = match pty.split_once('?') {
            Some((c, rest)) => {
                let bad = || err(t, ParseErrorKind::BadCondition(pty.into()));
                let (word, bit) = c.split_once('.').ok_or_else(bad)?;
                let bit: u32 = bit.parse().map_err(|_| bad())?;
                let declared = params
                    .iter()
                    .any(|p| p.name == word && p.kind == ParamKind::Flags);
                if bit > 31 || !declared {
                    return Err(bad());
                }
                (Some((word.to_string(), bit)), rest)
            }
            None => (None, pty),
        };
        let ty = parse_ty(ty_text, &generics).map_err(|k| err(t, k))?;
        if has_type_param(&ty) {
            // `{X:Type} x:X`: a type parameter is only a query `!X` or (part of) the result.
            return Err(err(
                t,
                ParseErrorKind::BadType(format!(
                    "{ty_text} (a type parameter can only be `!X` or the result)"
                )),
            ));
        }
        if ty == Ty::True && cond.is_none() {
            return Err(err(
                t,
                ParseErrorKind::BadType(format!(
                    "{ty_text} (`true` is only allowed as flags.N?true)"
                )),
            ));
        }
        params.push(Param {
            name: pname.into(),
            kind: ParamKind::Value { ty, cond },
        });
    }
    let result_text: Vec<&str> = toks[eq + 1..].iter().map(|t| t.text).collect();
    let result_joined = result_text.join(" ");
    let result = parse_ty(&result_joined, &generics).map_err(|k| err(&toks[eq + 1], k))?;
    match &result {
        Ty::Named { bare: false, .. } | Ty::Generic(_) | Ty::Vector { bare: false, .. } => {}
        Ty::Bool | Ty::Int | Ty::Long | Ty::Double | Ty::String | Ty::Bytes
            if category == Category::Function => {}
        _ => {
            return Err(err(
                &toks[eq + 1],
                ParseErrorKind::BadType(result_joined.clone()),
            ));
        }
    }
    if category == Category::Type && !matches!(result, Ty::Named { .. }) {
        return Err(err(
            &toks[eq + 1],
            ParseErrorKind::BadType(result_joined.clone()),
        ));
    }

    let mut norm_tokens: Vec<&str> = vec![name_text];
    norm_tokens.extend(toks[1..].iter().map(|t| t.text));
    let texts = normalized_texts(&norm_tokens);
    let computed = crc32(texts[0].as_bytes());
    let id = match explicit {
        Some(id) => {
            let ok = id == computed
                || id == crc32(texts[1].as_bytes())
                || opts.id_exceptions.iter().any(|e| e == name_text);
            if !ok {
                return Err(err(
                    head,
                    ParseErrorKind::IdMismatch {
                        name: name_text.into(),
                        explicit: id,
                        computed,
                    },
                ));
            }
            id
        }
        None => computed,
    };
    let mut text = toks.iter().map(|t| t.text).collect::<Vec<_>>().join(" ");
    text.push(';');
    Ok(Some(Def {
        name: Name::parse(name_text),
        id,
        explicit_id: explicit.is_some(),
        generics,
        params,
        result,
        category,
        file: file.to_string(),
        line: head.line,
        text,
    }))
}

fn has_type_param(ty: &Ty) -> bool {
    match ty {
        Ty::Generic(_) => true,
        Ty::Vector { elem, .. } => has_type_param(elem),
        _ => false,
    }
}

fn parse_ty(text: &str, generics: &[String]) -> Result<Ty, ParseErrorKind> {
    let bad = || ParseErrorKind::BadType(text.into());
    if let Some(g) = text.strip_prefix('!') {
        return if generics.iter().any(|x| x == g) {
            Ok(Ty::GenericQuery(g.into()))
        } else {
            Err(ParseErrorKind::UnknownGeneric(g.into()))
        };
    }
    // `Vector<T>`, `vector<T>`, or `Vector T` (result of the builtin).
    for (prefix, bare) in [("Vector", false), ("vector", true)] {
        if let Some(rest) = text.strip_prefix(prefix) {
            let inner = if let Some(r) = rest.strip_prefix('<') {
                r.strip_suffix('>').ok_or_else(bad)?
            } else if let Some(r) = rest.strip_prefix(' ') {
                r.trim()
            } else {
                continue;
            };
            let elem = parse_ty(inner, generics)?;
            if matches!(elem, Ty::True | Ty::GenericQuery(_)) {
                return Err(bad());
            }
            return Ok(Ty::Vector {
                bare,
                elem: Box::new(elem),
            });
        }
    }
    let (bare_mark, name) = match text.strip_prefix('%') {
        Some(n) => (true, n),
        None => (false, text),
    };
    if !valid_name(name) {
        return Err(bad());
    }
    if !bare_mark {
        let builtin = match name {
            "int" => Some(Ty::Int),
            "long" => Some(Ty::Long),
            "double" => Some(Ty::Double),
            "string" => Some(Ty::String),
            "bytes" => Some(Ty::Bytes),
            "int128" => Some(Ty::Int128),
            "int256" => Some(Ty::Int256),
            "Bool" => Some(Ty::Bool),
            "true" => Some(Ty::True),
            _ => None,
        };
        if let Some(b) = builtin {
            return Ok(b);
        }
        if generics.iter().any(|g| g == name) {
            return Ok(Ty::Generic(name.into()));
        }
    }
    let n = Name::parse(name);
    let lower = n.name.starts_with(|c: char| c.is_ascii_lowercase());
    Ok(Ty::Named {
        name: n,
        bare: bare_mark || lower,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Schema, ParseError> {
        parse("t.tl", s, &ParseOptions::default())
    }

    #[test]
    fn flags_and_vectors() {
        let s = p("---functions---\nmessages.getX#1 flags:# a:flags.3?true b:flags.0?Vector<%foo> c:!X = Y;")
            .unwrap_err();
        assert!(
            matches!(s.kind, ParseErrorKind::UnknownGeneric(ref g) if g == "X"),
            "{s}"
        );
        let s = p("a flags:# x:flags.0?true v:Vector<long> = A;").unwrap();
        let d = &s.defs[0];
        assert_eq!(d.params.len(), 3);
        assert_eq!(
            d.params[1].kind,
            ParamKind::Value {
                ty: Ty::True,
                cond: Some(("flags".into(), 0))
            }
        );
        assert_eq!(
            d.params[2].kind,
            ParamKind::Value {
                ty: Ty::Vector {
                    bare: false,
                    elem: Box::new(Ty::Long)
                },
                cond: None
            }
        );
    }

    #[test]
    fn id_mismatch_has_position() {
        let e =
            p("\n\n  user#d23c81a4 id:int first_name:string last_name:string = User;").unwrap_err();
        assert_eq!((e.line, e.col), (3, 3));
        assert!(matches!(
            e.kind,
            ParseErrorKind::IdMismatch {
                computed: 0xd23c81a3,
                ..
            }
        ));
        assert!(e.to_string().contains("t.tl:3:3"));
    }

    #[test]
    fn malformed_inputs_are_errors() {
        for (src, line, col) in [
            ("a#xyz = A;", 1, 1),
            ("a x = A;", 1, 3),
            ("a x:flags.0?int = A;", 1, 3),
            ("a flags:# x:flags.32?int = A;", 1, 11),
            ("a x:Vector<int = A;", 1, 3),
            ("a x:int", 1, 1),
            ("a x:int = ;", 1, 9),
            ("---foo---", 1, 1),
            ("a x:true = A;", 1, 3),
        ] {
            let e = p(src).expect_err(src);
            assert_eq!((e.line, e.col), (line, col), "{src}: {e}");
        }
    }

    #[test]
    fn fuzz_regressions() {
        // Found by the `tl_codegen_parse` fuzz target: both used to panic (a slice index in
        // the parser; `unreachable!` in the generator for a parameter of type `X`).
        let e = p("a x:int = A;\n  = E;").unwrap_err();
        assert_eq!((e.line, e.col), (2, 3));
        assert!(
            matches!(e.kind, ParseErrorKind::BadName(ref n) if n == "="),
            "{e}"
        );
        for src in [
            "---functions---\nf {X:Type} x:X q:!X = X;",
            "---functions---\nf {X:Type} v:Vector<X> q:!X = X;",
            "---functions---\nf {X:Type} flags:# x:flags.0?X q:!X = X;",
        ] {
            let e = p(src).expect_err(src);
            assert!(matches!(e.kind, ParseErrorKind::BadType(_)), "{src}: {e}");
            assert_eq!(e.line, 2, "{src}: {e}");
        }
    }

    #[test]
    fn builtins_skipped_and_generics() {
        let s = p(
            "int ? = Int;\nvector {t:Type} # [ t ] = Vector t;\nint128 4*[ int ] = Int128;\n\
                   ---functions---\ninvokeWithLayer#da9b0d0d {X:Type} layer:int query:!X = X;",
        )
        .unwrap();
        assert_eq!(s.defs.len(), 1);
        assert_eq!(s.defs[0].generics, vec!["X".to_string()]);
        assert_eq!(s.defs[0].result, Ty::Generic("X".into()));
    }
}
