// SPDX-License-Identifier: GPL-2.0

//! The Rust half of kbfind: a binary search over the table C has sorted.

use core::cmp::Ordering;
use core::ptr;

/// One entry of C's table (kbfind.h: `struct kb_item`).
#[repr(C)]
pub struct KbItem {
    /// What the table is sorted by.
    pub key: u32,
    /// What C prints.
    pub value: u32,
}

/// The item of `items` (sorted by key) whose key is `key`.
fn find(items: &[KbItem], key: u32) -> Option<&KbItem> {
    // the items still to search are items[lo..hi]
    let mut lo = 0;
    let mut hi = items.len() - 1;
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        match items[mid].key.cmp(&key) {
            Ordering::Equal => return Some(&items[mid]),
            Ordering::Less => lo = mid + 1,
            Ordering::Greater => hi = mid,
        }
    }
    None
}

/// Called from kbfind_main.c (kbfind.h): a pointer into `items`, or NULL.
#[no_mangle]
pub extern "C" fn kb_find(items: *const KbItem, n: usize, key: u32) -> *const KbItem {
    if items.is_null() {
        return ptr::null();
    }
    // SAFETY: `items` is not NULL and kbfind.h asks the caller for `n` items at
    // it, left unchanged during the call; the slice does not outlive it.
    let items = unsafe { core::slice::from_raw_parts(items, n) };
    find(items, key).map_or(ptr::null(), |item| item as *const KbItem)
}
