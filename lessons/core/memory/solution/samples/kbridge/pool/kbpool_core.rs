// SPDX-License-Identifier: GPL-2.0

//! The Rust half of kbpool: a pool of values whose memory is allocated once,
//! where sleeping is allowed, so that the hot path never allocates.

use kernel::alloc::flags::{GFP_ATOMIC, GFP_KERNEL};
use kernel::alloc::{KBox, KVec};
use kernel::error::code::{EINVAL, ENOSPC};
use kernel::error::Result;
use kernel::ffi::c_int;

/// What C knows as `struct kb_pool`: it only ever holds a pointer to it.
pub struct KbPool {
    vals: KVec<u64>,
}

impl KbPool {
    /// Process context only: both allocations may sleep.
    fn new(capacity: usize) -> Result<KBox<Self>> {
        // TODO-BEGIN: reserve room for capacity values now (KVec::with_capacity, GFP_KERNEL); a failed allocation is an Err (ENOMEM), never a panic
        let vals = KVec::with_capacity(capacity, GFP_KERNEL)?;
        // TODO-STARTER
        // let _ = capacity;
        // let vals = KVec::new();
        // TODO-END
        Ok(KBox::new(KbPool { vals }, GFP_KERNEL)?)
    }

    /// Atomic context (a spinlock held, interrupts off): must not allocate.
    fn push(&mut self, value: u64) -> Result {
        // TODO-BEGIN: use only the room new() reserved: ENOSPC once it is full, no allocation (push with room left allocates nothing; pass it GFP_ATOMIC)
        if self.vals.len() == self.vals.capacity() {
            return Err(ENOSPC);
        }
        // There is room, so push() does not allocate and never uses its flag
        // (6.12's push always takes one). GFP_ATOMIC is the flag that fits
        // here, and it would not sleep even if the check above went wrong.
        self.vals.push(value, GFP_ATOMIC)?;
        Ok(())
        // TODO-STARTER
        // // grows the pool with GFP_KERNEL, under C's spinlock
        // let _ = (ENOSPC, GFP_ATOMIC);
        // self.vals.push(value, GFP_KERNEL)?;
        // Ok(())
        // TODO-END
    }
}

/// Called from C where sleeping is allowed (kbpool.h).
#[no_mangle]
pub extern "C" fn kb_pool_new(capacity: usize, out: *mut *mut KbPool) -> c_int {
    if out.is_null() {
        return EINVAL.to_errno();
    }
    match KbPool::new(capacity) {
        Ok(pool) => {
            // SAFETY: `out` is not NULL and points to C's own `pool` variable.
            unsafe { *out = KBox::into_raw(pool) };
            0
        }
        Err(e) => e.to_errno(),
    }
}

/// Called from C with its spinlock held.
///
/// # Safety
///
/// `pool` is NULL or comes from `kb_pool_new`, and C's lock keeps every other
/// user away for the whole call.
#[no_mangle]
pub unsafe extern "C" fn kb_pool_push(pool: *mut KbPool, value: u64) -> c_int {
    // SAFETY: see the function's safety section: a valid, unshared pool, or NULL.
    let Some(pool) = (unsafe { pool.as_mut() }) else {
        return EINVAL.to_errno();
    };
    match pool.push(value) {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// # Safety
///
/// `pool` is NULL or comes from `kb_pool_new`, and nobody changes it during the call.
#[no_mangle]
pub unsafe extern "C" fn kb_pool_len(pool: *const KbPool) -> usize {
    // SAFETY: see the function's safety section.
    unsafe { pool.as_ref() }.map_or(0, |p| p.vals.len())
}

/// # Safety
///
/// `pool` is NULL or comes from `kb_pool_new`, and nobody changes it during the call.
#[no_mangle]
pub unsafe extern "C" fn kb_pool_sum(pool: *const KbPool) -> u64 {
    // SAFETY: see the function's safety section.
    unsafe { pool.as_ref() }.map_or(0, |p| p.vals.iter().sum())
}

/// # Safety
///
/// `pool` is NULL or comes from `kb_pool_new`, and is not used after this call.
#[no_mangle]
pub unsafe extern "C" fn kb_pool_free(pool: *mut KbPool) {
    if !pool.is_null() {
        // SAFETY: `pool` came from `KBox::into_raw` in kb_pool_new and is
        // given back exactly once.
        drop(unsafe { KBox::from_raw(pool) });
    }
}
