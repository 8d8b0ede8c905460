//! The C allocator's settings for a long-lived process (the emulated board serves conformance
//! run after run).
//!
//! glibc raises its mmap threshold each time a large block is freed, so later frame-sized
//! buffers come from the heap, where freed space stays in the process; and every encoder
//! thread may get an arena of its own. Measured (issue 33): the emulated board's RSS grew by
//! 25–60 MB per conformance run of the 16 `attr` cases with the defaults (65, 95, 122, 149 MB),
//! and stays flat with a fixed threshold and few arenas (55.0 → 57.6 MB over 20 runs of 86
//! cases). Nothing leaked: the allocator kept what was freed.

/// Fixes the mmap threshold at glibc's initial 128 KiB (which also stops its raising) and
/// caps the arenas. Elsewhere than glibc, nothing.
pub fn bound_allocator_retention() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes the allocator's parameters; called once at import.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
        libc::mallopt(libc::M_ARENA_MAX, 4);
    }
}
