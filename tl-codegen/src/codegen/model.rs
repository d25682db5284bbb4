//! The schema resolved into what the emitters need: Rust names, which type each constructor
//! builds, which enum variants are boxed, which view types borrow.

use super::names::{camel, field, module};
use crate::ast::{Category, Def, Name, ParamKind, Schema, Ty};
use crate::parse::{ParseError, ParseErrorKind};
use std::collections::HashMap;

/// A constructor or function with Rust names.
pub struct Item<'s> {
    pub def: &'s Def,
    /// Rust struct name.
    pub rust: String,
    /// Rust module for its namespace, if any.
    pub module: Option<String>,
    pub fields: Vec<Field>,
    /// Names of the `flags:#` words, in order.
    pub flag_words: Vec<String>,
    /// View type has a lifetime.
    pub view_lt: bool,
    /// The view type implements `TlWrite`: functions always; constructors whose type can be
    /// a function parameter (directly or nested). Result-only view types are read-only, which
    /// keeps the view crate's build time down.
    pub view_write: bool,
}

/// A value parameter.
pub struct Field {
    pub tl: String,
    /// Rust field name (possibly `r#type`).
    pub rust: String,
    /// Local variable name in generated code.
    pub local: String,
    pub ty: Ty,
    /// (flags word name, bit)
    pub cond: Option<(String, u32)>,
}

impl Field {
    pub fn is_flag_true(&self) -> bool {
        self.ty == Ty::True
    }
}

/// An abstract (boxed) type.
pub struct AbsType {
    pub name: Name,
    pub rust: String,
    pub module: Option<String>,
    /// Indices into [`Model::ctors`].
    pub ctors: Vec<usize>,
    /// Enum variant name per constructor.
    pub variants: Vec<String>,
    /// Owned enum: is the variant boxed.
    pub boxed: Vec<bool>,
    /// View: all constructors hold only scalars, strings and bytes, so a field of this type is
    /// decoded eagerly instead of lazily.
    pub flat: bool,
    /// View enum has a lifetime.
    pub view_lt: bool,
    /// Can appear in a function's parameters (see [`Item::view_write`]).
    pub input: bool,
}

pub struct Model<'s> {
    pub layer: Option<u32>,
    pub ctors: Vec<Item<'s>>,
    pub funcs: Vec<Item<'s>>,
    pub types: Vec<AbsType>,
    pub type_by_name: HashMap<Name, usize>,
    pub ctor_by_name: HashMap<Name, usize>,
}

fn err(def: &Def, kind: ParseErrorKind) -> ParseError {
    ParseError {
        file: "<schema>".into(),
        line: def.line,
        col: 1,
        kind,
    }
}

