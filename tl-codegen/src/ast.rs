//! The parsed form of a TL schema.

/// A parsed schema: the definitions of one or more files, in order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Schema {
    /// The layer named by a `// LAYER N` comment, if any file had one.
    pub layer: Option<u32>,
    /// Every constructor and function, in file order.
    pub defs: Vec<Def>,
}

/// Whether a definition was in the `---types---` or `---functions---` section.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Category {
    /// A constructor of a type.
    Type,
    /// A function (an RPC method).
    Function,
}

/// A possibly namespaced TL name such as `messages.sendMessage`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Name {
    /// `messages` in `messages.sendMessage`.
    pub namespace: Option<String>,
    /// `sendMessage` in `messages.sendMessage`.
    pub name: String,
}

impl Name {
    /// Parses `ns.name` or `name`.
    pub fn parse(s: &str) -> Name {
        match s.rsplit_once('.') {
            Some((ns, n)) => Name {
                namespace: Some(ns.to_string()),
                name: n.to_string(),
            },
            None => Name {
                namespace: None,
                name: s.to_string(),
            },
        }
    }
}

impl core::fmt::Display for Name {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{ns}.{}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

/// One combinator: a constructor or a function.
#[derive(Clone, Debug, PartialEq)]
pub struct Def {
    /// Its name, e.g. `inputPeerUser`.
    pub name: Name,
    /// Its constructor id (explicit, or the CRC32 of its normalized text).
    pub id: u32,
    /// Whether the schema wrote the id.
    pub explicit_id: bool,
    /// Type parameters: `X` in `{X:Type}`.
    pub generics: Vec<String>,
    /// Parameters in wire order.
    pub params: Vec<Param>,
    /// The type this constructor builds or this function returns.
    pub result: Ty,
    /// Type or function.
    pub category: Category,
    /// The file name given to the parser.
    pub file: String,
    /// 1-based line of the definition.
    pub line: usize,
    /// The definition's text as written (without comments), for documentation.
    pub text: String,
}

/// One parameter of a combinator.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// Its name as in the schema.
    pub name: String,
    /// Its kind.
    pub kind: ParamKind,
}

/// What a parameter holds.
#[derive(Clone, Debug, PartialEq)]
pub enum ParamKind {
    /// `flags:#`: a 32-bit word of presence bits for later parameters.
    Flags,
    /// A value, possibly present only when a bit of an earlier flags word is set.
    Value {
        /// The value's type.
        ty: Ty,
        /// `Some((flags parameter name, bit))` for `flags.N?T`.
        cond: Option<(String, u32)>,
    },
}

/// A type expression.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Ty {
    /// `int`
    Int,
    /// `long`
    Long,
    /// `double`
    Double,
    /// `string`
    String,
    /// `bytes`
    Bytes,
    /// `int128`
    Int128,
    /// `int256`
    Int256,
    /// `Bool` (boolTrue / boolFalse)
    Bool,
    /// `true`: only meaningful as `flags.N?true`.
    True,
    /// `Vector<T>` (boxed) or `vector<T>` (bare).
    Vector {
        /// Written `vector<T>`: no vector constructor id on the wire.
        bare: bool,
        /// The element type.
        elem: Box<Ty>,
    },
    /// A named type: `User` (boxed, any of its constructors) or `%user` / `user` (bare: one
    /// constructor, no id on the wire).
    Named {
        /// The name as written, without `%`.
        name: Name,
        /// Bare (`%T` or a lower-case constructor name).
        bare: bool,
    },
    /// `X` where `{X:Type}`: a type parameter used as a result type.
    Generic(String),
    /// `!X`: a value of any function whose result is `X`.
    GenericQuery(String),
}
