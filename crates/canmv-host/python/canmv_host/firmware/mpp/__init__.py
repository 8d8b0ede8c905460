"""``mpp``: the firmware's raw MPI bindings, the layer its ``media.*`` modules are written over.

On the board ``media/vencoder.py`` star-imports ``mpp.venc``, ``mpp.sys`` and the struct modules,
so ``from media.vencoder import *`` brings ``kd_mpi_venc_*`` to scripts; the same holds here.
Calls go to the simulator's MPI unchanged (``canmv_host._native``, ``src/mpp.rs``).
"""
