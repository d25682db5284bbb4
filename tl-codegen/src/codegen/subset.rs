//! Keeping only what some functions need.

use crate::ast::{Category, Name, Schema, Ty};
use std::collections::{BTreeSet, HashSet};
use std::fmt;

/// A root that is not a function of the schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubsetError {
    /// The name that was not found.
    pub unknown: String,
}

impl fmt::Display for SubsetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not a function of the schema (names are written as in the schema, e.g. messages.sendMessage)",
            self.unknown
        )
    }
}

impl std::error::Error for SubsetError {}

/// The part of `schema` that the functions named in `roots` reach: those functions, every
/// constructor of every type their parameters and results use, transitively. All constructors
/// of the MTProto service schema that a session needs must be listed as roots or kept by
/// parsing that schema separately.
///
/// ```
/// use ferrogram_tl_codegen::{parse, subset, ParseOptions};
/// let s = parse("x", "a = A;\nb = B;\n---functions---\nf x:A = B;\ng = A;",
///               &ParseOptions::default()).unwrap();
/// let sub = subset(&s, &["f"]).unwrap();
/// let names: Vec<String> = sub.defs.iter().map(|d| d.name.to_string()).collect();
/// assert_eq!(names, ["a", "b", "f"]);
/// ```
pub fn subset(schema: &Schema, roots: &[&str]) -> Result<Schema, SubsetError> {
    let mut wanted_types: BTreeSet<Name> = BTreeSet::new();
    let mut wanted_ctors: HashSet<Name> = HashSet::new();
    let mut funcs: HashSet<Name> = HashSet::new();
    let mut stack: Vec<Ty> = Vec::new();
    for r in roots {
        let name = Name::parse(r);
        let Some(f) = schema
            .defs
            .iter()
            .find(|d| d.category == Category::Function && d.name == name)
        else {
            return Err(SubsetError {
                unknown: r.to_string(),
            });
        };
        funcs.insert(name);
        stack.push(f.result.clone());
        stack.extend(f.params.iter().filter_map(|p| match &p.kind {
            crate::ast::ParamKind::Value { ty, .. } => Some(ty.clone()),
            _ => None,
        }));
    }
    while let Some(ty) = stack.pop() {
        match ty {
            Ty::Vector { elem, .. } => stack.push(*elem),
            Ty::Named { name, bare } => {
                let ctors: Vec<_> = schema
                    .defs
                    .iter()
                    .filter(|d| d.category == Category::Type)
                    .filter(|d| {
                        if bare {
                            d.name == name
                                || matches!(&d.result, Ty::Named { name: n, .. } if *n == name)
                        } else {
                            matches!(&d.result, Ty::Named { name: n, .. } if *n == name)
                        }
                    })
                    .collect();
                for c in ctors {
                    if wanted_ctors.insert(c.name.clone()) {
                        if let Ty::Named { name, .. } = &c.result {
                            wanted_types.insert(name.clone());
                        }
                        stack.extend(c.params.iter().filter_map(|p| match &p.kind {
                            crate::ast::ParamKind::Value { ty, .. } => Some(ty.clone()),
                            _ => None,
                        }));
                    }
                }
            }
            _ => {}
        }
    }
    let defs = schema
        .defs
        .iter()
        .filter(|d| match d.category {
            Category::Type => wanted_ctors.contains(&d.name),
            Category::Function => funcs.contains(&d.name),
        })
        .cloned()
        .collect();
    Ok(Schema {
        layer: schema.layer,
        defs,
    })
}