impl<'s> Model<'s> {
    pub fn build(schema: &'s Schema) -> Result<Model<'s>, ParseError> {
        let mut m = Model {
            layer: schema.layer,
            ctors: Vec::new(),
            funcs: Vec::new(),
            types: Vec::new(),
            type_by_name: HashMap::new(),
            ctor_by_name: HashMap::new(),
        };
        for def in &schema.defs {
            let item = make_item(def);
            match def.category {
                Category::Type => {
                    let Ty::Named { name, .. } = &def.result else {
                        unreachable!("checked by the parser")
                    };
                    let t = match m.type_by_name.get(name) {
                        Some(&t) => t,
                        None => {
                            m.types.push(AbsType {
                                name: name.clone(),
                                rust: camel(&name.name),
                                module: name.namespace.as_deref().map(module),
                                ctors: Vec::new(),
                                variants: Vec::new(),
                                boxed: Vec::new(),
                                flat: false,
                                view_lt: false,
                                input: false,
                            });
                            m.type_by_name.insert(name.clone(), m.types.len() - 1);
                            m.types.len() - 1
                        }
                    };
                    let idx = m.ctors.len();
                    m.types[t].ctors.push(idx);
                    m.ctor_by_name.insert(def.name.clone(), idx);
                    m.ctors.push(item);
                }
                Category::Function => m.funcs.push(item),
            }
        }
        // Every named type must resolve.
        for item in m.ctors.iter().chain(&m.funcs) {
            for f in &item.fields {
                m.check_ty(item.def, &f.ty)?;
            }
            if item.def.category == Category::Function {
                m.check_ty(item.def, &item.def.result)?;
            }
        }
        // Rust name clashes inside one module.
        let mut seen: HashMap<(Option<String>, String, bool), &Def> = HashMap::new();
        for (items, is_fn) in [(&m.ctors, false), (&m.funcs, true)] {
            for it in items.iter() {
                if let Some(prev) = seen.insert((it.module.clone(), it.rust.clone(), is_fn), it.def)
                {
                    return Err(err(
                        it.def,
                        ParseErrorKind::Duplicate(format!(
                            "{} and {} (both become `{}`)",
                            prev.name, it.def.name, it.rust
                        )),
                    ));
                }
                let mut names: Vec<&str> = it.fields.iter().map(|f| f.rust.as_str()).collect();
                names.sort_unstable();
                if names.windows(2).any(|w| w[0] == w[1]) {
                    return Err(err(
                        it.def,
                        ParseErrorKind::Duplicate(format!("a field name of {}", it.def.name)),
                    ));
                }
            }
        }
        let mut type_names: HashMap<(Option<String>, String), &Name> = HashMap::new();
        for t in &m.types {
            if let Some(prev) = type_names.insert((t.module.clone(), t.rust.clone()), &t.name) {
                return Err(err(
                    m.ctors[t.ctors[0]].def,
                    ParseErrorKind::Duplicate(format!(
                        "types {prev} and {} (both become `{}`)",
                        t.name, t.rust
                    )),
                ));
            }
        }
        m.name_variants();
        m.decide_layout();
        m.mark_inputs();
        Ok(m)
    }

    fn check_ty(&self, def: &Def, ty: &Ty) -> Result<(), ParseError> {
        match ty {
            Ty::Vector { elem, .. } => self.check_ty(def, elem),
            Ty::Named { name, bare } => {
                let ok = if *bare {
                    self.bare_ctor(name).is_some()
                } else {
                    self.type_by_name.contains_key(name)
                };
                if ok {
                    Ok(())
                } else {
                    Err(err(def, ParseErrorKind::UnknownType(name.to_string())))
                }
            }
            _ => Ok(()),
        }
    }

    /// The constructor a bare type name denotes: a constructor name, or a type with exactly
    /// one constructor.
    pub fn bare_ctor(&self, name: &Name) -> Option<usize> {
        if let Some(&c) = self.ctor_by_name.get(name) {
            return Some(c);
        }
        let t = &self.types[*self.type_by_name.get(name)?];
        (t.ctors.len() == 1).then(|| t.ctors[0])
    }

    fn name_variants(&mut self) {
        for t in &mut self.types {
            let mut variants: Vec<String> = t
                .ctors
                .iter()
                .map(|&c| {
                    let full = &self.ctors[c].rust;
                    match full.strip_prefix(&t.rust) {
                        Some(rest)
                            if rest.starts_with(|ch: char| ch.is_ascii_uppercase())
                                && rest != "Self" =>
                        {
                            rest.to_string()
                        }
                        _ => full.clone(),
                    }
                })
                .collect();
            let mut sorted = variants.clone();
            sorted.sort_unstable();
            if sorted.windows(2).any(|w| w[0] == w[1]) {
                variants = t
                    .ctors
                    .iter()
                    .map(|&c| self.ctors[c].rust.clone())
                    .collect();
            }
            t.variants = variants;
        }
    }

    /// The abstract type a constructor builds.
    fn type_of_ctor(&self, c: usize) -> Option<usize> {
        let Ty::Named { name, .. } = &self.ctors[c].def.result else {
            return None;
        };
        self.type_by_name.get(name).copied()
    }

    /// Abstract types a constructor's fields hold by value (not behind a vector), directly.
    fn by_value_types(&self, c: usize) -> Vec<usize> {
        let mut out = Vec::new();
        for f in &self.ctors[c].fields {
            if let Ty::Named { name, bare } = &f.ty {
                let t = if *bare {
                    self.bare_ctor(name).and_then(|bc| self.type_of_ctor(bc))
                } else {
                    self.type_by_name.get(name).copied()
                };
                out.extend(t);
            }
        }
        out
    }

    /// Whether constructor `c` of type `t` holds a value of `t` again by value (directly or
    /// through other types): its enum variant must be boxed or the enum has no finite size.
    fn is_recursive(&self, t: usize, c: usize) -> bool {
        let mut seen = vec![false; self.types.len()];
        let mut stack = self.by_value_types(c);
        while let Some(u) = stack.pop() {
            if u == t {
                return true;
            }
            if std::mem::replace(&mut seen[u], true) {
                continue;
            }
            for &uc in &self.types[u].ctors {
                stack.extend(self.by_value_types(uc));
            }
        }
        false
    }

    /// Estimated size in bytes of an owned struct of constructor `c`, deciding the layout of
    /// the enums it holds first. `size[t]`: the decided size of enum `t`.
    fn owned_ctor_size(&mut self, c: usize, size: &mut [Option<usize>]) -> usize {
        let mut total = 0;
        for fi in 0..self.ctors[c].fields.len() {
            let f = &self.ctors[c].fields[fi];
            let optional = f.cond.is_some();
            let (nested_ctor, nested_type) = match &f.ty {
                Ty::Named { name, bare: true } => (self.bare_ctor(name), None),
                Ty::Named { name, bare: false } => (None, self.type_by_name.get(name).copied()),
                other => {
                    total += owned_size(other, optional);
                    continue;
                }
            };
            total += match (nested_ctor, nested_type) {
                (Some(bc), _) => self.owned_ctor_size(bc, size) + if optional { 8 } else { 0 },
                (None, Some(t)) => self.owned_type_size(t, size),
                (None, None) => 8,
            };
        }
        total
    }

    /// Decides which variants of enum `t` are boxed and returns its estimated size: its
    /// largest inline variant plus a tag.
    fn owned_type_size(&mut self, t: usize, size: &mut [Option<usize>]) -> usize {
        if let Some(s) = size[t] {
            return s;
        }
        let ctors = self.types[t].ctors.clone();
        let mut max = 0;
        for (i, &c) in ctors.iter().enumerate() {
            // Recursive variants are boxed already, so this recursion ends.
            if !self.types[t].boxed[i] && self.owned_ctor_size(c, size) > MAX_UNBOXED_VARIANT {
                self.types[t].boxed[i] = true;
            }
            let s = if self.types[t].boxed[i] {
                8
            } else {
                self.owned_ctor_size(c, size)
            };
            max = max.max(s);
        }
        size[t] = Some(max + 8);
        max + 8
    }

    /// Owned enums box a variant when it is recursive (it must be) or when its struct is
    /// larger than [`MAX_UNBOXED_VARIANT`] bytes. Enums stay small to move around (a `Vec`
    /// of messages does not hold 2.5 KB per element) without a heap allocation and a `Box`
    /// instantiation for every small variant.
    fn decide_layout(&mut self) {
        for ti in 0..self.types.len() {
            let ctors = self.types[ti].ctors.clone();
            let boxed = ctors.iter().map(|&c| self.is_recursive(ti, c)).collect();
            self.types[ti].boxed = boxed;
        }
        let mut size = vec![None; self.types.len()];
        for ti in 0..self.types.len() {
            self.owned_type_size(ti, &mut size);
            let flat = self.types[ti]
                .ctors
                .iter()
                .all(|&c| self.ctors[c].fields.iter().all(|f| plain(&f.ty)));
            self.types[ti].flat = flat;
        }
        // Lifetimes of view types: fixed point.
        loop {
            let mut changed = false;
            for ci in 0..self.ctors.len() {
                if !self.ctors[ci].view_lt
                    && self.ctors[ci]
                        .fields
                        .iter()
                        .any(|f| self.ty_needs_lt(&f.ty))
                {
                    self.ctors[ci].view_lt = true;
                    changed = true;
                }
            }
            for ti in 0..self.types.len() {
                if !self.types[ti].view_lt
                    && self.types[ti].ctors.iter().any(|&c| self.ctors[c].view_lt)
                {
                    self.types[ti].view_lt = true;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        for fi in 0..self.funcs.len() {
            self.funcs[fi].view_lt = self.funcs[fi]
                .fields
                .iter()
                .any(|f| self.ty_needs_lt(&f.ty));
        }
    }

    /// Makes every type with a constructor from one of `files` writable (see
    /// [`super::Config::writable_files`]), and what those types contain.
    pub fn mark_writable_files(&mut self, files: &[String]) {
        let seeds: Vec<Ty> = self
            .types
            .iter()
            .filter(|t| {
                t.ctors
                    .iter()
                    .any(|&c| files.contains(&self.ctors[c].def.file))
            })
            .map(|t| Ty::Named {
                name: t.name.clone(),
                bare: false,
            })
            .collect();
        self.close_inputs(seeds);
    }

    /// Marks the types reachable from function parameters.
    fn mark_inputs(&mut self) {
        let seeds = self
            .funcs
            .iter()
            .flat_map(|f| f.fields.iter().map(|x| x.ty.clone()))
            .collect();
        self.close_inputs(seeds);
    }

    fn close_inputs(&mut self, mut stack: Vec<Ty>) {
        while let Some(ty) = stack.pop() {
            let t = match &ty {
                Ty::Vector { elem, .. } => {
                    stack.push((**elem).clone());
                    continue;
                }
                Ty::Named { name, bare: false } => self.type_by_name[name],
                Ty::Named { name, bare: true } => {
                    let c = self.bare_ctor(name).expect("checked");
                    let Ty::Named { name, .. } = &self.ctors[c].def.result else {
                        unreachable!()
                    };
                    self.type_by_name[name]
                }
                _ => continue,
            };
            if self.types[t].input {
                continue;
            }
            self.types[t].input = true;
            for &c in &self.types[t].ctors {
                self.ctors[c].view_write = true;
                stack.extend(self.ctors[c].fields.iter().map(|x| x.ty.clone()));
            }
        }
    }

    /// Whether a view field of this type borrows from the input.
    pub fn ty_needs_lt(&self, ty: &Ty) -> bool {
        match ty {
            Ty::String | Ty::Bytes | Ty::Vector { .. } | Ty::GenericQuery(_) => true,
            Ty::Named { name, bare: false } => {
                let t = &self.types[self.type_by_name[name]];
                !t.flat || t.view_lt
            }
            Ty::Named { name, bare: true } => {
                self.ctors[self.bare_ctor(name).expect("checked")].view_lt
            }
            _ => false,
        }
    }

    pub fn ty_of(&self, name: &Name) -> &AbsType {
        &self.types[self.type_by_name[name]]
    }
}

/// Scalars, strings and bytes: values with no nested TL objects.
fn plain(ty: &Ty) -> bool {
    matches!(
        ty,
        Ty::Int
            | Ty::Long
            | Ty::Double
            | Ty::Bool
            | Ty::True
            | Ty::String
            | Ty::Bytes
            | Ty::Int128
            | Ty::Int256
    )
}

/// The largest owned struct kept inline in its enum (see `Model::decide_layout`).
const MAX_UNBOXED_VARIANT: usize = 256;

fn owned_size(ty: &Ty, optional: bool) -> usize {
    let base = match ty {
        Ty::Int => 4,
        Ty::Bool | Ty::True => 1,
        Ty::Long | Ty::Double => 8,
        Ty::Int128 => 16,
        Ty::Int256 => 32,
        _ => 24,
    };
    match ty {
        Ty::Int | Ty::Long | Ty::Double | Ty::Int128 | Ty::Int256 if optional => base + base.min(8),
        _ => base,
    }
}

fn make_item(def: &Def) -> Item<'_> {
    let mut fields = Vec::new();
    let mut flag_words = Vec::new();
    for p in &def.params {
        match &p.kind {
            ParamKind::Flags => flag_words.push(p.name.clone()),
            ParamKind::Value { ty, cond } => {
                let rust = field(&p.name);
                let local = format!("f_{}", rust.trim_start_matches("r#"));
                fields.push(Field {
                    tl: p.name.clone(),
                    rust,
                    local,
                    ty: ty.clone(),
                    cond: cond.clone(),
                });
            }
        }
    }
    Item {
        def,
        rust: camel(&def.name.name),
        module: def.name.namespace.as_deref().map(module),
        fields,
        flag_words,
        view_lt: false,
        view_write: def.category == Category::Function,
    }
}
