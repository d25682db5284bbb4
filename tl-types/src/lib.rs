//! # ferrogram-tl-types
//!
//! Every constructor and function of Telegram's API schema and of the MTProto service schema,
//! generated from the vendored schema (`tl/api.tl`, layer [`LAYER`]; see `tl/SOURCE.md`).
//!
//! Two forms of every type, each behind a feature so you compile only what you use:
//!
//! - **Owned** (feature `alloc`, on by default): `types` (a struct per constructor), `enums`
//!   (an enum per TL type), `functions` (a struct per function, with its result type as
//!   [`RemoteCall::Return`]). `Debug`, `Clone`, `PartialEq`, and `From` a constructor into its
//!   type. Namespaces are modules (`messages.sendMessage` is
//!   `functions::messages::SendMessage`). Variants larger than 256 bytes (and recursive ones)
//!   are boxed, so an enum stays small to move around.
//! - **Borrowed** (feature `view`, no heap; what a `no_std` target without `alloc` uses:
//!   `default-features = false, features = ["view", "api"]`): `view`, the same names with a
//!   lifetime.
//!   Decoding a view reads a received `&[u8]` in place — strings and bytes are borrowed,
//!   nested objects are [`Lazy`] and vectors [`LazyVec`], decoded only when touched — so a
//!   microcontroller reads the fields it needs without allocating. Every function, every type
//!   that can appear in a function's parameters, and every MTProto service type also
//!   serializes from borrowed data (`&str`, `&[u8]`, slices, references) into a caller's
//!   buffer; views of result-only types (`Message`, `User`, …) are read-only, which keeps the
//!   build fast (the owned types serialize everything).
//!
//! ```
//! use ferrogram_tl_types::{view, TlStr, TlWrite, ViewRead, Lazy, LazyVec};
//!
//! // Build messages.sendMessage from borrowed data into a stack buffer: no heap.
//! let peer = view::enums::InputPeer::User(view::types::InputPeerUser { user_id: 42, access_hash: 7 });
//! let call = view::functions::messages::SendMessage {
//!     no_webpage: false, silent: true, background: false, clear_draft: false, noforwards: false,
//!     update_stickersets_order: false, invert_media: false, allow_paid_floodskip: false,
//!     peer: Lazy::Value(&peer), reply_to: None, message: TlStr::from("disk almost full"),
//!     random_id: 1, reply_markup: None, entities: None, schedule_date: None, schedule_repeat_period: None,
//!     send_as: None, quick_reply_shortcut: None, effect: None, allow_paid_stars: None,
//!     suggested_post: None, rich_message: None,
//! };
//! let mut buf = [0u8; 128];
//! let n = call.write_to(&mut buf).unwrap();
//!
//! // Decode it back in place and read one field.
//! let back = view::functions::messages::SendMessage::from_bytes(&buf[..n]).unwrap();
//! assert_eq!(back.message.to_str(), Ok("disk almost full"));
//! assert!(back.silent);
//! ```
//!
//! With `alloc`:
//!
//! ```
//! use ferrogram_tl_types::{enums, functions, types, RemoteCall, TlRead, TlWrite};
//! let req = functions::users::GetUsers { id: vec![enums::InputUser::InputUserSelf(types::InputUserSelf {})] };
//! let bytes = req.to_bytes().unwrap();
//! assert_eq!(functions::users::GetUsers::from_bytes(&bytes).unwrap(), req);
//! // The result type is known statically:
//! let _: Option<<functions::users::GetUsers as RemoteCall>::Return> = None::<Vec<enums::User>>;
//! ```
//!
//! ## Decoding hostile input
//!
//! Every decoder is bounds-checked and returns a [`DecodeError`] (with the byte offset and a
//! [`DecodeErrorKind`]: unexpected end, unexpected constructor with its id, invalid `Bool`,
//! invalid vector id, vector longer than the input, nesting too deep, trailing bytes) — never a
//! panic. Memory reserved for a vector is bounded by the input left (each element takes at
//! least 4 bytes), so an owned decode allocates at most a small multiple of the input size.
//! Constructors and vectors may nest at most [`Reader::DEFAULT_MAX_DEPTH`] levels
//! (configurable with [`Reader::with_max_depth`]); `RichText`, `PageBlock` and other
//! recursive types cannot exhaust the stack.
//!
//! **Invalid UTF-8** in a TL `string`: the owned decoder replaces invalid sequences with
//! U+FFFD (like `String::from_utf8_lossy`; Telegram promises UTF-8, and one bad byte should
//! not lose a whole message); views keep the raw bytes in [`TlStr`], whose
//! [`TlStr::to_str`] reports the error. Padding bytes after strings are not checked; unused
//! flag bits are ignored.
//!
//! **Encoding**: [`Writer`] writes into a caller's slice and reports
//! [`EncodeError::BufferFull`] with the size needed. Optional fields that share one flag bit
//! (e.g. `message.views` and `message.forwards`) must be all set or all unset, otherwise
//! [`EncodeError::FlagGroupMismatch`].
//!
//! ## How the code is generated
//!
//! The code is generated at build time by `ferrogram-tl-codegen` (a dependency-free crate)
//! from the `.tl` files in `tl/`, not checked in: the schema can then be swapped at build time,
//! and the generated code can never drift from the generator. Building the generator and
//! running it costs a few seconds of a clean build.
//!
//! The generated code is split over crates: `ferrogram-tl-core` (the runtime, `LAYER`,
//! constructor names), `ferrogram-tl-owned` (the owned types, feature `alloc`) and
//! `ferrogram-tl-view` (the views, feature `view`); this crate re-exports them. You compile
//! only the forms you enable, and two forms build in parallel (Rust's front end is
//! single-threaded per crate; one crate holding both forms took more than twice as long).
//!
//! Decoding function calls (`TlRead` for the owned function structs) is what a server or proxy
//! does; clients only encode calls, so it is the opt-in feature `read-functions` (a quarter
//! of the owned decoders). Every type decodes, and every function encodes, by default.
//!
//! Clean debug build, non-incremental, as a dependency of an empty binary, on the 2-core
//! reference machine (`scripts/build-times.sh`, details in `BENCHMARKS.md`; the machine's
//! run-to-run noise is about ±10%):
//!
//! | features | what you get | clean build |
//! |---|---|---|
//! | default (`alloc`, `api`) | owned types, full API | 21.9 s, median of 10 (grammers-tl-types in the same runs: 22.3 s) |
//! | default + `view` | owned and zero-copy forms | 20.7 s |
//! | `view`, `api` (no `alloc`) | zero-copy forms only, no heap | ≈ 15 s (a binary using them) |
//! | `view` (no `api`) | MTProto service schema only | 2.5 s |
//!
//! Build-time knobs (environment variables read by `build.rs`):
//!
//! - `FERROGRAM_TL_API=/path/api.tl` — generate from another API schema, e.g. a local test
//!   server on layer 196–201. [`LAYER`] follows the file's `// LAYER N` line.
//! - `FERROGRAM_TL_MTPROTO=/path/mtproto.tl` — another MTProto service schema.
//! - `FERROGRAM_TL_ONLY=messages.sendMessage,auth.importBotAuthorization` — generate only
//!   these functions and what they reach (plus the MTProto service schema), to cut compile
//!   time and binary size on small targets.
//! - Without the `api` feature, only the MTProto service schema is generated.
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "alloc")]
extern crate alloc;

pub use ferrogram_tl_core::*;
#[cfg(feature = "alloc")]
pub use ferrogram_tl_owned::{enums, functions, types};
/// Borrowed types: zero-copy decoding and serialization from borrowed data, no heap.
#[cfg(feature = "view")]
pub use ferrogram_tl_view as view;
#[cfg(feature = "view")]
pub use ferrogram_tl_view::Query;

#[cfg(feature = "alloc")]
mod any_function;
#[cfg(feature = "alloc")]
pub use any_function::AnyFunction;

#[cfg(feature = "testing")]
pub mod testing;

#[cfg(feature = "testing")]
include!(concat!(env!("OUT_DIR"), "/testing.rs"));
