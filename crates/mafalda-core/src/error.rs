//! One error type for the whole core. Its kind says which JavaScript error class
//! the binding must raise, so that mediasoup's error contract survives the FFI hop.

use mediasoup::worker::RequestError;
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

/// A request to the worker that failed, named by the call that made it: the crate keeps
/// only the worker's reason, which may be empty. A closed channel (or an object the
/// worker no longer has) is mediasoup's `InvalidStateError`.
pub fn from_request(method: &'static str) -> impl Fn(RequestError) -> MafaldaError {
    move |error| match error {
        RequestError::ChannelClosed => invalid_state(format!("{method}: the object or its worker is closed")),
        RequestError::Response { reason } => failed(method, &reason),
        other => failed(method, &other.to_string()),
    }
}

/// Any other mediasoup error of a call, named by the call.
pub fn in_call<E: fmt::Display>(method: &'static str) -> impl Fn(E) -> MafaldaError {
    move |error| failed(method, &error.to_string())
}

fn failed(method: &str, reason: &str) -> MafaldaError {
    MafaldaError::new(ErrorKind::Other, format!("{method} failed: {}", worker_reason(reason)))
}

/// The worker's reason without the crate's prefix and the worker's `[method:...]` tag;
/// a plain statement when nothing is left.
fn worker_reason(reason: &str) -> &str {
    const PREFIX: &str = "Received response error:";
    let reason = reason.find(PREFIX).map_or(reason, |at| &reason[at + PREFIX.len()..]).trim();
    let reason = match reason.rfind(" [method:").or_else(|| reason.starts_with("[method:").then_some(0)) {
        Some(tag) if reason.ends_with(']') => reason[..tag].trim(),
        _ => reason,
    };
    if reason.is_empty() {
        "the worker refused the request without giving a reason"
    } else {
        reason
    }
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
        _ => failed("transport.produce", &error.to_string()),
    }
}

/// mediasoup's classes for consume() failures: bad capabilities are `TypeError`s,
/// capabilities that cannot receive the producer are `UnsupportedError`s.
pub fn from_consume_error(error: mediasoup::transport::ConsumeError) -> MafaldaError {
    use mediasoup::transport::ConsumeError;
    match &error {
        ConsumeError::FailedRtpCapabilitiesValidation(_) => type_error(error.to_string()),
        ConsumeError::BadConsumerRtpParameters(_) => unsupported(error.to_string()),
        _ => failed("transport.consume", &error.to_string()),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_error_names_the_call_and_never_says_nothing() {
        let empty = from_request("transport.connect")(RequestError::Response { reason: " [method:transport.connect]".into() });
        assert_eq!(empty.kind, ErrorKind::Other);
        assert_eq!(empty.message, "transport.connect failed: the worker refused the request without giving a reason");
        let told = from_request("consumer.setPriority")(RequestError::Response { reason: "wrong priority".into() });
        assert_eq!(told.message, "consumer.setPriority failed: wrong priority");
        let wrapped = in_call("transport.produceData")("Request to worker failed: Received response error: SCTP not enabled");
        assert_eq!(wrapped.message, "transport.produceData failed: SCTP not enabled");
        let closed = from_request("producer.pause")(RequestError::ChannelClosed);
        assert_eq!(closed.kind, ErrorKind::InvalidState);
        assert!(closed.message.starts_with("producer.pause: "));
    }
}
