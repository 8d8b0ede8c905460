"""``mpp.vb``: VB pools and blocks (``kd_mpi_vb_*``)."""

from canmv_host import _native

__all__ = [
    "VB_REMAP_MODE_NONE",
    "VB_REMAP_MODE_NOCACHE",
    "VB_REMAP_MODE_CACHED",
    "VB_INVALID_POOLID",
    "VB_INVALID_HANDLE",
    "k_vb_pool_config",
    "k_vb_config",
    "kd_mpi_vb_create_pool",
    "kd_mpi_vb_destory_pool",
    "kd_mpi_vb_get_block",
    "kd_mpi_vb_handle_to_phyaddr",
    "kd_mpi_vb_release_block",
]

# `k_vb_remap_mode` (SDK `k_vb_comm.h`; values unverified, D-024).
VB_REMAP_MODE_NONE = 0
VB_REMAP_MODE_NOCACHE = 1
VB_REMAP_MODE_CACHED = 2
VB_INVALID_POOLID = -1
VB_INVALID_HANDLE = -1


class k_vb_pool_config:
    """``blk_size``, ``blk_cnt``, ``mode``, ``mmz_name``."""

    __slots__ = ("blk_size", "blk_cnt", "mode", "mmz_name")

    def __init__(self):
        self.blk_size, self.blk_cnt, self.mode, self.mmz_name = 0, 0, 0, ""


class k_vb_config:
    """``max_pool_cnt`` and ``comm_pool[16]`` (``blk_size``, ``blk_cnt``, ``mode``): what
    ``MediaManager._config`` takes."""

    __slots__ = ("max_pool_cnt", "comm_pool")

    def __init__(self):
        self.max_pool_cnt = 0
        self.comm_pool = [k_vb_pool_config() for _ in range(16)]


def kd_mpi_vb_create_pool(config):
    """The pool id, or ``VB_INVALID_POOLID``."""
    return _native.vb_create_pool(config.blk_size, config.blk_cnt)


def kd_mpi_vb_destory_pool(pool_id):
    return _native.vb_destroy_pool(pool_id)


def kd_mpi_vb_get_block(pool_id, blk_size, mmz_name=None):
    """A block handle, or ``VB_INVALID_HANDLE``. Blocks are the pool's size (``blk_size`` is
    not looked at here)."""
    return _native.vb_get_block(pool_id)


def kd_mpi_vb_handle_to_phyaddr(handle):
    """The block's physical address (here the handle is that address)."""
    return handle


def kd_mpi_vb_release_block(handle):
    return _native.vb_release_block(handle)
