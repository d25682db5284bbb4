//! Random, valid serialized values straight from a schema.
//!
//! This is an encoder that knows nothing of the generated Rust code: it walks the parsed
//! schema and writes TL bytes. Tests decode its output with the generated types, encode it
//! again and compare — so the generated code is checked against an independent reading of the
//! schema. Fuzzers use it for seed corpora.
//!
//! ```
//! use ferrogram_tl_codegen::{parse, sample::{Sampler, FlagMode}, ParseOptions};
//! let s = parse("x", "peerUser#59511722 user_id:long = Peer;", &ParseOptions::default()).unwrap();
//! let mut sm = Sampler::new(&s, 1);
//! let bytes = sm.constructor(&s.defs[0], FlagMode::Random);
//! assert_eq!(bytes.len(), 12);
//! assert_eq!(&bytes[..4], &0x59511722u32.to_le_bytes());
//! ```

use crate::ast::{Category, Def, Name, ParamKind, Schema, Ty};
use std::collections::{HashMap, HashSet};

/// Which optional fields a sample has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlagMode {
    /// Each flag bit is set with probability ½.
    Random,
    /// Every used flag bit is set (at the top level; deeper levels are random).
    AllSet,
    /// No flag bit is set.
    NoneSet,
}

/// Produces samples for one schema from a seeded pseudo-random generator.
pub struct Sampler<'s> {
    by_type: HashMap<&'s Name, Vec<&'s Def>>,
    by_name: HashMap<&'s Name, &'s Def>,
    /// Constructors that can end a recursion (all mandatory fields terminate), per type.
    terminal: HashMap<&'s Name, Vec<&'s Def>>,
    terminal_fns: Vec<&'s Def>,
    state: u64,
    /// Below this depth, nested values are random; beyond it, the sampler picks terminating
    /// constructors, sets no flags and writes empty vectors.
    pub max_depth: usize,
}

impl<'s> Sampler<'s> {
    /// A sampler for `schema`, seeded.
    pub fn new(schema: &'s Schema, seed: u64) -> Self {
        let mut by_type: HashMap<&Name, Vec<&Def>> = HashMap::new();
        let mut by_name = HashMap::new();
        for d in &schema.defs {
            if d.category == Category::Type {
                if let Ty::Named { name, .. } = &d.result {
                    by_type.entry(name).or_default().push(d);
                }
                by_name.insert(&d.name, d);
            }
        }
        // Fixed point: a type terminates if one of its constructors has only terminating
        // mandatory fields.
        let mut done: HashSet<&Name> = HashSet::new();
        let mut terminal: HashMap<&Name, Vec<&Def>> = HashMap::new();
        loop {
            let mut changed = false;
            for (t, ctors) in &by_type {
                for c in ctors {
                    let ok = mandatory_types(c)
                        .iter()
                        .all(|n| done.contains(n) || resolves_bare(&by_name, n, &done));
                    let list = terminal.entry(*t).or_default();
                    if ok && !list.iter().any(|x| x.name == c.name) {
                        list.push(c);
                        changed |= done.insert(*t);
                    }
                }
            }
            if !changed {
                break;
            }
        }
        let terminal_fns = schema
            .defs
            .iter()
            .filter(|d| d.category == Category::Function && d.generics.is_empty())
            .filter(|d| mandatory_types(d).iter().all(|n| done.contains(n)))
            .collect();
        Sampler {
            by_type,
            by_name,
            terminal,
            terminal_fns,
            state: seed ^ 0x9E37_79B9_7F4A_7C15,
            max_depth: 3,
        }
    }

    fn next(&mut self) -> u64 {
        // splitmix64
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }

    /// A boxed constructor (id, then fields).
    pub fn constructor(&mut self, def: &Def, mode: FlagMode) -> Vec<u8> {
        let mut out = def.id.to_le_bytes().to_vec();
        self.fields(&mut out, def, mode, 0);
        out
    }

    /// A function call (id, then parameters). `!X` parameters get a random terminating
    /// function of the schema.
    pub fn function(&mut self, def: &Def, mode: FlagMode) -> Vec<u8> {
        self.constructor(def, mode)
    }

    fn fields(&mut self, out: &mut Vec<u8>, def: &Def, mode: FlagMode, depth: usize) {
        let deep = depth >= self.max_depth;
        let mut words: HashMap<&str, u32> = HashMap::new();
        for p in &def.params {
            if let ParamKind::Flags = p.kind {
                let mut used = 0u32;
                for q in &def.params {
                    if let ParamKind::Value {
                        cond: Some((w, bit)),
                        ..
                    } = &q.kind
                    {
                        if *w == p.name {
                            used |= 1 << bit;
                        }
                    }
                }
                let v = match mode {
                    _ if deep => 0,
                    FlagMode::AllSet => used,
                    FlagMode::NoneSet => 0,
                    FlagMode::Random => used & self.next() as u32,
                };
                words.insert(&p.name, v);
            }
        }
        for p in &def.params {
            match &p.kind {
                ParamKind::Flags => out.extend_from_slice(&words[p.name.as_str()].to_le_bytes()),
                ParamKind::Value { ty, cond } => {
                    if let Some((w, bit)) = cond {
                        if words[w.as_str()] & (1 << bit) == 0 || *ty == Ty::True {
                            continue;
                        }
                    }
                    self.value(out, ty, depth + 1);
                }
            }
        }
    }

