//! Core errors to JS errors. The class name travels as a `[Class] ` message prefix
//! that the JS layer turns into a real `TypeError`/`InvalidStateError`/... created in
//! JS (errors made by the addon fail `instanceof` inside Jest's sandbox).

use mafalda_core::MafaldaError;

pub fn to_napi(error: MafaldaError) -> napi::Error {
    napi::Error::from_reason(format!("[{}] {}", error.kind.class_name(), error.message))
}

pub trait IntoNapi<T> {
    fn napi(self) -> napi::Result<T>;
}

impl<T> IntoNapi<T> for mafalda_core::Result<T> {
    fn napi(self) -> napi::Result<T> {
        self.map_err(to_napi)
    }
}
