"""``mpp.common_struct``: the pointer-to-scalar holders the C bindings fill (``k_u32_ptr``)."""

__all__ = ["k_u32_ptr", "k_u64_ptr"]


class k_u32_ptr:  # noqa: N801 - the firmware's name
    """A ``k_u32*`` out-parameter: the binding stores the result in ``value``."""

    __slots__ = ("value",)

    def __init__(self):
        self.value = 0


class k_u64_ptr:  # noqa: N801 - the firmware's name
    """A ``k_u64*`` out-parameter (a muxer or track handle): ``k_u64_ptr(value=0)``."""

    __slots__ = ("value",)

    def __init__(self, value=0):
        self.value = value