    fn value(&mut self, out: &mut Vec<u8>, ty: &Ty, depth: usize) {
        let deep = depth > self.max_depth;
        match ty {
            Ty::Int => out.extend_from_slice(&(self.next() as u32).to_le_bytes()),
            Ty::Long => out.extend_from_slice(&self.next().to_le_bytes()),
            Ty::Double => {
                let d = (self.next() % 2_000_000) as f64 / 7.0 - 100_000.0;
                out.extend_from_slice(&d.to_le_bytes());
            }
            Ty::Bool => {
                let id: u32 = if self.next() & 1 == 1 {
                    0x997275b5
                } else {
                    0xbc799737
                };
                out.extend_from_slice(&id.to_le_bytes());
            }
            Ty::True => {}
            Ty::Int128 => (0..2).for_each(|_| {
                let v = self.next();
                out.extend_from_slice(&v.to_le_bytes())
            }),
            Ty::Int256 => (0..4).for_each(|_| {
                let v = self.next();
                out.extend_from_slice(&v.to_le_bytes())
            }),
            Ty::String => {
                let s = self.text();
                tl_bytes(out, s.as_bytes());
            }
            Ty::Bytes => {
                let n = if self.below(8) == 0 {
                    254 + self.below(300)
                } else {
                    self.below(20)
                } as usize;
                let b: Vec<u8> = (0..n).map(|_| self.next() as u8).collect();
                tl_bytes(out, &b);
            }
            Ty::Vector { bare, elem } => {
                if !bare {
                    out.extend_from_slice(&0x1cb5c415u32.to_le_bytes());
                }
                let n = if deep { 0 } else { self.below(4) as u32 };
                out.extend_from_slice(&n.to_le_bytes());
                for _ in 0..n {
                    self.value(out, elem, depth + 1);
                }
            }
            Ty::Named { name, bare: true } => {
                let def = self.bare_def(name);
                self.fields(out, def, FlagMode::Random, depth);
            }
            Ty::Named { name, bare: false } => {
                let len = if deep {
                    self.terminal[name].len()
                } else {
                    self.by_type[name].len()
                };
                let i = self.below(len as u64) as usize;
                let def = if deep {
                    self.terminal[name][i]
                } else {
                    self.by_type[name][i]
                };
                out.extend_from_slice(&def.id.to_le_bytes());
                self.fields(out, def, FlagMode::Random, depth);
            }
            Ty::GenericQuery(_) => {
                let i = self.below(self.terminal_fns.len() as u64) as usize;
                let def = self.terminal_fns[i];
                out.extend_from_slice(&def.id.to_le_bytes());
                let saved = self.max_depth;
                self.max_depth = 0;
                self.fields(out, def, FlagMode::NoneSet, depth);
                self.max_depth = saved;
            }
            Ty::Generic(_) => unreachable!("a type parameter is only a result type"),
        }
    }

    fn bare_def(&self, name: &Name) -> &'s Def {
        self.by_name
            .get(name)
            .copied()
            .unwrap_or_else(|| self.by_type[name][0])
    }

    fn text(&mut self) -> String {
        const PIECES: &[&str] = &[
            "a", "Z", " ", "0", "é", "ж", "€", "😀", "\n", "\"", "\\", "\u{7f}", "\u{200d}",
        ];
        let n = match self.below(10) {
            0 => 120 + self.below(100),
            _ => self.below(12),
        };
        (0..n)
            .map(|_| PIECES[self.below(PIECES.len() as u64) as usize])
            .collect()
    }
}

fn mandatory_types(d: &Def) -> Vec<&Name> {
    d.params
        .iter()
        .filter_map(|p| match &p.kind {
            ParamKind::Value { ty, cond: None } => Some(ty),
            _ => None,
        })
        .filter_map(|t| match t {
            Ty::Named { name, bare: false } => Some(name),
            _ => None,
        })
        .collect()
}

fn resolves_bare(by_name: &HashMap<&Name, &Def>, n: &Name, done: &HashSet<&Name>) -> bool {
    by_name
        .get(n)
        .is_some_and(|d| mandatory_types(d).iter().all(|m| done.contains(m)))
}

/// Writes TL `bytes`/`string`: length prefix, data, zero padding to 4.
pub fn tl_bytes(out: &mut Vec<u8>, b: &[u8]) {
    let start = out.len();
    if b.len() < 254 {
        out.push(b.len() as u8);
    } else {
        out.push(254);
        out.extend_from_slice(&(b.len() as u32).to_le_bytes()[..3]);
    }
    out.extend_from_slice(b);
    while (out.len() - start) % 4 != 0 {
        out.push(0);
    }
}
