//! One error type for the whole core. Its kind says which JavaScript error class
//! the binding must raise, so that mediasoup's error contract survives the FFI hop.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// A bad argument: JavaScript `TypeError`.
    Type,
    /// Use of a closed object: mediasoup `InvalidStateError`.
    InvalidState,
    /// Something the worker (or the cluster) cannot do: mediasoup `UnsupportedError`.
    Unsupported,
    /// Anything else, usually the worker's own error message: plain `Error`.
    Other,
}

impl ErrorKind {
    /// The JavaScript class name the binding tags errors with.
    pub fn class_name(self) -> &'static str {
        match self {
            ErrorKind::Type => "TypeError",
            ErrorKind::InvalidState => "InvalidStateError",
            ErrorKind::Unsupported => "UnsupportedError",
            ErrorKind::Other => "Error",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MafaldaError {
    pub kind: ErrorKind,
    pub message: String,
}

impl MafaldaError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into() }
    }
}

impl fmt::Display for MafaldaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for MafaldaError {}

pub type Result<T> = std::result::Result<T, MafaldaError>;

pub fn type_error(message: impl Into<String>) -> MafaldaError {
    MafaldaError::new(ErrorKind::Type, message)
}

pub fn invalid_state(message: impl Into<String>) -> MafaldaError {
    MafaldaError::new(ErrorKind::InvalidState, message)
}

pub fn unsupported(message: impl Into<String>) -> MafaldaError {
    MafaldaError::new(ErrorKind::Unsupported, message)
}

/// Wraps an error reported by mediasoup (worker or crate) keeping its message.
pub fn from_mediasoup(error: impl fmt::Display) -> MafaldaError {
    MafaldaError::new(ErrorKind::Other, error.to_string())
}

/// mediasoup's classes for produce() failures: bad parameters are `TypeError`s,
/// codecs the router cannot take are `UnsupportedError`s.
pub fn from_produce_error(error: mediasoup::transport::ProduceError) -> MafaldaError {
    use mediasoup::ortc::RtpParametersMappingError as Mapping;
    use mediasoup::transport::ProduceError;
    match &error {
        ProduceError::IncorrectRtpParameters(_)
        | ProduceError::FailedRtpParametersMapping(Mapping::MissingMediaCodecForRtx { .. }) => type_error(error.to_string()),
        ProduceError::FailedRtpParametersMapping(_) => unsupported(error.to_string()),
        _ => from_mediasoup(error),
    }
}

/// mediasoup's classes for consume() failures: bad capabilities are `TypeError`s,
/// capabilities that cannot receive the producer are `UnsupportedError`s.
pub fn from_consume_error(error: mediasoup::transport::ConsumeError) -> MafaldaError {
    use mediasoup::transport::ConsumeError;
    match &error {
        ConsumeError::FailedRtpCapabilitiesValidation(_) => type_error(error.to_string()),
        ConsumeError::BadConsumerRtpParameters(_) => unsupported(error.to_string()),
        _ => from_mediasoup(error),
    }
}

/// A notification (fire-and-forget message) the worker's channel would not take:
/// the worker is gone.
pub fn from_notification(error: impl fmt::Display) -> MafaldaError {
    invalid_state(format!("worker closed ({error})"))
}

impl ErrorKind {
    /// The inverse of `class_name`, for errors that crossed the cluster link.
    pub fn from_class_name(name: &str) -> Self {
        match name {
            "TypeError" => ErrorKind::Type,
            "InvalidStateError" => ErrorKind::InvalidState,
            "UnsupportedError" => ErrorKind::Unsupported,
            _ => ErrorKind::Other,
        }
    }
}
