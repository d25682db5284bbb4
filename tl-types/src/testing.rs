//! Property checks shared by the tests and fuzz targets (`testing` feature).

use crate::Reader;
use crate::{TlRead, TlWrite, ViewRead};
use alloc::format;
use alloc::string::String;
use core::fmt::Debug;

/// Decodes `bytes` as `O` (owned) and `V` (view) and checks that:
/// - both decoders and the view's `skip` agree on whether the bytes are valid, and on the
///   error (kind and offset) when they are not;
/// - re-encoding the owned value and decoding it again gives the same encoding (idempotence);
/// - with `exact` (canonical input: valid UTF-8, zero padding, no unused flag bits), both
///   re-encodings equal `bytes`;
/// - with `debug`, the view formats exactly like the owned value — which decodes every lazy
///   field of the view;
/// - skipping the view consumes exactly `bytes`.
///
/// `Ok(false)` when the bytes are not a valid `O`.
pub fn roundtrip<'a, O, V>(bytes: &'a [u8], exact: bool, debug: bool) -> Result<bool, String>
where
    O: TlRead + TlWrite + Debug + PartialEq,
    V: ViewRead<'a> + TlWrite + Debug,
{
    let Some(view) = common::<O, V>(bytes, exact, debug)? else {
        return Ok(false);
    };
    if exact {
        let v1 = view
            .to_bytes()
            .map_err(|e| format!("view re-encode: {e}"))?;
        if v1 != bytes {
            return Err(format!(
                "view re-encode differs:\n in:  {bytes:02x?}\n out: {v1:02x?}"
            ));
        }
        if view.serialized_len() != bytes.len() {
            return Err(String::from(
                "serialized_len disagrees with the bytes written",
            ));
        }
    }
    Ok(true)
}

/// [`roundtrip`] for types whose view is read-only (result-only types: their views have no
/// `TlWrite`); everything but the view's re-encoding is checked.
pub fn roundtrip_read_only<'a, O, V>(
    bytes: &'a [u8],
    exact: bool,
    debug: bool,
) -> Result<bool, String>
where
    O: TlRead + TlWrite + Debug + PartialEq,
    V: ViewRead<'a> + Debug,
{
    Ok(common::<O, V>(bytes, exact, debug)?.is_some())
}

fn common<'a, O, V>(bytes: &'a [u8], exact: bool, debug: bool) -> Result<Option<V>, String>
where
    O: TlRead + TlWrite + Debug + PartialEq,
    V: ViewRead<'a> + Debug,
{
    let owned = O::from_bytes(bytes);
    let view = V::from_bytes(bytes);
    let mut r = Reader::new(bytes);
    let skip = V::skip(&mut r).and_then(|()| r.finish());
    let (owned, view) = match (owned, view, skip) {
        (Err(a), Err(b), Err(c)) if a == b && b == c => return Ok(None),
        (Err(a), Err(b), Err(c)) => {
            return Err(format!(
                "decoders disagree on the error:\n owned: {a:?}\n view:  {b:?}\n skip:  {c:?}"
            ));
        }
        (Ok(o), Ok(v), Ok(())) => (o, v),
        (o, v, s) => {
            return Err(format!(
                "decoders disagree on validity: owned {:?}, view {:?}, skip {:?}",
                o.err(),
                v.err(),
                s.err()
            ));
        }
    };
    let e1 = owned
        .to_bytes()
        .map_err(|e| format!("owned re-encode: {e}"))?;
    let again =
        O::from_bytes(&e1).map_err(|e| format!("re-encoded owned value does not decode: {e}"))?;
    let e2 = again
        .to_bytes()
        .map_err(|e| format!("second re-encode: {e}"))?;
    if e1 != e2 {
        return Err(String::from("owned encoding is not idempotent"));
    }
    if exact {
        if e1 != bytes {
            return Err(format!(
                "owned re-encode differs:\n in:  {bytes:02x?}\n out: {e1:02x?}"
            ));
        }
        if again != owned {
            return Err(String::from("owned value changed through a round trip"));
        }
    }
    if debug {
        let (a, b) = (format!("{owned:?}"), format!("{view:?}"));
        if a != b {
            return Err(format!("view and owned differ:\n owned: {a}\n view:  {b}"));
        }
    }
    Ok(Some(view))
}

/// Decodes an owned `O`; if that works, checks the re-encoding decodes to the same encoding.
///
/// # Panics
/// When re-encoding breaks (a bug in the generated code: fuzz targets rely on this).
pub fn decode_owned<O: TlRead + TlWrite>(bytes: &[u8]) -> Result<(), crate::DecodeError> {
    let o = O::from_bytes(bytes)?;
    let e1 = o.to_bytes().expect("a decoded value re-encodes");
    let again = O::from_bytes(&e1).expect("a re-encoded value decodes");
    assert_eq!(
        again.to_bytes().expect("re-encodes"),
        e1,
        "owned round trip is not idempotent"
    );
    Ok(())
}

/// Decodes a view `V` and formats it, which decodes every lazy field.
pub fn decode_view<'a, V: ViewRead<'a> + Debug>(bytes: &'a [u8]) -> Result<(), crate::DecodeError> {
    let v = V::from_bytes(bytes)?;
    let text = format!("{v:?}");
    assert!(
        !text.contains("<undecodable"),
        "a checked view has an undecodable field: {text}"
    );
    Ok(())
}
