//! A native handle that can be taken away exactly once: the "closed" state of every
//! core object. mediasoup-rust objects close when their last handle drops, so closing
//! means taking the handle out and dropping it (outside of any of our locks).

use crate::error::{invalid_state, Result};
use parking_lot::Mutex;

pub struct Slot<T> {
    value: Mutex<Option<T>>,
    /// Used in the "closed" error message, e.g. "Consumer closed".
    what: &'static str,
}

impl<T: Clone> Slot<T> {
    pub fn new(what: &'static str, value: T) -> Self {
        Self { value: Mutex::new(Some(value)), what }
    }

    /// A clone of the handle, or `InvalidStateError` once closed.
    pub fn get(&self) -> Result<T> {
        self.value.lock().clone().ok_or_else(|| invalid_state(format!("{} closed", self.what)))
    }

    pub fn take(&self) -> Option<T> {
        self.value.lock().take()
    }

    pub fn is_closed(&self) -> bool {
        self.value.lock().is_none()
    }
}
