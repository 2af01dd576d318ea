//! The members every exposed object shares, written once: a napi class wrapping a
//! core object, with `id`, `handle` (its event target), `data()` (getter state),
//! `dump()`, `getStats()` and `close()` (and `pause()`/`resume()` with `pausable`).
//! Each class file adds its own methods in another `#[napi] impl` block.

macro_rules! native_class {
    // Producers, consumers and their data twins also pause and resume.
    ($(#[$doc:meta])* $class:ident wraps $core:ty, pausable) => {
        native_class!($(#[$doc])* $class wraps $core);

        #[napi_derive::napi]
        impl $class {
            #[napi]
            pub async fn pause(&self) -> napi::Result<()> {
                crate::errors::IntoNapi::napi(self.inner.pause().await)
            }

            #[napi]
            pub async fn resume(&self) -> napi::Result<()> {
                crate::errors::IntoNapi::napi(self.inner.resume().await)
            }
        }
    };
    ($(#[$doc:meta])* $class:ident wraps $core:ty) => {
        $(#[$doc])*
        #[napi_derive::napi]
        pub struct $class {
            inner: $core,
        }

        impl From<$core> for $class {
            fn from(inner: $core) -> Self {
                Self { inner }
            }
        }

        #[napi_derive::napi]
        impl $class {
            #[napi(getter)]
            pub fn id(&self) -> String {
                self.inner.id().to_string()
            }

            #[napi(getter)]
            pub fn handle(&self) -> i64 {
                self.inner.handle() as i64
            }

            #[napi]
            pub fn data(&self) -> napi::Result<serde_json::Value> {
                crate::errors::IntoNapi::napi(self.inner.data())
            }

            #[napi]
            pub async fn dump(&self) -> napi::Result<serde_json::Value> {
                crate::errors::IntoNapi::napi(self.inner.dump().await)
            }

            #[napi]
            pub async fn get_stats(&self) -> napi::Result<serde_json::Value> {
                crate::errors::IntoNapi::napi(self.inner.get_stats().await)
            }

            #[napi]
            pub fn close(&self) {
                self.inner.close();
            }
        }
    };
}

pub(crate) use native_class;
