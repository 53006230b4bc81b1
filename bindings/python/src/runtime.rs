//! The Tokio runtime the registry operations run on, and the two ways Python waits for them.
//!
//! The core's registry client is async (it needs a Tokio runtime). The binding owns one
//! multi-threaded runtime, started on first use, and offers each network operation twice:
//!
//! - **blocking** ([`block_on`]): the calling thread drives the future with the GIL released,
//!   so other Python threads run meanwhile; every 100 ms it takes the GIL to let Python handle
//!   signals, so Ctrl-C (a `KeyboardInterrupt`) cancels the operation instead of waiting for it;
//! - **asyncio** ([`future_into_py`]): a coroutine is returned; once awaited, the future is
//!   spawned on the runtime and awaited through an `asyncio.Future` of the running event loop;
//!   the result (or the exception) is handed to the loop with `call_soon_threadsafe`, and
//!   cancelling the awaiting task aborts the Tokio task. No thread is held while the
//!   operation waits on the network.
//!
//! Dropping (cancelling) a registry future is safe: the core writes a promotion's tag last, so
//! an interrupted promotion leaves no tag on an incomplete image, and running it again
//! finishes it.

use crate::error::{BindingError, Result};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyCFunction, PyDict, PyModule, PyTuple};
use std::future::Future;
use std::sync::OnceLock;
use std::time::Duration;
use tokio::runtime::Runtime;

static RUNTIME: OnceLock<Runtime> = OnceLock::new();

/// How often a blocking call takes the GIL to let Python handle signals.
const SIGNAL_CHECK: Duration = Duration::from_millis(100);

/// The binding's runtime, started on first use (worker threads named `shiprail-registry`).
fn runtime() -> PyResult<&'static Runtime> {
    if let Some(runtime) = RUNTIME.get() {
        return Ok(runtime);
    }
    let built = tokio::runtime::Builder::new_multi_thread()
        .thread_name("shiprail-registry")
        .enable_all()
        .build()
        .map_err(|e| PyRuntimeError::new_err(format!("cannot start the Tokio runtime: {e}")))?;
    // Two threads may race to build one; the loser's runtime is dropped unused.
    Ok(RUNTIME.get_or_init(|| built))
}

