// SPDX-License-Identifier: GPL-2.0

//! kbledger: the Rust core of a small leaf driver.
//!
//! The C half (ledger_glue.c) registers /dev/kbledger and copies each write
//! into a kernel buffer; everything it copies is untrusted until
//! [`Untrusted::validate`] has turned it into a [`Request`]. The ledger lives
//! behind a [`Mutex`]: several processes write at the same time.
//!
//! A request is one write(2), integers little-endian:
//!
//! - `[1, account, lo, hi]`: DEPOSIT the amount `lo + 256 * hi` (1 to 65535)
//!   into `account` (0 to 7), and record it in the journal;
//! - `[2, c0, c1, c2, c3]`: RESERVE room in the journal for `count` more
//!   entries (a u32), so that later deposits need not allocate.
//!
//! Errors reach user space as errnos: `EINVAL` for a malformed request,
//! `EOPNOTSUPP` for an unknown opcode, `ENOMEM` when the journal cannot grow.

use core::fmt::Write;
use kernel::alloc::flags::{GFP_KERNEL, __GFP_NOWARN};
use kernel::bindings;
use kernel::error::code::ENOSPC;
use kernel::error::{to_result, Error};
use kernel::ffi::{c_int, c_void};
use kernel::prelude::*;
use kernel::sync::Mutex;

use untrusted::{Op, Request, Untrusted};

module! {
    type: KbLedger,
    name: "kbledger",
    author: "kbridge",
    description: "A leaf driver: untrusted requests validated in Rust, a ledger behind a Mutex",
    license: "GPL",
}

/// How many accounts the ledger has.
const ACCOUNTS: usize = 8;

/// The errno for an opcode the ledger does not know (6.12's `kernel` crate
/// has no constant for it).
fn eopnotsupp() -> Error {
    Error::from_errno(-(bindings::EOPNOTSUPP as i32))
}

mod untrusted {
    use super::{eopnotsupp, ACCOUNTS};
    use kernel::error::code::EINVAL;
    use kernel::prelude::*;

    /// What a checked request asks for.
    #[derive(Clone, Copy)]
    pub(crate) enum Op {
        /// Add `amount` (never 0) to `account` (always below [`ACCOUNTS`]).
        Deposit { account: usize, amount: u16 },
        /// Make room in the journal for `count` more entries.
        Reserve { count: u32 },
    }

    /// Bytes from user space that nothing has checked yet. The field is
    /// private: outside this module, [`Untrusted::validate`] is the only way in.
    pub(crate) struct Untrusted<T>(T);

    impl<T> Untrusted<T> {
        pub(crate) fn new(data: T) -> Self {
            Untrusted(data)
        }
    }

    /// A request that passed [`Untrusted::validate`]. Its field is private, so
    /// no other code can make one: the compiler enforces "validate first".
    pub(crate) struct Request {
        op: Op,
    }

    impl Request {
        pub(crate) fn op(&self) -> Op {
            self.op
        }
    }

    impl Untrusted<&[u8]> {
        /// Checks one request and gives it back as a [`Request`]:
        ///
        /// - opcode 1 (DEPOSIT) must be exactly 4 bytes, with an account below
        ///   [`ACCOUNTS`] and an amount of at least 1; otherwise `EINVAL`;
        /// - opcode 2 (RESERVE) must be exactly 5 bytes; otherwise `EINVAL`;
        /// - any other opcode: `EOPNOTSUPP` (from `eopnotsupp()`);
        /// - no byte at all: `EINVAL`.
        pub(crate) fn validate(self) -> Result<Request> {
            let bytes = self.0;
            // TODO-BEGIN: turn the bytes into an Op, or refuse them with the errors above
            let op = match bytes {
                [1, account, lo, hi] => {
                    let account = usize::from(*account);
                    let amount = u16::from_le_bytes([*lo, *hi]);
                    if account >= ACCOUNTS || amount == 0 {
                        return Err(EINVAL);
                    }
                    Op::Deposit { account, amount }
                }
                [2, c0, c1, c2, c3] => Op::Reserve {
                    count: u32::from_le_bytes([*c0, *c1, *c2, *c3]),
                },
                [] | [1 | 2, ..] => return Err(EINVAL),
                _ => return Err(eopnotsupp()),
            };
            Ok(Request { op })
            // TODO-STARTER
            // // refuses everything, for now
            // let _ = (bytes, ACCOUNTS, eopnotsupp);
            // Err(EINVAL)
            // TODO-END
        }
    }
}

/// One accepted deposit, as the journal keeps it.
#[derive(Clone, Copy)]
struct Entry {
    account: usize,
    amount: u16,
}

/// The state every writer shares. Invariant: `balances[a]` is the sum of the
/// journal's amounts for account `a`.
struct Ledger {
    balances: [u64; ACCOUNTS],
    journal: KVec<Entry>,
}

/// What C holds a pointer to: the ledger, behind a lock that may sleep (so an
/// allocation with `GFP_KERNEL` is allowed while it is held).
#[pin_data]
struct Shared {
    #[pin]
    ledger: Mutex<Ledger>,
}

