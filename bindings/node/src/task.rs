//! Running a core operation off the main thread: the one `napi::Task` the binding needs for
//! files, archives and other slow work, and the one bridge from a core future (network
//! operations) to a Promise.
//!
//! `blocking(work, done)` returns the `AsyncTask` a `#[napi]` function hands back as a Promise
//! (declare it with `ts_return_type = "Promise<...>"`): `work` runs on the libuv thread pool and
//! returns the core's result; `done` turns a success into the JS value on the main thread; a
//! core error rejects the promise with the same `Error` the `...Sync` variant throws
//! ([`crate::error::throwable`]). Convert arguments inside `work`, so a bad argument rejects the
//! promise instead of throwing.
//!
//! `future(env, fut, done)` is the same for an async core operation (the registry client): `fut`
//! runs on napi's Tokio runtime (`napi` feature `async`), never on the main thread; `done` turns
//! its value into the JS one on the main thread, and a core error rejects the promise with the
//! `Error` a throwing call would carry. Parse arguments inside `fut`, for the same reason.

use crate::error::throwable;
use napi::bindgen_prelude::{AsyncTask, PromiseRaw, ToNapiValue, TypeName};
use napi::{Env, Task};
use std::future::Future;

/// Work type of [`Blocking`]: one core operation, moved to the thread pool.
type Work<T> = Box<dyn FnOnce() -> shiprail::Result<T> + Send>;

/// A core operation run on the libuv thread pool (`compute` never fails: the core's error is
/// the output), whose value becomes a JS value on the main thread (`done`), or whose error
/// rejects the promise as the same `Error` the sync variant throws.
pub struct Blocking<T, J> {
    work: Option<Work<T>>,
    done: fn(T) -> napi::Result<J>,
}

impl<T: Send + 'static, J: ToNapiValue + TypeName> Task for Blocking<T, J> {
    type Output = shiprail::Result<T>;
    type JsValue = J;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let work = self
            .work
            .take()
            .ok_or_else(|| napi::Error::from_reason("the task has already run"))?;
        Ok(work())
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<J> {
        (self.done)(output.map_err(|e| throwable(&env, &e))?)
    }
}

/// The task running `work` on the thread pool and `done` on its value (see the module
/// documentation).
pub(crate) fn blocking<T, J>(
    work: impl FnOnce() -> shiprail::Result<T> + Send + 'static,
    done: fn(T) -> napi::Result<J>,
) -> AsyncTask<Blocking<T, J>>
where
    T: Send + 'static,
    J: ToNapiValue + TypeName,
{
    AsyncTask::new(Blocking {
        work: Some(Box::new(work)),
        done,
    })
}

/// The promise of a core future run on napi's Tokio runtime (see the module documentation).
pub(crate) fn future<'env, T, J>(
    env: &'env Env,
    fut: impl Future<Output = shiprail::Result<T>> + Send + 'static,
    done: impl FnOnce(T) -> napi::Result<J> + 'static,
) -> napi::Result<PromiseRaw<'env, J>>
where
    T: Send + 'static,
    J: ToNapiValue,
{
    env.spawn_future_with_callback(async move { Ok(fut.await) }, move |env, output| {
        done(output.map_err(|e| throwable(env, &e))?)
    })
}