/// Runs `future` to completion on the calling thread with the GIL released, checking for
/// Python signals every 100 ms: a signal handler's exception (`KeyboardInterrupt`) drops the
/// future and is raised.
pub(crate) fn block_on<T, F>(py: Python<'_>, future: F) -> Result<T>
where
    T: Send,
    F: Future<Output = Result<T>> + Send,
{
    let runtime = runtime()?;
    py.detach(|| {
        runtime.block_on(async {
            tokio::pin!(future);
            loop {
                tokio::select! {
                    out = &mut future => return out,
                    () = tokio::time::sleep(SIGNAL_CHECK) => {
                        Python::attach(|py| py.check_signals()).map_err(BindingError::Python)?;
                    }
                }
            }
        })
    })
}

/// `async def awaiting(start): return await start()`: the coroutine the `..._async` methods
/// return, so that they behave like coroutine functions (`asyncio.run(client.promote_async(r))`
/// works: nothing needs a running loop until the coroutine is awaited).
fn awaiting(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    static AWAITING: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    AWAITING
        .get_or_try_init(py, || {
            let module = PyModule::from_code(
                py,
                c"async def awaiting(start):\n    return await start()\n",
                c"shiprail/_runtime.py",
                c"shiprail._runtime",
            )?;
            Ok::<_, PyErr>(module.getattr("awaiting")?.unbind())
        })
        .map(|f| f.bind(py))
}

/// A coroutine that, once awaited, spawns `future` on the runtime and waits for it through an
/// `asyncio.Future` of the running event loop, which completes with `convert(result)` or with
/// the exception the error maps to. Cancelling the awaiting task aborts the Tokio task.
pub(crate) fn future_into_py<'py, T, F, C>(
    py: Python<'py>,
    future: F,
    convert: C,
) -> PyResult<Bound<'py, PyAny>>
where
    T: Send + 'static,
    F: Future<Output = Result<T>> + Send + 'static,
    C: FnOnce(Python<'_>, T) -> PyResult<Py<PyAny>> + Send + 'static,
{
    let runtime = runtime()?;
    let pending = std::sync::Mutex::new(Some((future, convert)));
    let start = PyCFunction::new_closure(
        py,
        None,
        None,
        move |args: &Bound<'_, PyTuple>, _: Option<&Bound<'_, PyDict>>| -> PyResult<Py<PyAny>> {
            let taken = pending.lock().unwrap_or_else(|e| e.into_inner()).take();
            let Some((future, convert)) = taken else {
                return Err(PyRuntimeError::new_err(
                    "this operation was already awaited",
                ));
            };
            spawn(args.py(), runtime, future, convert).map(Bound::unbind)
        },
    )?;
    awaiting(py)?.call1((start,))
}

/// Spawns `future` and returns the `asyncio.Future` of the running loop that receives its
/// outcome (see [`future_into_py`]).
fn spawn<'py, T, F, C>(
    py: Python<'py>,
    runtime: &Runtime,
    future: F,
    convert: C,
) -> PyResult<Bound<'py, PyAny>>
where
    T: Send + 'static,
    F: Future<Output = Result<T>> + Send + 'static,
    C: FnOnce(Python<'_>, T) -> PyResult<Py<PyAny>> + Send + 'static,
{
    let event_loop = py.import("asyncio")?.call_method0("get_running_loop")?;
    let awaitable = event_loop.call_method0("create_future")?;
    let target = awaitable.clone().unbind();
    let loop_ref = event_loop.unbind();
    let task = runtime.spawn(async move {
        let out = future.await;
        Python::attach(|py| {
            let (ok, value) = match out.map_err(PyErr::from).and_then(|v| convert(py, v)) {
                Ok(value) => (true, value),
                Err(err) => (false, err.into_value(py).into_any()),
            };
            let settle =
                move |args: &Bound<'_, PyTuple>, _: Option<&Bound<'_, PyDict>>| -> PyResult<()> {
                    let py = args.py();
                    let target = target.bind(py);
                    // A future cancelled meanwhile takes no result.
                    if target.call_method0("done")?.is_truthy()? {
                        return Ok(());
                    }
                    let method = if ok { "set_result" } else { "set_exception" };
                    target.call_method1(method, (value.bind(py),))?;
                    Ok(())
                };
            // The loop may be closed by now; there is no one left to tell.
            if let Ok(settle) = PyCFunction::new_closure(py, None, None, settle) {
                let _ = loop_ref
                    .bind(py)
                    .call_method1("call_soon_threadsafe", (settle,));
            }
        });
    });
    let abort = task.abort_handle();
    let on_done = PyCFunction::new_closure(
        py,
        None,
        None,
        move |args: &Bound<'_, PyTuple>, _: Option<&Bound<'_, PyDict>>| -> PyResult<()> {
            if args.get_item(0)?.call_method0("cancelled")?.is_truthy()? {
                abort.abort();
            }
            Ok(())
        },
    )?;
    awaitable.call_method1("add_done_callback", (on_done,))?;
    Ok(awaitable)
}

/// `await`-able `function(*args, **kwargs)` run in a worker thread (`asyncio.to_thread`), for
/// the `..._async` variants of file operations: the blocking function releases the GIL while
/// it reads, so files are read concurrently. Arguments were checked by the caller; every other
/// error is raised by the `await`.
pub(crate) fn to_thread<'py>(
    function: Bound<'py, PyAny>,
    args: Vec<Bound<'py, PyAny>>,
    kwargs: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = function.py();
    let mut all = vec![function];
    all.extend(args);
    let call = py
        .import("functools")?
        .getattr("partial")?
        .call(PyTuple::new(py, all)?, kwargs)?;
    py.import("asyncio")?.call_method1("to_thread", (call,))
}
