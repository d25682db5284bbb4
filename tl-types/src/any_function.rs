//! `AnyFunction`: an owned `!X` query whose function is not known in advance.

#[cfg(feature = "view")]
use crate::{DecodeError, Reader, TlRead};
use crate::{TlWrite, Writer};
use alloc::vec::Vec;

/// Any serialized function call, kept as bytes: the owned type for a `!X` query whose function
/// is not known in advance (a server decoding `invokeWithLayer`, for example). Reading one
/// (`TlRead`) checks the call against the schema and needs the `view` feature.
///
/// ```
/// use ferrogram_tl_types::{AnyFunction, TlRead, TlWrite, functions::{InvokeWithLayer, help::GetConfig}};
/// let call = InvokeWithLayer { layer: 230, query: GetConfig {} };
/// let bytes = call.to_bytes().unwrap();
/// let back = InvokeWithLayer::<AnyFunction>::from_bytes(&bytes).unwrap();
/// assert_eq!(back.query.function_id(), Some(GetConfig::CONSTRUCTOR_ID));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnyFunction(pub Vec<u8>);

impl AnyFunction {
    /// The function's constructor id.
    pub fn function_id(&self) -> Option<u32> {
        self.0
            .get(..4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
}

impl TlWrite for AnyFunction {
    fn write(&self, w: &mut Writer<'_>) {
        w.put_raw(&self.0)
    }
}

#[cfg(feature = "view")]
impl TlRead for AnyFunction {
    /// Reads one function call of this schema, checked like a view is.
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let start = r.pos();
        ferrogram_tl_view::functions::skip_any(r)?;
        Ok(AnyFunction(r.since(start).to_vec()))
    }
}
