"""``mpp``: the firmware's raw MPI bindings, the layer its ``media.*`` modules are written over.

On the board ``media/vencoder.py`` star-imports ``mpp.venc``, ``mpp.sys`` and the struct modules,
so ``from media.vencoder import *`` brings ``kd_mpi_venc_*`` to scripts; the same holds here.
Calls go to the simulator's MPI unchanged (``canmv_host._native``, ``src/mpp.rs``).
"""

# The firmware's ``mpp/__init__.py`` star-imports its binding modules (S@0a609a7), so
# ``from mpp import *`` brings the structs and calls; these are the ones simulated.
from mpp.sys import *  # noqa: E402, F401, F403
from mpp.vb import *  # noqa: E402, F401, F403
from mpp.venc import *  # noqa: E402, F401, F403
from mpp.vo import *  # noqa: E402, F401, F403
from mpp.video_def import *  # noqa: E402, F401, F403
from mpp.mp4_format import *  # noqa: E402, F401, F403
