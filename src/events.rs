//! One weak threadsafe function per `Mafalda` carries every event of every object it
//! owns to JS as `(handle, name, data, bytes)`. Weak: it never keeps Node alive.

use mafalda_core::{Event, EventSink};
use napi::bindgen_prelude::{Buffer, FnArgs, Function, Unknown};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use serde_json::Value;

type Args = FnArgs<(i64, String, Value, Option<Buffer>)>;

pub fn sink_for(callback: Function<'_, Args, Unknown<'static>>) -> napi::Result<EventSink> {
    let tsfn: ThreadsafeFunction<Event, Unknown<'static>, Args, napi::Status, false, true> = callback
        .build_threadsafe_function::<Event>()
        .weak::<true>()
        .callee_handled::<false>()
        .build_callback(|ctx| {
            let Event { target, name, data, bytes } = ctx.value;
            Ok(FnArgs::from((target as i64, name.to_string(), data, bytes.map(Buffer::from))))
        })?;
    Ok(EventSink::new(move |event| {
        tsfn.call(event, ThreadsafeFunctionCallMode::NonBlocking);
    }))
}
