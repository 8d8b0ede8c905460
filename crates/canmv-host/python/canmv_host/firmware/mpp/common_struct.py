"""``mpp.common_struct``: the pointer-to-scalar holders the C bindings fill (``k_u32_ptr``)."""

__all__ = ["k_u32_ptr"]


class k_u32_ptr:  # noqa: N801 - the firmware's name
    """A ``k_u32*`` out-parameter: the binding stores the result in ``value``."""

    __slots__ = ("value",)

    def __init__(self):
        self.value = 0
