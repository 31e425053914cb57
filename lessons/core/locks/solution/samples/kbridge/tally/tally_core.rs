// SPDX-License-Identifier: GPL-2.0

//! tally: the Rust half. C kernel threads (tally_threads.c) call
//! `kb_tally_add` at the same time, from every CPU; the totals live here.

use kernel::ffi::{c_int, c_void};
use kernel::prelude::*;

module! {
    type: Tally,
    name: "tally",
    author: "kbridge",
    description: "Totals that C threads update at the same time",
    license: "GPL",
}

const NBUCKETS: usize = 8;

/// What the threads add up. The three fields belong together: `count` is
/// always the sum of `hist`, and `sum` the sum of the values counted.
/// The layout is C's `struct tally_totals` in tally_threads.c.
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct Totals {
    count: u64,
    sum: u64,
    hist: [u64; NBUCKETS],
}

impl Totals {
    fn add(&mut self, value: u32) {
        self.count += 1;
        self.sum += u64::from(value);
        // the top three bits pick the bucket
        self.hist[(value >> 29) as usize] += 1;
    }
}

// TODO-BEGIN: keep the Totals behind a lock: a #[pin_data] struct with a #[pin] kernel::sync::Mutex<Totals> (or SpinLock) field
/// The state every thread shares.
#[pin_data]
struct Shared {
    #[pin]
    totals: kernel::sync::Mutex<Totals>,
}
// TODO-STARTER
// /// The state every thread shares.
// struct Shared {
//     totals: core::cell::UnsafeCell<Totals>,
// }
//
// // SAFETY: C calls kb_tally_add for one value at a time, so nobody else
// // touches `totals` while a call updates it.
// unsafe impl Sync for Shared {}
// TODO-END

impl Shared {
    /// A copy of the totals as one consistent whole: no update half done.
    fn snapshot(&self) -> Totals {
        // TODO-BEGIN: read the totals under the same lock that kb_tally_add holds
        *self.totals.lock()
        // TODO-STARTER
        // // SAFETY: see the `Sync` impl of `Shared`.
        // unsafe { *self.totals.get() }
        // TODO-END
    }
}

extern "C" {
    /// tally_threads.c: starts the threads, which call `kb_tally_add(ctx, value)`,
    /// and returns once every thread has finished (0) or a negative errno.
    fn kb_tally_run(ctx: *mut c_void) -> c_int;
}

/// Adds one value to the totals. Called by the C threads, several at once.
///
/// # Safety
///
/// `ctx` must be the pointer to `Shared` that `init` passed to `kb_tally_run`,
/// which keeps it alive until every thread has finished.
#[no_mangle]
pub unsafe extern "C" fn kb_tally_add(ctx: *mut c_void, value: u32) {
    // SAFETY: the caller promises `ctx` points to a live `Shared`; only shared
    // references to it are made while the threads run.
    let shared = unsafe { &*ctx.cast::<Shared>() };
    // TODO-BEGIN: add the value to the totals while holding the lock, in one critical section
    shared.totals.lock().add(value);
    // TODO-STARTER
    // // SAFETY: see the `Sync` impl of `Shared`.
    // unsafe { (*shared.totals.get()).add(value) };
    // TODO-END
}

/// Copies the totals to `*out`. Each C thread calls it every few calls to
/// `kb_tally_add`, while the other threads keep adding, and checks that the
/// copy holds together (`count` equals the sum of `hist`).
///
/// # Safety
///
/// `ctx` as for `kb_tally_add`; `out` must be valid for writing one `Totals`.
#[no_mangle]
pub unsafe extern "C" fn kb_tally_snapshot(ctx: *mut c_void, out: *mut Totals) {
    // SAFETY: as in `kb_tally_add`.
    let shared = unsafe { &*ctx.cast::<Shared>() };
    let t = shared.snapshot();
    // SAFETY: the caller promises `out` is valid for writes.
    unsafe { out.write(t) };
}

struct Tally {
    _shared: Pin<KBox<Shared>>,
}

impl kernel::Module for Tally {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        // TODO-BEGIN: build Shared in place: KBox::pin_init(pin_init!(Shared { totals <- kernel::new_mutex!(...) }), GFP_KERNEL)
        let shared = KBox::pin_init(
            pin_init!(Shared {
                totals <- kernel::new_mutex!(Totals::default(), "tally_totals"),
            }),
            GFP_KERNEL,
        )?;
        // TODO-STARTER
        // let shared = KBox::pin(
        //     Shared {
        //         totals: core::cell::UnsafeCell::new(Totals::default()),
        //     },
        //     GFP_KERNEL,
        // )?;
        // TODO-END
        let ctx: *const Shared = &*shared;
        // SAFETY: `shared` is pinned on the heap and outlives the call;
        // kb_tally_run returns only after every thread has stopped using it.
        let ret = unsafe { kb_tally_run(ctx.cast_mut().cast()) };
        if ret < 0 {
            return Err(Error::from_errno(ret));
        }
        let t = shared.snapshot();
        let h = &t.hist;
        pr_info!(
            "count={} sum={} hist={},{},{},{},{},{},{},{}\n",
            t.count,
            t.sum,
            h[0],
            h[1],
            h[2],
            h[3],
            h[4],
            h[5],
            h[6],
            h[7]
        );
        Ok(Tally { _shared: shared })
    }
}
