//! Under `VENC_SIM_STRICT=1` what is otherwise accepted with a warning is refused: here a
//! `kd_mpi_sys_munmap` whose size is not the mapping's (its own process: the board reads the
//! environment at its first call).

use k230_mpp_sim::sys;

#[test]
fn strict_mode_refuses_a_munmap_of_another_size() {
    // SAFETY: this binary's only test, before any library call: no other thread reads the
    // environment.
    unsafe { std::env::set_var("VENC_SIM_STRICT", "1") };
    let (mut phys, mut virt) = (0u64, std::ptr::null_mut());
    // SAFETY: both point to live locals; the names are not read.
    let made = unsafe {
        sys::kd_mpi_sys_mmz_alloc(
            &mut phys,
            &mut virt,
            std::ptr::null(),
            std::ptr::null(),
            4096,
        )
    };
    assert_eq!(made, 0);
    let before = sys::munmap_size_mismatches();
    assert_eq!(sys::kd_mpi_sys_munmap(virt, 16), -1, "refused under strict");
    assert_eq!(sys::munmap_size_mismatches(), before + 1);
    assert_eq!(sys::kd_mpi_sys_munmap(virt, 4096), 0, "the mapping stayed");
    assert_eq!(sys::kd_mpi_sys_mmz_free(phys, std::ptr::null_mut()), 0);
}