impl Shared {
    /// Carries out one checked request. Called by several processes at once.
    fn apply(&self, req: &Request) -> Result {
        // TODO-BEGIN: lock the ledger once and, while holding it, carry out the request; a failed allocation is an Err (ENOMEM)
        let mut ledger = self.ledger.lock();
        match req.op() {
            Op::Deposit { account, amount } => {
                ledger.journal.push(Entry { account, amount }, GFP_KERNEL)?;
                ledger.balances[account] += u64::from(amount);
            }
            Op::Reserve { count } => {
                // the size comes from user space: fail quietly when it is absurd
                ledger
                    .journal
                    .reserve(count as usize, GFP_KERNEL | __GFP_NOWARN)?;
            }
        }
        Ok(())
        // TODO-STARTER
        // // does nothing, for now
        // let _ = (req.op(), Entry { account: 0, amount: 0 }, __GFP_NOWARN);
        // Ok(())
        // TODO-END
    }

    /// Writes the ledger as one line of text into `out`.
    fn show(&self, out: &mut Line<'_>) -> Result {
        let ledger = self.ledger.lock();
        write!(out, "balances").map_err(|_| ENOSPC)?;
        for b in &ledger.balances {
            write!(out, " {b}").map_err(|_| ENOSPC)?;
        }
        writeln!(out, " entries {}", ledger.journal.len()).map_err(|_| ENOSPC)
    }
}

/// The text being written into the buffer C passed to `kb_ledger_show`.
struct Line<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl Write for Line<'_> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let end = self.len + s.len();
        let dst = self.buf.get_mut(self.len..end).ok_or(core::fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Called by ledger_glue.c for every write to /dev/kbledger, by any number of
/// processes at once. Returns 0 or a negative errno.
///
/// # Safety
///
/// `ctx` is the pointer `init` gave to `kb_ledger_register`, and `req` points
/// to `len` readable bytes that stay unchanged during the call.
#[no_mangle]
pub unsafe extern "C" fn kb_ledger_request(ctx: *mut c_void, req: *const u8, len: usize) -> c_int {
    // SAFETY: the caller passes the `Shared` that `init` pinned and keeps alive
    // until the device is gone; only shared references to it are made.
    let shared = unsafe { &*ctx.cast::<Shared>() };
    // SAFETY: the caller passes its request buffer, `len` bytes long.
    let bytes = unsafe { core::slice::from_raw_parts(req, len) };
    let result = Untrusted::new(bytes)
        .validate()
        .and_then(|req| shared.apply(&req));
    // TODO-BEGIN: give C 0, or the error's own negative errno
    match result {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
    // TODO-STARTER
    // // C's habit: -1 for any failure
    // match result {
    //     Ok(()) => 0,
    //     Err(_) => -1,
    // }
    // TODO-END
}

/// Called by ledger_glue.c for every read of /dev/kbledger. Returns the length
/// of the text written into `buf`, or a negative errno.
///
/// # Safety
///
/// `ctx` is the pointer `init` gave to `kb_ledger_register`, and `buf` points
/// to `len` writable bytes nothing else uses during the call.
#[no_mangle]
pub unsafe extern "C" fn kb_ledger_show(ctx: *mut c_void, buf: *mut u8, len: usize) -> isize {
    // SAFETY: as in `kb_ledger_request`.
    let shared = unsafe { &*ctx.cast::<Shared>() };
    // SAFETY: the caller passes its own buffer, `len` bytes long.
    let buf = unsafe { core::slice::from_raw_parts_mut(buf, len) };
    let mut line = Line { buf, len: 0 };
    match shared.show(&mut line) {
        Ok(()) => line.len as isize,
        Err(e) => e.to_errno() as isize,
    }
}

extern "C" {
    /// ledger_glue.c: registers /dev/kbledger, whose handlers pass `ctx` back
    /// to the two functions above. Returns 0 or a negative errno.
    fn kb_ledger_register(ctx: *mut c_void) -> c_int;
    /// ledger_glue.c: removes /dev/kbledger.
    fn kb_ledger_unregister();
}

struct KbLedger {
    shared: Pin<KBox<Shared>>,
}

impl kernel::Module for KbLedger {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let shared = KBox::pin_init(
            pin_init!(Shared {
                ledger <- kernel::new_mutex!(
                    Ledger {
                        balances: [0; ACCOUNTS],
                        journal: KVec::new(),
                    },
                    "kbledger"
                ),
            }),
            GFP_KERNEL,
        )?;
        let ctx: *const Shared = &*shared;
        // SAFETY: `shared` is pinned on the heap and lives in the module
        // struct; `Drop` removes the device before the struct is freed.
        to_result(unsafe { kb_ledger_register(ctx.cast_mut().cast()) })?;
        Ok(KbLedger { shared })
    }
}

impl Drop for KbLedger {
    fn drop(&mut self) {
        // SAFETY: init registered the device; after this call no handler runs
        // any more, so `self.shared` can be freed when the fields are dropped.
        unsafe { kb_ledger_unregister() };
        let ledger = self.shared.ledger.lock();
        // the invariant, checked one last time: the journal adds up to the balances
        let mut sums = [0u64; ACCOUNTS];
        for e in ledger.journal.iter() {
            if let Some(sum) = sums.get_mut(e.account) {
                *sum += u64::from(e.amount);
            }
        }
        let verdict = if sums == ledger.balances {
            "matches"
        } else {
            "DOES NOT MATCH"
        };
        pr_info!(
            "{} entries at unload, journal {} balances\n",
            ledger.journal.len(),
            verdict
        );
    }
}
