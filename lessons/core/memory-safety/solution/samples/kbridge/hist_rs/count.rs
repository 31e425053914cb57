// SPDX-License-Identifier: GPL-2.0

//! The Rust half of hist_rs: counts samples into four buckets.

const NBUCKETS: usize = 4;

/// Counts each sample in its bucket and returns how many samples had no bucket.
fn count(samples: &[i32], counts: &mut [u32; NBUCKETS]) -> u32 {
    let mut rejected = 0;
    for &v in samples {
        // TODO-BEGIN: a sample with no bucket must be rejected: use counts.get_mut() and handle None
        match usize::try_from(v).ok().and_then(|i| counts.get_mut(i)) {
            Some(slot) => *slot += 1,
            None => rejected += 1,
        }
        // TODO-STARTER
        // counts[v as usize] += 1;
        // TODO-END
    }
    rejected
}

/// Called by glue.c. Only this function deals with raw pointers: `count` above is
/// safe Rust and never sees one.
#[no_mangle]
pub extern "C" fn kb_hist_count(samples: *const i32, n: usize, counts: *mut [u32; NBUCKETS]) -> u32 {
    // SAFETY: glue.c passes its `samples` array with the number of values it holds,
    // and a zeroed array of four counters on its stack; both outlive this call and
    // nothing else touches them meanwhile.
    let (samples, counts) = unsafe { (core::slice::from_raw_parts(samples, n), &mut *counts) };
    count(samples, counts)
}
