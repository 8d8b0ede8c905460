"""``mpp.sys``: ``kd_mpi_sys_mmap`` / ``kd_mpi_sys_munmap`` over media memory."""

from canmv_host import _native

__all__ = ["kd_mpi_sys_mmap", "kd_mpi_sys_munmap"]


def kd_mpi_sys_mmap(phys_addr, size):
    """A virtual address for ``uctypes.bytearray_at`` (stores written through), or 0 when the
    range is not allocated media memory."""
    return _native.sys_mmap(phys_addr, size)


def kd_mpi_sys_munmap(virt_addr, size):
    return _native.sys_munmap(virt_addr, size)
