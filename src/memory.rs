//! The allocator's part in a build's peak memory. The `kbgen` command allocates with
//! mimalloc (src/main.rs, which also tunes it); this module is the library's only other
//! use of it.

/// Returns the memory freed so far to the system now rather than after mimalloc's purge
/// delay. A build calls it once the analysis has freed the sources (`forget_for_build`):
/// without it, mimalloc kept about 35 MB of them that the search index and the pages did
/// not reuse, and a 10,000-article build peaked 10–20 MB higher. Where mimalloc is not the
/// allocator (the library's own tests), it finds nothing to return.
pub(crate) fn release() {
    // SAFETY: `mi_collect` collects the calling thread's heap and purges freed arena
    // memory; mimalloc makes both safe beside other threads' allocations.
    unsafe { libmimalloc_sys::mi_collect(false) }
}
