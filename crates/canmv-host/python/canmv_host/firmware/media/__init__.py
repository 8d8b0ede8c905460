"""CanMV's ``media`` package, on venc-sim."""
