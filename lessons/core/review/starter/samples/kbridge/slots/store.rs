// SPDX-License-Identifier: GPL-2.0

//! A safe Rust wrapper over the C slot table of slots_c.c.
//!
//! Code outside this file uses only what it makes public, and never writes
//! `unsafe`: whatever it calls, with whatever arguments, must not be able to
//! read or write memory outside a live table.

use core::ptr::NonNull;
use kernel::prelude::*;

/// The most slots a table may have (slots_c.c: `KB_SLOTS_MAX`).
pub const MAX_SLOTS: usize = 1024;

/// The C `struct kb_slots`, only ever handled behind a pointer.
#[repr(C)]
pub struct RawSlots {
    _opaque: [u8; 0],
}

extern "C" {
    fn kb_slots_new(len: usize) -> *mut RawSlots;
    fn kb_slots_free(s: *mut RawSlots);
    fn kb_slots_len(s: *const RawSlots) -> usize;
    fn kb_slots_data(s: *mut RawSlots) -> *mut u32;
}

/// A table of `u32` slots that C allocated.
///
/// # Invariants
///
/// `raw` comes from `kb_slots_new`, and this `Slots` is its only owner: the
/// table is live until `drop` frees it.
pub struct Slots {
    raw: NonNull<RawSlots>,
}

impl Slots {
    /// A table of `len` slots, all 0. `EINVAL` when `len` is 0 or over
    /// [`MAX_SLOTS`].
    pub fn new(len: usize) -> Result<Self> {
        if len == 0 || len > MAX_SLOTS {
            return Err(EINVAL);
        }
        // SAFETY: kb_slots_new may be called with any length; it returns a
        // new table or NULL.
        let raw = unsafe { kb_slots_new(len) };
        let raw = NonNull::new(raw).ok_or(ENOMEM)?;
        // SAFETY: `raw` is a new table from kb_slots_new that nobody else has.
        Ok(unsafe { Self::from_raw(raw) })
    }

    /// Takes ownership of a table.
    pub unsafe fn from_raw(raw: NonNull<RawSlots>) -> Self {
        // INVARIANT: the caller gives us the only pointer to a live table.
        Self { raw }
    }

    /// The number of slots.
    pub fn len(&self) -> usize {
        unsafe { kb_slots_len(self.raw.as_ptr()) }
    }

    /// `true` when the table has no slots (never, since `new` refuses 0).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Slot `i`, or `ERANGE` when there is no slot `i`.
    pub fn get(&self, i: usize) -> Result<u32> {
        if i >= self.len() {
            return Err(ERANGE);
        }
        // SAFETY: `raw` is a live table (type invariant) and `i < len`, so
        // data + i is one of its slots; `&self` means no one writes it now.
        Ok(unsafe { *kb_slots_data(self.raw.as_ptr()).add(i) })
    }

    /// Sets slot `i` to `value`, or returns `ERANGE` when there is no slot `i`.
    pub fn set(&mut self, i: usize, value: u32) -> Result {
        if i >= self.len() {
            return Err(ERANGE);
        }
        // SAFETY: `raw` is a live table (type invariant) and `i < len`, so
        // data + i is one of its slots; `&mut self` means no one else reads
        // or writes the table meanwhile.
        unsafe { *kb_slots_data(self.raw.as_ptr()).add(i) = value };
        Ok(())
    }

    /// The `count` slots from slot `start` on, or `ERANGE` when they are not
    /// all in the table. An empty window at the end (`start == len`,
    /// `count == 0`) is `Ok` with no slots; from `start > len` it is `ERANGE`.
    pub fn window(&self, start: usize, count: usize) -> Result<&[u32]> {
        // neither end may be past the table
        if start > self.len() || count > self.len() {
            return Err(ERANGE);
        }
        Ok(unsafe { core::slice::from_raw_parts(kb_slots_data(self.raw.as_ptr()).add(start), count) })
    }
}

impl Drop for Slots {
    fn drop(&mut self) {
        unsafe { kb_slots_free(self.raw.as_ptr()) };
    }
}
